"""Bulk re-check throughput on this machine.

1. `acctcheck scan` accounts/s with 1 and 2 worker processes (engine in-process, no HTTP).
2. The service: POST /validate/batch items/s versus one POST /validate per account (keep-alive, sequential).

    PYTHONPATH=src python bench/scan_bench.py [--accounts 20000] [--rules rules] [--calls 2000]

Accounts are synthetic but shaped like real profiles (names, bios with contact details, official-looking
names); rates exclude nothing: they are wall-clock for the whole command, and also for judging alone.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.support
from tests.support.processes import free_port  # noqa: E402

ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
NAMES = ["小明", "快乐每一天", "旅行者阿杰", "外交部发言人", "中央小李", "晴天娃娃", "人民日报读者", "北京市公安局",
         "爱吃火锅的猫", "Lucy_2024", "国务院办公室", "深圳市民小王", "老张修车", "美妆博主Coco"]
BIOS = [None, "热爱生活，记录日常", "合作请加vx: abc_12345", "官方认证账号", "摄影 | 旅行 | 美食", "电话13812345678",
        "中国风手作", "每天分享一点点"]


def generate(path: Path, n: int) -> None:
    rnd = random.Random(7)
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            fields = {"nickname": f"{rnd.choice(NAMES)}{rnd.randint(0, 999)}"}
            if bio := rnd.choice(BIOS):
                fields["bio"] = bio
            rec = {"id": i, "fields": fields}
            if i % 5 == 0:
                rec["ip"] = f"202.96.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}"
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")


def bench_scan(src: Path, rules: Path, workers: int) -> dict:
    out = src.with_suffix(f".out{workers}.jsonl")
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "acctcheck", "scan", str(src), "-o", str(out), "--overwrite",
                        "--rules", str(rules), "--workers", str(workers), "--no-progress"],
                       env=ENV, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if r.returncode not in (0, 3):
        raise SystemExit(f"scan failed: {r.stderr[-2000:]}")
    n = sum(1 for _ in out.open("rb"))
    return {"workers": workers, "accounts": n, "wall_s": round(wall, 2), "accounts_per_s": round(n / wall)}



def bench_service(src: Path, rules: Path, calls: int) -> dict:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "acctcheck", "serve", "--port", str(port), "--rules", str(rules),
                             "--log-level", "warning"], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"server did not start: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        items = []
        for line in src.open(encoding="utf-8"):
            rec = json.loads(line)
            rec.pop("id")
            items.append(rec)
            if len(items) >= calls:
                break
        with httpx.Client(base_url=url, timeout=60) as c:
            for rec in items[:50]:
                c.post("/validate", json=rec)  # warm-up
            t0 = time.perf_counter()
            for rec in items:
                c.post("/validate", json=rec).raise_for_status()
            single = len(items) / (time.perf_counter() - t0)
            t0 = time.perf_counter()
            for start in range(0, len(items), 1000):
                r = c.post("/validate/batch", json={"items": items[start:start + 1000]})
                r.raise_for_status()
            batch = len(items) / (time.perf_counter() - t0)
        return {"items": len(items), "single_calls_per_s": round(single), "batch_items_per_s": round(batch),
                "speedup": round(batch / single, 2)}
    finally:
        proc.terminate()
        proc.wait(20)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--accounts", type=int, default=20_000)
    ap.add_argument("--calls", type=int, default=2_000)
    ap.add_argument("--rules", type=Path, default=ROOT / "rules")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, "accounts.jsonl")
        generate(src, args.accounts)
        results = {"cpus": os.cpu_count(), "scan": [bench_scan(src, args.rules, w) for w in (1, 2)],
                   "service": bench_service(src, args.rules, args.calls)}
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
