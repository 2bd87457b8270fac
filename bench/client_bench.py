"""What the Python client pays to check an answer, old way (``model_validate_json``) against the client's
(orjson, then the contract models in Python mode, lists one element at a time), in the same run; and how long
the event loop stalls while AsyncClient checks a large answer in a worker thread versus on the loop.
Prints numbers; not a test (docs/client.md quotes them).

Run: python bench/client_bench.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from acctcheck import client_answers as answers  # noqa: E402
from acctcheck.contract import BatchResponse, Finding, Verdict  # noqa: E402
from acctcheck.geo.region import IpRegion  # noqa: E402

FINDING = Finding(category="official_impersonation", rule_id="state-council", pack="official-bodies",
                  field="nickname", span=(0, 3), text="外交部", matched="外交部", method="exact",
                  article="第八条第（二）项", action="reject", message="名称仿冒党政军机关：外交部")
REGION = IpRegion(ip="202.96.128.86", label="广东", country_code="CN", province="广东", scope="domestic",
                  precision="province", source="main", database="2026-11-01")
VERDICT = Verdict(decision="reject", findings=[FINDING, FINDING], ip_region=REGION,
                  rules_revision="sha256:" + "0" * 16, decision_id="01JD0000000000000000000000")
MB = 1024 * 1024


Case = tuple[bytes, Callable[[bytes], Any], answers.Parse[Any]]


def bodies() -> dict[str, Case]:
    """name -> (body, old parse, new parser)."""
    verdict = VERDICT.model_dump_json().encode()
    batch = json.dumps({"results": [json.loads(verdict)] * 1000}).encode()
    bad = json.dumps({"decision": "pass", "findings": [{"x": "y" * 50, "n": list(range(20))}] * (10 * MB // 140)})
    zeros = b"[" + b"0," * (5 * MB - 1) + b"0]"
    return {
        "verdict (valid)": (verdict, Verdict.model_validate_json, answers.one(Verdict)),
        "1000-verdict batch (valid)": (batch, BatchResponse.model_validate_json,
                                       answers.results(1000, answers.batch_entry)),
        "10 MB verdict, 75k bad findings": (bad.encode(), Verdict.model_validate_json, answers.one(Verdict)),
        "10 MB list of zeros": (zeros, Verdict.model_validate_json, answers.one(Verdict)),
    }


def best_of(fn: Callable[[], Any], rounds: int, number: int) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(number):
            try:
                fn()
            except Exception:  # noqa: BLE001 - off-contract bodies raise; the cost is what we measure
                pass
        times.append((time.perf_counter() - t0) / number)
    return min(times)


def body_of(data: bytes) -> answers.Body:
    resp = httpx.Response(200, headers={"content-type": "application/json"}, content=data)
    body = answers.Body(resp, len(data), time.monotonic() + 3600)
    body.add(data)
    return body


async def loop_stall(data: bytes, parse: answers.Parse[Any], threaded: bool) -> float:
    """Longest gap between 1 ms ticks of another task while one answer is checked."""
    gaps: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.02)
    gaps.clear()
    try:
        if threaded:
            await asyncio.to_thread(answers.answer, body_of(data), parse)
        else:
            answers.answer(body_of(data), parse)
    except Exception:  # noqa: BLE001
        pass
    await asyncio.sleep(0.005)
    done.set()
    await task
    return max(gaps)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    print(f"{'answer':34s} {'bytes':>10s} {'old':>10s} {'client':>10s} {'old/client':>10s}")
    for name, (data, old, new) in bodies().items():
        number = 2000 if len(data) < 4096 else (20 if len(data) < MB else 1)
        t_old = best_of(lambda: old(data), args.rounds, number)  # noqa: B023
        body = body_of(data)
        t_new = best_of(lambda: answers.answer(body, new), args.rounds, number)  # noqa: B023
        print(f"{name:34s} {len(data):10d} {t_old * 1e3:8.3f}ms {t_new * 1e3:8.3f}ms {t_old / t_new:9.1f}x")
    print("\nlongest event-loop stall while AsyncClient checks the answer (1 ms ticker)")
    for name in ("1000-verdict batch (valid)", "10 MB verdict, 75k bad findings"):
        data, _, new = bodies()[name]
        inline = min(asyncio.run(loop_stall(data, new, False)) for _ in range(args.rounds))
        threaded = min(asyncio.run(loop_stall(data, new, True)) for _ in range(args.rounds))
        print(f"{name:34s} on the loop {inline * 1e3:7.1f} ms, in a worker thread {threaded * 1e3:7.1f} ms")


if __name__ == "__main__":
    main()
