"""Reload under load with a 100k-term snapshot: compile time and memory, reload latency (write → every worker
active), and request latency p50/p99 with and without reloads. Prints numbers; not a test.

    PYTHONPATH=src python bench/reload_bench.py [--terms 100000] [--workers 2] [--seconds 12] [--reloads 4]
    PYTHONPATH=src python bench/reload_bench.py --continuous --terms 20000 [--rewrite-seconds 15] [--interval 1]

The load generator is one asyncio process with a few keep-alive connections per worker (closed loop), so on a
2-core machine it competes with the workers for CPU: compare the two latency phases with each other, not with
the throughput bench.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.support
from tests.support.processes import free_port, worker_pids  # noqa: E402

SRC = ROOT / "src"
HAN = [chr(c) for c in range(0x4E00, 0x9FA6)]
BODY = {"fields": {"nickname": "小鱼同学", "bio": "喜欢摄影和旅行，周末去爬山，偶尔写点东西，欢迎交流。" * 2}}


def pack_text(version: str) -> str:
    return f"""schema_version: 1
name: synthetic
version: "{version}"
description: synthetic 100k-term pack for the reload bench
rules:
  - id: words
    kind: terms
    category: misleading_claim
    article: 第八条第（五）项
    action: review
    message: 测试词：{{text}}
    terms_file: synthetic/terms.txt
examples:
  - fields: {{nickname: 甲乙丙丁戊己}}
    expect: [misleading_claim]
...
"""


def make_rules(d: Path, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    (d / "synthetic").mkdir(parents=True)
    shutil.copy(ROOT / "rules" / "policy.yaml", d / "policy.yaml")
    shutil.copy(ROOT / "rules" / "contact.yaml", d / "contact.yaml")
    terms = {"甲乙丙丁戊己"}
    while len(terms) < n:
        terms.add("".join(rng.choice(HAN) for _ in range(rng.randint(4, 7))))
    (d / "synthetic" / "terms.txt").write_text("\n".join(sorted(terms)) + "\n", encoding="utf-8")
    (d / "synthetic.yaml").write_text(pack_text("0"), encoding="utf-8")


def compile_cost(rules: Path) -> dict:
    """Build in a fresh process: wall time and RSS growth of one snapshot."""
    code = f"""
import json, time, resource
from pathlib import Path
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) * 1024
from acctcheck.ruleset import build_snapshot
from acctcheck.normalize.normalizer import default_normalizer
n = default_normalizer(); before = rss()
t = time.perf_counter(); s = build_snapshot(Path({str(rules)!r}), n); dt = time.perf_counter() - t
after = rss()
t = time.perf_counter(); s2 = build_snapshot(Path({str(rules)!r}), n); dt2 = time.perf_counter() - t
print(json.dumps({{"terms": s.term_count, "build_s": dt, "rebuild_s": dt2, "rss_before_mb": before / 2**20,
                  "rss_after_mb": after / 2**20, "snapshot_mb": (after - before) / 2**20,
                  "rss_two_snapshots_mb": rss() / 2**20}}))
"""
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(SRC)},
                         capture_output=True, text=True, check=True, timeout=600)
    return json.loads(out.stdout.strip().splitlines()[-1])



def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def scrape(client: httpx.AsyncClient) -> tuple[int, str | None]:
    text = (await client.get("/metrics", headers={"Connection": "close"})).text
    pid = int(re.search(r'acctcheck_process_info\{pid="(\d+)"\}', text).group(1))
    rev = re.search(r'acctcheck_rules_info\{revision="([^"]+)"\}', text)
    return pid, rev.group(1) if rev else None


async def until_all(client: httpx.AsyncClient, pids: set[int], want: str | None, timeout: float) -> float | None:
    """Seconds until every worker reports `want` (any revision when None), or None on timeout."""
    start = time.monotonic()
    seen: set[int] = set()
    while time.monotonic() - start < timeout:
        pid, rev = await scrape(client)
        if rev and (want is None or rev == want):
            seen.add(pid)
            if seen >= pids:
                return time.monotonic() - start
        await asyncio.sleep(0.01)
    return None


async def load(base: str, seconds: float, conns: int, until: asyncio.Event | None = None) -> list[float]:
    """Closed-loop load for `seconds`, or until `until` is set when given."""
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds

    def going() -> bool:
        return not until.is_set() if until is not None else time.monotonic() < deadline

    async def one() -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=base, timeout=30) as c:
            while going():
                t = time.perf_counter()
                r = await c.post("/validate", json=BODY)
                latencies.append(time.perf_counter() - t)
                if r.status_code != 200:
                    errors += 1

    await asyncio.gather(*(one() for _ in range(conns)))
    if errors:
        print(f"  !! {errors} non-200 responses")
    return latencies


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))] * 1000


def revision_of(rules: Path) -> str:
    sys.path.insert(0, str(SRC))
    from acctcheck.packs.loader import load_dir

    return load_dir(rules).revision


def start_server(args: argparse.Namespace, rules: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(SRC), "ACCTCHECK_RELOAD_DEBOUNCE_MS": str(args.debounce_ms),
           "ACCTCHECK_LOG_DECISIONS": "false"}
    proc = subprocess.Popen([sys.executable, "-m", "acctcheck", "serve", "--workers", str(args.workers), "--port",
                             str(port), "--rules", str(rules), "--log-level", "info"], env=env,
                            stdout=subprocess.DEVNULL, stderr=(rules.parent / "server.log").open("wb"))
    return proc, f"http://127.0.0.1:{port}"


async def every_worker_ready(client: httpx.AsyncClient, proc: subprocess.Popen, workers: int) -> set[int]:
    while len(worker_pids(proc.pid)) < workers:
        await asyncio.sleep(0.05)
    pids = worker_pids(proc.pid)
    while True:
        try:
            if await until_all(client, pids, None, 120) is not None:
                return pids
        except httpx.HTTPError:
            await asyncio.sleep(0.1)


async def run(args: argparse.Namespace, rules: Path) -> None:
    t0 = time.monotonic()
    proc, base = start_server(args, rules)
    try:
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            pids = await every_worker_ready(client, proc, args.workers)
            print(f"start → every worker ready: {time.monotonic() - t0:.2f} s; "
                  f"RSS per worker: {', '.join(f'{rss_mb(p):.0f} MB' for p in pids)}")
            conns = 2 * args.workers
            quiet = await load(base, args.seconds, conns)
            print(f"no reloads  : {len(quiet)} req, p50 {pct(quiet, 50):.2f} ms, p99 {pct(quiet, 99):.2f} ms, "
                  f"max {max(quiet) * 1000:.1f} ms")

            reload_times: list[float] = []
            done = asyncio.Event()

            async def writer() -> None:
                for i in range(1, args.reloads + 1):
                    await asyncio.sleep(1.0)
                    text = pack_text(f"{i}")
                    scratch = Path(tempfile.mkdtemp())
                    shutil.copytree(rules, scratch / "r")
                    (scratch / "r" / "synthetic.yaml").write_text(text, encoding="utf-8")
                    want = revision_of(scratch / "r")
                    shutil.rmtree(scratch)
                    tmp = rules / ".synthetic.yaml.tmp"
                    tmp.write_text(text, encoding="utf-8")
                    os.replace(tmp, rules / "synthetic.yaml")
                    took = await until_all(client, pids, want, 60)
                    reload_times.append(took if took is not None else float("nan"))
                await asyncio.sleep(1.0)
                done.set()

            t = time.monotonic()
            busy, _ = await asyncio.gather(load(base, 0, conns, until=done), writer())
            print(f"with reloads: {len(busy)} req, p50 {pct(busy, 50):.2f} ms, p99 {pct(busy, 99):.2f} ms, "
                  f"max {max(busy) * 1000:.1f} ms ({args.reloads} reloads, back to back with 1 s gaps, "
                  f"during {time.monotonic() - t:.0f} s)")
            print("reload latency write → every worker active: "
                  + ", ".join(f"{t:.2f} s" for t in reload_times)
                  + f" (debounce {args.debounce_ms} ms included)")
            print(f"RSS per worker after reloads: {', '.join(f'{rss_mb(p):.0f} MB' for p in pids)}")
    finally:
        log = (rules.parent / "server.log").read_text(errors="replace").splitlines()
        problems = [ln for ln in log if '"level":"warning"' in ln or '"level":"error"' in ln or "died" in ln]
        if problems:
            print("server log problems:\n  " + "\n  ".join(problems[-10:]))
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


async def continuous(args: argparse.Namespace, rules: Path) -> None:
    """A pack rewritten in place every `--interval` s for `--rewrite-seconds` on a live server under light
    load: when does each worker activate which version? Baseline: one write into a quiet directory."""
    proc, base = start_server(args, rules)
    texts = [pack_text(f"c{i}") for i in range(int(args.rewrite_seconds / args.interval) + 2)]
    revs: dict[str, int] = {}
    for i, text in enumerate(texts):
        scratch = Path(tempfile.mkdtemp())
        shutil.copytree(rules, scratch / "r")
        (scratch / "r" / "synthetic.yaml").write_text(text, encoding="utf-8")
        revs[revision_of(scratch / "r")] = i
        shutil.rmtree(scratch)
    seen: dict[tuple[int, int], float] = {}  # (worker pid, version index) -> first time it was served
    try:
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            pids = await every_worker_ready(client, proc, args.workers)
            stop = asyncio.Event()

            async def watch() -> None:
                while not stop.is_set():
                    pid, rev = await scrape(client)
                    if rev in revs:
                        seen.setdefault((pid, revs[rev]), time.monotonic())
                    await asyncio.sleep(0.01)

            def write(i: int) -> float:
                with open(rules / "synthetic.yaml", "w", encoding="utf-8") as fh:  # in place, not atomic
                    fh.write(texts[i])
                return time.monotonic()

            watcher = asyncio.create_task(watch())
            loader = asyncio.create_task(load(base, 0, args.workers, until=stop))  # light: one connection each
            t0 = write(0)
            while not all((p, 0) in seen for p in pids) and time.monotonic() - t0 < 60:
                await asyncio.sleep(0.05)
            quiet = max(seen[(p, 0)] for p in pids) - t0
            written: list[float] = []
            for i in range(1, len(texts)):
                written.append(write(i))
                await asyncio.sleep(args.interval)
            last = written[-1]
            while not all((p, len(texts) - 1) in seen for p in pids) and time.monotonic() - last < 60:
                await asyncio.sleep(0.05)
            stop.set()
            await watcher
            latencies = await loader
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
    start = written[0]
    print(f"baseline: one write into a quiet directory → every worker active after {quiet:.2f} s")
    print(f"continuous: version 1..{len(written)} written every {args.interval:.1f} s for {last - start:.1f} s; "
          f"light load {len(latencies)} requests, p99 {pct(latencies, 99):.1f} ms")
    worst = 0.0
    for pid in sorted(pids):
        acts = sorted((t, i) for (p, i), t in seen.items() if p == pid and i > 0)
        marks = [start] + [t for t, _ in acts]
        gaps = [b - a for a, b in zip(marks, marks[1:], strict=False) if a < last]
        worst = max([worst, *gaps])
        print(f"  worker {pid}: activated versions " + ", ".join(
            f"v{i} at +{t - start:.1f} s ({t - written[i - 1]:.1f} s after its write)" for t, i in acts))
        print(f"    longest wait for a new revision while writes went on: {max(gaps):.2f} s"
              f" = {max(gaps) / quiet:.1f}× the quiet baseline")
    final = max(seen.get((p, len(texts) - 1), float('nan')) for p in pids) - last
    print(f"final version on every worker {final:.2f} s after the last write ({final / quiet:.1f}× baseline); "
          f"longest wait for any new revision during the writes {worst:.2f} s")


def observe_overhead() -> str:
    """Cost the metrics middleware (and the JSON decision log line) add to one request, against a bare ASGI app."""
    import logging
    from types import SimpleNamespace as NS

    sys.path.insert(0, str(SRC))
    from acctcheck.api.metrics import ObserveMiddleware
    from acctcheck.logging_setup import JsonFormatter
    from acctcheck.metrics import Metrics

    finding = NS(category="official_impersonation", pack="official-bodies", rule_id="state-council")
    verdict = NS(decision="reject", findings=[finding], shadow_findings=[], decision_id="0" * 32,
                 rules_revision="sha256:0")
    route = NS(path="/validate")

    async def app(scope: dict, receive: object, send) -> None:
        scope["route"] = route
        scope.setdefault("state", {})["verdict"] = verdict
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def send(_m: dict) -> None:
        return None

    async def per_call(a, n: int = 50_000) -> float:
        best = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            for _ in range(n):
                await a({"type": "http"}, None, send)
            best = min(best, (time.perf_counter() - t) / n)
        return best * 1e6

    async def measure() -> str:
        devnull = open(os.devnull, "w")
        handler = logging.StreamHandler(devnull)
        handler.setFormatter(JsonFormatter())
        lg = logging.getLogger("acctcheck.decision")
        lg.addHandler(handler)
        lg.propagate = False
        bare = await per_call(app)
        lg.setLevel(logging.WARNING)
        plain = await per_call(ObserveMiddleware(app, Metrics()))
        lg.setLevel(logging.INFO)
        logged = await per_call(ObserveMiddleware(app, Metrics()))
        lg.removeHandler(handler)
        devnull.close()
        return (f"observability cost per request: metrics {plain - bare:.1f} µs; metrics + JSON decision log "
                f"{logged - bare:.1f} µs")

    return asyncio.run(measure())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--terms", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=12.0)
    ap.add_argument("--reloads", type=int, default=4)
    ap.add_argument("--debounce-ms", type=int, default=300)
    ap.add_argument("--continuous", action="store_true",
                    help="only: rewrite a pack in place every --interval s for --rewrite-seconds; time to activation")
    ap.add_argument("--rewrite-seconds", type=float, default=15.0)
    ap.add_argument("--interval", type=float, default=1.0)
    args = ap.parse_args()
    if args.continuous:
        with tempfile.TemporaryDirectory() as tmp:
            rules = Path(tmp) / "rules"
            rules.mkdir()
            make_rules(rules, args.terms)
            asyncio.run(continuous(args, rules))
        return
    print(observe_overhead())
    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "rules"
        rules.mkdir()
        make_rules(rules, args.terms)
        cost = compile_cost(rules)
        print(f"snapshot: {cost['terms']} terms, build {cost['build_s']:.2f} s (rebuild {cost['rebuild_s']:.2f} s), "
              f"RSS +{cost['snapshot_mb']:.0f} MB for one snapshot (process {cost['rss_before_mb']:.0f} → "
              f"{cost['rss_after_mb']:.0f} MB; {cost['rss_two_snapshots_mb']:.0f} MB while two exist, "
              "as during a swap)")
        asyncio.run(run(args, rules))


if __name__ == "__main__":
    main()
