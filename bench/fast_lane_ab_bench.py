"""POST /validate throughput of this tree against an earlier revision, in one run (issue 18: the one admission
path must not slow the fast lane). Prints numbers; not a test.

    python bench/fast_lane_ab_bench.py [--base main] [--duration 5] [--rounds 4]

The base revision's src/ is exported (`git archive`) to a temporary directory and served from there with the
same interpreter, rules and flags as this tree's; both servers are pinned to CPU 0 and wrk to CPU 1, and they
are driven alternately (A B A B …) with bench/http_bench.py's bodies and wrk script, so drift cancels. Prints
requests/s per run, the ratio this/base per round and its median (>= 1.0 means no slower). Needs wrk
(apt-get install wrk) and taskset.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from http_bench import ROOT, Server, alternate, bodies, free_port, lua_script, med, ratios


def export_src(ref: str, into: Path) -> Path:
    """`ref`'s src/ tree, as files under `into`."""
    archive = into / "src.tar"
    with archive.open("wb") as f:
        subprocess.run(["git", "archive", ref, "src"], cwd=ROOT, stdout=f, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def served_from(name: str, src: Path, cpus: str) -> Server:
    """`acctcheck serve` with `src` first on the import path (Server.start puts this tree's src after it)."""
    port = free_port()
    argv = ["env", f"PYTHONPATH={src}", sys.executable, "-m", "acctcheck", "serve", "--port", str(port),
            "--rules", "rules", "--log-level", "warning", "--workers", "1"]
    return Server(name, argv, port, cpus)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", default="main", help="git revision to compare against (default: main)")
    ap.add_argument("--duration", type=float, default=5.0, help="seconds per measured wrk run")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--warmup", type=float, default=2.0)
    args = ap.parse_args()
    base_rev = subprocess.run(["git", "rev-parse", "--short", args.base], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    this_rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="acctcheck-ab-") as tmp:
        base_src = export_src(args.base, Path(tmp))
        lua = Path(tmp) / "bodies.lua"
        lua_script(lua, bodies(500))
        base = served_from(f"base {base_rev}", base_src, "0")
        this = served_from(f"this {this_rev}+worktree", ROOT / "src", "0")
        servers = [base, this]
        try:
            for s in servers:
                s.start(Path(tmp))
            print(f"# POST /validate, {args.connections} connections, servers on CPU 0, wrk on CPU 1, "
                  f"{args.rounds} rounds of {args.duration:g} s, alternating")
            alternate(servers, lua, args.rounds, args.duration, args.connections, "1", args.warmup)
        finally:
            for s in servers:
                s.stop()
    r = ratios(this, base)
    print(f"median req/s: base {med(base, 'rps'):.0f}, this {med(this, 'rps'):.0f}; "
          f"p50 latency base {med(base, 'p50_us') / 1000:.2f} ms, this {med(this, 'p50_us') / 1000:.2f} ms")
    print(f"ratio this/base per round: {', '.join(f'{x:.3f}' for x in r)}; median {statistics.median(r):.3f}")
    # on a shared machine the server's share of CPU 0 varies from run to run: requests per CPU second of the
    # server process is the steadier figure
    per_cpu = [(x["rps"] / x["server_cores"]) / (y["rps"] / y["server_cores"])
               for x, y in zip(this.runs, base.runs, strict=True)]
    print(f"requests per server CPU second, ratio this/base per round: {', '.join(f'{x:.3f}' for x in per_cpu)}; "
          f"median {statistics.median(per_cpu):.3f}")


if __name__ == "__main__":
    main()
