"""What recording metrics costs per POST /validate, next to the request itself (issue 17).

    python bench/metrics_bench.py [--rules DIR] [--requests 3000] [--rounds 5]

No HTTP and no load generator (the machine has 2 shared cores): the real application object is called as an
ASGI app, exactly as uvicorn calls it, with realistic bodies (bench/http_bench.py's generator, 5% flagged)
that the /validate fast lane answers. Two numbers, each the best of a few passes in CPU time of the process
(a neighbour's load inflates wall time, and both halves would not be hit alike):
  request    the whole request through the app with Observer.record replaced by a no-op;
  recording  Observer.record alone, replaying the exact calls those requests made (path, status, latency,
             the real verdicts), 1 and 8 per event-loop turn (an idle server flushes to the metrics after
             each request, a busy one once per turn for all the requests of that turn).
recording / (request + recording) is the share of a recorded request spent recording. The request here is
the in-process part only: over HTTP a request costs ~280 µs of server CPU (docs/performance.md).

It runs twice, each in a fresh child process: once with metrics in-process (no PROMETHEUS_MULTIPROC_DIR: a
single worker, or a test) and once in prometheus-client's multiprocess mode (what `acctcheck serve` sets up for
its workers), so the two are compared in the same run. Decision logging is off: it is measured by
bench/log_bench.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))


def child(rules: str, n: int, rounds: int) -> dict:
    from http_bench import bodies

    from acctcheck.api import metrics as api_metrics
    from acctcheck.service import create_app
    from acctcheck.settings import Settings

    app = create_app(Settings(rules_dir=Path(rules), watch=False, log_decisions=False))
    app.state.store.reload(force=True)
    payloads = [b.encode() for b in bodies(min(n, 500))]
    scopes = []
    for body in payloads:
        scopes.append(({"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
                        "scheme": "http", "path": "/validate", "raw_path": b"/validate", "query_string": b"",
                        "root_path": "", "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 8000),
                        "headers": [(b"host", b"x"), (b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode())]}, body))
    statuses: list[int] = []

    async def drive(count: int) -> float:
        t0 = time.process_time()
        for i in range(count):
            scope, body = scopes[i % len(scopes)]
            sent = False

            async def receive() -> dict:
                nonlocal sent
                if sent:
                    return {"type": "http.disconnect"}
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}

            async def send(message: dict) -> None:
                if message["type"] == "http.response.start":
                    statuses.append(message["status"])

            await app(dict(scope), receive, send)
        return (time.process_time() - t0) / count * 1e6

    real_record = api_metrics.Observer.record
    calls: list[tuple] = []

    def capture(self, *args) -> None:  # noqa: ANN001, ANN002
        calls.append(args)

    loop = asyncio.new_event_loop()
    api_metrics.Observer.record = capture  # what the lane records: (path, status, seconds, verdicts)
    loop.run_until_complete(drive(len(scopes)))
    observer = app._fast_lane.observer  # noqa: SLF001
    api_metrics.Observer.record = lambda self, *a: None  # noqa: ARG005 - the request without recording
    requests = [loop.run_until_complete(drive(n)) for _ in range(rounds)]
    api_metrics.Observer.record = real_record

    async def replay(per_turn: int) -> float:
        """Observer.record over the captured calls, `per_turn` of them per event-loop turn, then yield (the
        flush runs there); minus the same loop without the calls."""
        best = float("inf")
        for _ in range(rounds):
            t0 = time.process_time()
            for i in range(0, n, per_turn):
                for j in range(i, i + per_turn):
                    observer.record(*calls[j % len(calls)])
                await asyncio.sleep(0)
            t1 = time.process_time()
            for i in range(0, n, per_turn):
                await asyncio.sleep(0)
            t2 = time.process_time()
            best = min(best, ((t1 - t0) - (t2 - t1)) / n * 1e6)
        return best

    alone = loop.run_until_complete(replay(1))
    busy = loop.run_until_complete(replay(8))
    assert set(statuses) == {200}, f"the fast lane must answer every request: {set(statuses)}"
    assert len(calls) == len(scopes) and all(c[3] for c in calls), "every request recorded with its verdict"
    return {"request_us": min(requests), "record_alone_us": alone, "record_busy_us": busy,
            "scrape_bytes": len(app.state.metrics.render(app.state.store))}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rules", default=str(ROOT / "rules"))
    ap.add_argument("--requests", type=int, default=3000, help="requests per measured pass")
    ap.add_argument("--rounds", type=int, default=5, help="passes; the best counts (shared, noisy machines)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.rules, args.requests, args.rounds)))
        return
    print(f"# rules {args.rules}; best of {args.rounds} passes of {args.requests}; CPU time of the process")
    for mode in ("in-process", "multiprocess"):
        env = {k: v for k, v in os.environ.items() if k not in ("PROMETHEUS_MULTIPROC_DIR", "prometheus_multiproc_dir")}
        with tempfile.TemporaryDirectory(prefix="acctcheck-prom-") as tmp:
            if mode == "multiprocess":
                env["PROMETHEUS_MULTIPROC_DIR"] = tmp
            out = subprocess.run([sys.executable, __file__, "--child", "--rules", args.rules, "--requests",
                                  str(args.requests), "--rounds", str(args.rounds)],
                                 env=env, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            raise SystemExit(f"{mode}: child failed\n{out.stderr[-3000:]}")
        r = json.loads(out.stdout.strip().splitlines()[-1])
        req = r["request_us"]
        print(f"{mode:13s} request {req:6.1f} µs without recording; scrape {r['scrape_bytes']} bytes")
        for label, key in (("1 request per loop turn (idle)", "record_alone_us"),
                           ("8 requests per loop turn (busy)", "record_busy_us")):
            rec = r[key]
            print(f"    recording, {label:32s} {rec:5.2f} µs = {rec / (req + rec):5.1%} of a recorded request")


if __name__ == "__main__":
    main()
