"""Engine cost of two or more checkouts, measured in alternating processes in one run (the issue 13 budget: p50 per
realistic request at most +15% over the issue's start).

Each tree is timed in its own Python process with that tree's `src` on the path and its bundled packs, on
the same requests (10,000 unless `--requests`; this tree's engine_bench nicknames and bios, handed over on
stdin, a digit suffix on half of them), best of three passes per request; then the next tree, for `--rounds`
rounds; last, each tree's median ratio over the rounds. Shared machines are noisy: compare the trees within one
run, never against a number from another day, and prefer many short rounds to a few long ones.

Run: python bench/engine_ab.py /path/to/baseline-checkout .   (e.g. a `git worktree add` of the baseline)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

_CHILD = r"""
import json, random, statistics, sys, time
from pathlib import Path
import acctcheck
from acctcheck.contract import ValidateRequest
from acctcheck.engine import validate
try:
    from acctcheck.ruleset import build_snapshot
except ImportError:  # checkouts from before the ruleset module
    from acctcheck.packs.build import build_snapshot
tree = Path(sys.argv[1])
assert Path(acctcheck.__file__).is_relative_to(tree), acctcheck.__file__
mix = json.load(sys.stdin)
snap = build_snapshot(tree / "rules")
rng = random.Random(11)
reqs = [ValidateRequest.model_validate({"fields": {
    "nickname": rng.choice(mix["nicks"]) + (str(rng.randint(1, 99)) if rng.random() < 0.5 else ""),
    "bio": rng.choice(mix["bios"])}}) for _ in range(int(sys.argv[2]))]
clock = time.thread_time if sys.argv[3] == "cpu" else time.perf_counter
for r in reqs[:500]:
    validate(snap, r)
best = [1e9] * len(reqs)
for _ in range(3):
    for i, r in enumerate(reqs):
        t = clock(); validate(snap, r); d = clock() - t
        best[i] = min(best[i], d)
q = statistics.quantiles(best, n=100)
print(json.dumps({"p50": statistics.median(best) * 1e6, "p99": q[98] * 1e6}))
"""


def measure(tree: Path, requests: int = 10000, clock: str = "wall") -> dict[str, float]:
    """One tree in its own process: its src first on the path, this tree's request mix on stdin."""
    from engine_bench import BIOS, NICKS

    env = dict(os.environ, PYTHONPATH=str(tree / "src"))
    out = subprocess.run([sys.executable, "-c", _CHILD, str(tree), str(requests), clock], env=env, check=True,
                         capture_output=True, text=True, input=json.dumps({"nicks": NICKS, "bios": BIOS})).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("trees", nargs="+", type=Path, help="checkouts to compare; the first is the baseline")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=10000, help="requests per tree and round")
    ap.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                    help="cpu: the thread's CPU time (time.thread_time), blind to time the VM gives other guests")
    args = ap.parse_args()
    trees = [t.resolve() for t in args.trees]
    ratios: dict[Path, list[float]] = {t: [] for t in trees[1:]}
    for r in range(args.rounds):
        base = None
        for tree in trees:
            m = measure(tree, args.requests, args.clock)
            base = base or m["p50"]
            if tree in ratios:
                ratios[tree].append(m["p50"] / base)
            print(f"round {r + 1}  {tree}: p50 {m['p50']:.1f} µs  p99 {m['p99']:.1f} µs  "
                  f"({(m['p50'] / base - 1) * 100:+.1f}% on the first)", flush=True)
    # a noisy round moves one ratio: the median over rounds is the number to quote
    for tree, rs in ratios.items():
        print(f"median over {len(rs)} rounds  {tree}: {(statistics.median(rs) - 1) * 100:+.1f}% on the first")


if __name__ == "__main__":
    main()
