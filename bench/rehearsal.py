"""Multi-replica rehearsal (issue 17): three acctcheck replicas (1 worker each) behind HAProxy, a rolling rules
change under load, on this machine. Prints failed requests (must be 0), when each replica converged, and the
revision skew as the aggregated metrics showed it.

    make rehearsal       (or: python bench/rehearsal.py [--rules DIR] [--pause 3] [--threads 4] [--max-seconds 240])

What it does, all on 127.0.0.1:
1. Copies the rules directory (default: the bundled rules/) three times, adds a one-rule pack `rehearsal.yaml`
   to each, and starts `acctcheck serve --workers 1` on each copy: three "pods", each with its own rules.
2. Starts HAProxy (Debian's; `make haproxy` installs it, and this script asks for it) in front of them:
   round robin, health checks on /readyz, keep-alive to the replicas.
3. Load: `--threads` clients send POST /validate through HAProxy without pause (realistic bodies,
   bench/http_bench.py's generator), each keep-alive; every answer that is not a 200 verdict is a failure.
4. Scrapes every replica's /metrics every 0.2 s, as Prometheus scrapes every pod: the serving revision
   (`acctcheck_rules_info == 1`) per replica, and from those the number of revisions served at once.
5. The rolling change: rewrites `rehearsal.yaml` in replica 1's directory, waits until replica 1 serves the new
   revision, pauses `--pause` seconds, then replica 2, then replica 3 (as a rollout would), under load.
6. Stops the load 2 s after the last replica converged, scrapes once more and checks that the replicas'
   request counters add up to exactly the requests the clients sent.
Bounded: everything stops by `--max-seconds`; exit status 1 when a request failed or a replica did not converge.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.support
from tests.support.processes import free_port  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from http_bench import bodies  # noqa: E402

PACK = """\
schema_version: 1
name: rehearsal
version: "{version}"
description: the pack the rehearsal changes on each replica in turn
rules:
  - id: rehearsal-term
    kind: terms
    category: official_impersonation
    article: 第八条第（二）项
    action: reject
    message: 仿冒：{{matched}}
    terms: [{term}]
"""
INFO = re.compile(r'^acctcheck_rules_info\{pid="\d+",revision="([^"]+)"\} 1\.0$', re.M)
VALIDATE = re.compile(r'^acctcheck_requests_total\{endpoint="/validate",status="(\d+)"\} (\S+)$', re.M)



def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


@dataclass
class Replica:
    name: str
    rules: Path
    port: int
    log: Path
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, metrics_parent: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "acctcheck", "serve", "--port", str(self.port), "--workers", "1",
             "--rules", str(self.rules), "--log-level", "warning", "--metrics-dir", str(metrics_parent)],
            stdout=subprocess.DEVNULL, stderr=self.log.open("wb"),
            env={**os.environ, "ACCTCHECK_RELOAD_POLL_S": "1", "ACCTCHECK_LOG_DECISIONS": "false"})

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


@dataclass
class Load:
    url: str
    payloads: list[bytes]
    stop: threading.Event = field(default_factory=threading.Event)
    sent: int = 0
    failures: Counter = field(default_factory=Counter)
    revisions: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, offset: int) -> None:
        headers = {"content-type": "application/json"}
        sent = 0
        failures: Counter = Counter()
        revisions: Counter = Counter()
        with httpx.Client(base_url=self.url, timeout=30) as client:
            i = offset
            while not self.stop.is_set():
                body = self.payloads[i % len(self.payloads)]
                i += 1
                sent += 1
                try:
                    r = client.post("/validate", content=body, headers=headers)
                    if r.status_code == 200:
                        revisions[r.json()["rules_revision"]] += 1
                    else:
                        failures[f"HTTP {r.status_code}"] += 1
                except httpx.HTTPError as exc:
                    failures[type(exc).__name__] += 1
        with self.lock:
            self.sent += sent
            self.failures.update(failures)
            self.revisions.update(revisions)


class Scraper:
    """Every replica's /metrics every `period` s: the revision each serves, as a Prometheus would see it."""

    def __init__(self, replicas: list[Replica], period: float = 0.2) -> None:
        self.replicas = replicas
        self.period = period
        self.samples: list[tuple[float, dict[str, str | None]]] = []
        self.stop = threading.Event()
        self.client = httpx.Client(timeout=5)

    def scrape(self, r: Replica) -> str:
        return self.client.get(f"{r.url}/metrics").text

    def serving(self) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for r in self.replicas:
            try:
                found = INFO.findall(self.scrape(r))
                out[r.name] = found[0] if len(found) == 1 else None
            except httpx.HTTPError:
                out[r.name] = None
        return out

    def run(self) -> None:
        while not self.stop.is_set():
            self.samples.append((time.monotonic(), self.serving()))
            self.stop.wait(self.period)


def haproxy_config(port: int, replicas: list[Replica]) -> str:
    servers = "\n".join(f"    server {r.name} 127.0.0.1:{r.port} check" for r in replicas)
    return f"""\
global
    maxconn 2000
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    retries 3
    option redispatch
frontend acctcheck
    bind 127.0.0.1:{port}
    default_backend replicas
backend replicas
    balance roundrobin
    http-reuse safe
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 500ms fall 2 rise 1
{servers}
"""


def wait_until(check, timeout: float, what: str) -> float:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if check():
            return time.monotonic() - t0
        time.sleep(0.05)
    raise TimeoutError(what)


def ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def ensure_haproxy() -> str | None:
    if shutil.which("haproxy") is None:
        subprocess.run(["make", "-s", "-C", str(ROOT), "haproxy"], check=False)
    return shutil.which("haproxy")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rules", default=str(ROOT / "rules"), help="rules directory each replica starts from")
    ap.add_argument("--threads", type=int, default=4, help="load clients (keep-alive, no pause)")
    ap.add_argument("--pause", type=float, default=3.0,
                    help="seconds between one replica converging and the next change")
    ap.add_argument("--max-seconds", type=float, default=240.0, help="hard bound on the whole run")
    args = ap.parse_args()
    haproxy = ensure_haproxy()
    if haproxy is None:
        print("SKIPPED: haproxy is not installed and `make haproxy` could not install it "
              "(apt-get install -y haproxy needs root and Debian's package index)")
        return 0
    deadline = time.monotonic() + args.max_seconds
    work = Path(tempfile.mkdtemp(prefix="acctcheck-rehearsal-"))
    replicas: list[Replica] = []
    lb: subprocess.Popen | None = None
    load: Load | None = None
    scraper: Scraper | None = None
    threads: list[threading.Thread] = []
    try:
        for i in (1, 2, 3):
            rules = work / f"rules-{i}"
            shutil.copytree(args.rules, rules)
            write_atomic(rules / "rehearsal.yaml", PACK.format(version="1", term="彩排一号"))
            replicas.append(Replica(f"r{i}", rules, free_port(), work / f"r{i}.log"))
        for r in replicas:
            r.start(work / "metrics")
        t0 = time.monotonic()
        for r in replicas:
            wait_until(lambda r=r: ready(r.url), max(deadline - time.monotonic(), 1), f"{r.name} never became ready")
        print(f"# 3 replicas ready in {time.monotonic() - t0:.1f} s (rules {args.rules})")
        lb_port = free_port()
        (work / "haproxy.cfg").write_text(haproxy_config(lb_port, replicas), encoding="utf-8")
        lb = subprocess.Popen([haproxy, "-db", "-f", str(work / "haproxy.cfg")], stdout=subprocess.DEVNULL,
                              stderr=(work / "haproxy.log").open("wb"))
        lb_url = f"http://127.0.0.1:{lb_port}"
        wait_until(lambda: ready(lb_url), 20, "haproxy did not answer")
        version = subprocess.run([haproxy, "-v"], capture_output=True, text=True).stdout.split("\n")[0]
        print(f"# {version}; load: {args.threads} keep-alive clients through it")

        scraper = Scraper(replicas)
        old = scraper.serving()
        assert len(set(old.values())) == 1 and None not in old.values(), f"replicas disagree at start: {old}"
        old_rev = next(iter(old.values()))
        load = Load(lb_url, [b.encode() for b in bodies(500)])
        threads = [threading.Thread(target=load.run, args=(k * 97,), daemon=True) for k in range(args.threads)]
        threads.append(threading.Thread(target=scraper.run, daemon=True))
        for t in threads:
            t.start()
        time.sleep(2)  # steady state before the change

        start = time.monotonic()
        changed_at: dict[str, float] = {}
        converged_at: dict[str, float] = {}
        for r in replicas:
            changed_at[r.name] = time.monotonic() - start
            write_atomic(r.rules / "rehearsal.yaml", PACK.format(version="2", term="彩排二号"))

            def moved(r: Replica = r) -> bool:
                return bool(scraper.samples) and scraper.samples[-1][1][r.name] not in (None, old_rev)

            wait_until(moved, max(deadline - time.monotonic(), 1), f"{r.name} did not converge")
            converged_at[r.name] = time.monotonic() - start
            print(f"{r.name}: rules changed at {changed_at[r.name]:6.2f} s, serving the new revision at "
                  f"{converged_at[r.name]:6.2f} s ({converged_at[r.name] - changed_at[r.name]:.2f} s)", flush=True)
            if r is not replicas[-1]:
                time.sleep(args.pause)
        time.sleep(2)
    finally:
        if load is not None:
            load.stop.set()
        if scraper is not None:
            scraper.stop.set()
        for t in threads:
            t.join(35)
        final = scraper.serving() if scraper is not None and replicas and all(ready(r.url) for r in replicas) else {}
        answered = {}
        for r in replicas:
            try:
                text = httpx.get(f"{r.url}/metrics", timeout=5).text
                answered[r.name] = sum(float(n) for _, n in VALIDATE.findall(text))
            except httpx.HTTPError:
                pass
        if lb is not None:
            lb.terminate()
            lb.wait(10)
        for r in replicas:
            r.stop()
    assert load is not None and scraper is not None

    new_revs = set(final.values())
    skewed = [(t, s) for t, s in scraper.samples if len({v for v in s.values() if v}) > 1]
    print(f"\nrequests through HAProxy: {load.sent}, failed: {sum(load.failures.values())}"
          + (f" {dict(load.failures)}" if load.failures else ""))
    print("answered per replica (their /validate counters): "
          + ", ".join(f"{k} {v:.0f}" for k, v in answered.items())
          + f"; sum {sum(answered.values()):.0f} {'==' if sum(answered.values()) == load.sent else '!='} sent")
    print("verdicts by revision: " + ", ".join(f"{rev} {n}" for rev, n in load.revisions.items()))
    print(f"convergence: first change -> every replica on the new revision in {max(converged_at.values()):.2f} s; "
          f"per replica " + ", ".join(f"{k} {converged_at[k] - changed_at[k]:.2f} s" for k in converged_at))
    if skewed:
        print(f"revision skew in the aggregated metrics: {max(len({v for v in s.values() if v}) for _, s in skewed)} "
              f"revisions served at once in {len(skewed)} of {len(scraper.samples)} scrapes (every 0.2 s), "
              f"from {skewed[0][0] - start:.2f} s to {skewed[-1][0] - start:.2f} s after the first change")
    else:
        print("revision skew in the aggregated metrics: never seen (the scrapes missed it)")
    print(f"final: {final}")
    ok = (not load.failures and len(new_revs) == 1 and old_rev not in new_revs and None not in new_revs
          and sum(answered.values()) == load.sent)
    print("RESULT:", "ok" if ok else "FAILED")
    shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
