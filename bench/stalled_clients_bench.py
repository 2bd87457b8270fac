"""What clients that stall mid-body cost everyone else: the latency of POST /validate on a real `acctcheck serve`
(one worker, loopback) while N clients hold half-sent bodies, as a ratio to the latency with none, measured in
the same run. tests/test_json_edges.py checks only that the other requests are answered while the stalled
ones are still pending (the worker is not held); this prints how much they slow down.

    PYTHONPATH=src python bench/stalled_clients_bench.py [--stalled 0,50,200] [--requests 300]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.conftest: the server helper the tests use
from tests.conftest import Server, write_small_rules  # noqa: E402

BODY = b'{"fields":{"nickname":"\xe5\xa4\x96\xe4\xba\xa4\xe9\x83\xa8"}}'


def stall(port: int, n: int) -> list[socket.socket]:
    """n connections that sent their headers and half a body, then nothing."""
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  + f"Content-Length: {len(BODY)}\r\n\r\n".encode() + BODY[: len(BODY) // 2])
        socks.append(s)
    return socks


def latencies_ms(url: str, requests: int) -> list[float]:
    out = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for _ in range(requests):
            t0 = time.perf_counter()
            r = client.post("/validate", content=BODY, headers={"content-type": "application/json"})
            out.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, r.text
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stalled", default="0,50,200", help="comma-separated counts; the first (0) is the baseline")
    ap.add_argument("--requests", type=int, default=300)
    args = ap.parse_args()
    counts = [int(x) for x in args.stalled.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        rules = write_small_rules(Path(tmp) / "rules")
        # a body deadline longer than the run: the stalled clients stay for every measurement
        env = {"ACCTCHECK_BODY_TIMEOUT_S": "600", "ACCTCHECK_WATCH": "false", "ACCTCHECK_LOG_DECISIONS": "false"}
        with Server(rules, env=env) as srv:
            latencies_ms(srv.url, 50)  # warm-up
            base: tuple[float, float] | None = None
            print(f"POST /validate on one worker, {args.requests} sequential requests, keep-alive")
            print(f"{'stalled':>8} {'p50 ms':>8} {'p99 ms':>8} {'p50 ratio':>10} {'p99 ratio':>10}")
            for n in counts:
                socks = stall(srv.port, n)
                try:
                    lat = sorted(latencies_ms(srv.url, args.requests))
                finally:
                    for s in socks:
                        s.close()
                p50, p99 = statistics.median(lat), lat[int(0.99 * (len(lat) - 1))]
                base = base or (p50, p99)
                print(f"{n:>8} {p50:8.2f} {p99:8.2f} {p50 / base[0]:10.2f} {p99 / base[1]:10.2f}")


if __name__ == "__main__":
    main()
