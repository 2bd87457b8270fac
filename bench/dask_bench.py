"""Bulk re-verification on a Dask LocalCluster against the engine alone, in one run (issue 17).

    python bench/dask_bench.py [--count 200000] [--workers N] [--rules DIR] [--chunk-size 1024] [--full]

1. Writes `--count` synthetic accounts as JSON Lines (8-12-character nickname + 60-character bio, 5% with
   something the packs flag: bench/http_bench.py's generator, ids added).
2. Engine-only rate: `acctcheck.scan.judge_chunk` (what every scan worker runs: request model, engine, verdict
   JSON) over the first 20,000 accounts, already parsed, in this process, best of 3, measured before and
   after the cluster run. Rates are accounts per CPU second of the process: the machine is shared (load
   averages of 10+ on 2 cores), so wall-clock rates measure the neighbours; wall numbers are printed beside.
3. Starts a LocalCluster of `--workers` single-threaded worker processes (default: one per CPU), builds the
   rules on every worker first (once per worker per rules digest, as a scan does), then runs the scan's own
   pipeline (`acctcheck.distributed.dask_judge`: read, chunk, submit, results in order, write) over the whole
   file. Per worker process: accounts per CPU second of the whole worker process (every thread: the task,
   deserialising, comms, heartbeats, Dask's profiler), as a ratio of the engine-only rate (target >= 0.8x).
   The client's CPU per account (reading, sending, writing) is printed too: it caps one `scan --dask`.
   Beside it, the same judge_chunk in as many plain forked processes at once (no Dask): the engine's rate
   under the same contention, so the second ratio is what Dask itself costs.
4. With `--full`, also times the whole command as a user runs it, `acctcheck scan FILE -o OUT --dask
   local:N` (cluster start, rules builds, everything): the wall time printed for the count given.
5. A projection for 100M accounts on N cores from these numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from http_bench import bodies  # noqa: E402

from acctcheck import scan  # noqa: E402
from acctcheck.distributed import RulesBundle, dask_judge, ensure_engine  # noqa: E402


def write_accounts(path: Path, count: int) -> None:
    pool = bodies(5000, seed=17)
    rng = random.Random(5)
    with path.open("w", encoding="utf-8") as f:
        for i in range(count):
            rec = json.loads(pool[rng.randrange(len(pool))])
            rec["id"] = f"u{i}"
            f.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")


def read_items(path: Path, limit: int) -> list[scan.Item]:
    items: list[scan.Item] = []
    with path.open("rb") as f:
        for line_no, ident, data, _ in scan.read_jsonl(f):
            items.append((line_no, ident, data))  # type: ignore[arg-type]
            if len(items) >= limit:
                break
    return items


def engine_rate(items: list[scan.Item], chunk: int) -> tuple[float, float]:
    """(accounts per CPU second, accounts per wall second) of judge_chunk in this process, best of 3."""
    best_cpu = best_wall = 0.0
    for _ in range(3):
        c0, t0 = cpu_s(), time.perf_counter()
        for i in range(0, len(items), chunk):
            scan.judge_chunk(items[i:i + chunk])
        best_cpu = max(best_cpu, len(items) / (cpu_s() - c0))
        best_wall = max(best_wall, len(items) / (time.perf_counter() - t0))
    return best_cpu, best_wall


def proc_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def plain_processes_rate(items: list[scan.Item], chunk: int, workers: int) -> float:
    """The same judge_chunk in `workers` plain forked processes at once (no Dask), each judging every chunk of
    the sample: accounts per CPU second per process under the same contention the Dask workers see."""
    import multiprocessing as mp

    chunks = [items[i:i + chunk] for i in range(0, len(items), chunk)]
    with mp.get_context("fork").Pool(workers) as pool:
        pool.map(scan.judge_chunk, chunks[:workers])  # warm: every process has run once
        pids = [p.pid for p in pool._pool]  # noqa: SLF001
        before = {pid: proc_cpu_s(pid) for pid in pids}
        pool.map(scan.judge_chunk, chunks * 2, chunksize=1)
        spent = sum(proc_cpu_s(pid) - before[pid] for pid in pids)
    return 2 * len(items) / spent


def cpu_s() -> float:
    """CPU seconds of this process, every thread (a Dask worker's event loop and comms included)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=200_000)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--rules", default=str(ROOT / "rules"))
    ap.add_argument("--chunk-size", type=int, default=1024)
    ap.add_argument("--full", action="store_true", help="also time `acctcheck scan --dask local:N` end to end")
    args = ap.parse_args()
    from distributed import Client, LocalCluster

    with tempfile.TemporaryDirectory(prefix="acctcheck-dask-bench-") as tmp:
        src, out = Path(tmp, "accounts.jsonl"), Path(tmp, "verdicts.jsonl")
        t0 = time.perf_counter()
        write_accounts(src, args.count)
        print(f"# {args.count} synthetic accounts ({src.stat().st_size / 1e6:.0f} MB) written in "
              f"{time.perf_counter() - t0:.1f} s; rules {args.rules}; {os.cpu_count()} CPUs; "
              f"{args.workers} worker processes; chunks of {args.chunk_size}")
        scan.load_engine(args.rules, run_examples=False)
        sample = read_items(src, 20_000)
        engine_before = engine_rate(sample, args.chunk_size)
        print(f"engine only (judge_chunk in this process): {engine_before[0]:,.0f} accounts per CPU second "
              f"({engine_before[1]:,.0f}/s wall); load average {os.getloadavg()[0]:.1f}", flush=True)

        with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None) as cluster, Client(cluster) as client:
            bundle = RulesBundle.from_dir(args.rules)
            t0 = time.perf_counter()
            client.run(ensure_engine, bundle)  # every worker builds its snapshot, as the first chunk would
            print(f"cluster up; rules built on every worker in {time.perf_counter() - t0:.1f} s", flush=True)
            judge, close = dask_judge(cluster.scheduler_address, Path(args.rules), stderr=sys.stdout)
            summary = scan.Summary()
            workers_cpu0 = client.run(cpu_s)
            c0, t0 = cpu_s(), time.perf_counter()
            with src.open("rb") as f, out.open("wb") as o:
                chunks = scan._chunks(scan.read_jsonl(f), set(), args.chunk_size, summary,  # noqa: SLF001
                                      lambda n, m: None)
                for outcomes in judge(chunks):
                    for _, line, _, _ in outcomes:
                        if line is not None:
                            o.write(line)
                            summary.written += 1
            wall, client_cpu = time.perf_counter() - t0, cpu_s() - c0
            workers_cpu = {w: c - workers_cpu0[w] for w, c in client.run(cpu_s).items()}
            close()
        assert summary.written == args.count, (summary.written, args.count)
        engine_after = engine_rate(sample, args.chunk_size)
        engine_cpu = max(engine_before[0], engine_after[0])
        plain = plain_processes_rate(sample, args.chunk_size, args.workers)
        total = args.count / wall
        per_worker_cpu = args.count / sum(workers_cpu.values())
        client_us = client_cpu / args.count * 1e6
        print(f"engine only again: {engine_after[0]:,.0f} accounts per CPU second ({engine_after[1]:,.0f}/s wall); "
              f"counted: {engine_cpu:,.0f}")
        print(f"\nLocalCluster, {args.workers} worker processes: {args.count} accounts in {wall:.1f} s wall = "
              f"{total:,.0f} accounts/s ({total / args.workers:,.0f}/s per worker, on a machine at load average "
              f"{os.getloadavg()[0]:.1f})")
        print(f"per worker process: {per_worker_cpu:,.0f} accounts per CPU second of the whole worker process "
              f"(engine, deserialising, comms, event loop) = {per_worker_cpu / engine_cpu:.2f}x the engine-only "
              f"rate (target >= 0.8x); worker CPU " + ", ".join(f"{c:.1f} s" for c in workers_cpu.values()))
        print(f"    and {per_worker_cpu / plain:.2f}x the rate of {args.workers} plain processes judging at once without "
              f"Dask ({plain:,.0f} accounts per CPU second each): what Dask itself costs")
        print(f"client (read, submit, write, in this process): {client_us:.0f} µs CPU per account; one "
              f"`scan --dask` client tops out near {1e6 / client_us:,.0f} accounts/s")
        per_worker = per_worker_cpu  # a worker with a core of its own

        if args.full:
            out.unlink()
            t0 = time.perf_counter()
            r = subprocess.run([sys.executable, "-m", "acctcheck", "scan", str(src), "--output", str(out),
                                "--rules", args.rules, "--dask", f"local:{args.workers}", "--chunk-size",
                                str(args.chunk_size), "--no-progress"], capture_output=True, text=True)
            full = time.perf_counter() - t0
            assert r.returncode == 0, r.stderr[-2000:]
            print(f"\n`acctcheck scan --dask local:{args.workers}` end to end (cluster start, rules builds, "
                  f"everything): {args.count} accounts in {full:.1f} s wall")
            print("\n".join("    " + ln for ln in r.stdout.splitlines() + r.stderr.splitlines()[-1:]))

    print(f"\nprojection for 100M accounts at {per_worker:,.0f} accounts/s per worker core (each worker with a core "
          "of its own; startup and the rules build, minutes at most, left out):")
    for cores in (16, 64, 256):
        hours = 100e6 / (per_worker * cores) / 3600
        print(f"  {cores:4d} worker cores: {hours:6.2f} h with scan_jsonl (workers read shared storage); "
              f"one `scan --dask` client caps at {100e6 / (1e6 / client_us) / 3600:.2f} h")


if __name__ == "__main__":
    main()
