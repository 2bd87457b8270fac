"""Engine cost of two or more checkouts as instructions executed (valgrind's callgrind), not as time.

On a shared virtual machine the wall-clock and CPU-time p50 of one tree moves by ±30% from one round to the next
(bench/engine_ab.py prints it), so a budget of a few percent is below what timing resolves. Instructions per
request do not depend on the neighbours: each tree builds its snapshot with instrumentation off (callgrind's
--instr-atstart=no, ~4x slower than native), then counting is switched on for the same requests
(engine_ab's mix, PYTHONHASHSEED fixed) and off again. Instructions are not time (cache misses are not
counted), so quote both: this for the trend, engine_ab's median for the time.

Needs valgrind (`apt-get install -y valgrind`).
Run: python bench/engine_instructions.py BASELINE-CHECKOUT . [--requests 2000]   (~3 minutes a tree)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

_CHILD = r"""
import json, os, random, sys, time
from pathlib import Path
import acctcheck
from acctcheck.contract import ValidateRequest
from acctcheck.engine import validate
try:
    from acctcheck.ruleset import build_snapshot
except ImportError:  # checkouts from before the ruleset module
    from acctcheck.packs.build import build_snapshot
tree, flag, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
assert Path(acctcheck.__file__).is_relative_to(tree), acctcheck.__file__
mix = json.loads(Path(flag + ".mix").read_text())
snap = build_snapshot(tree / "rules")
rng = random.Random(11)
reqs = [ValidateRequest.model_validate({"fields": {
    "nickname": rng.choice(mix["nicks"]) + (str(rng.randint(1, 99)) if rng.random() < 0.5 else ""),
    "bio": rng.choice(mix["bios"])}}) for _ in range(n)]
for r in reqs[:300]:
    validate(snap, r)
def wait(name):
    open(flag + "." + name[0], "w").close()
    while not os.path.exists(flag + "." + name[1]):
        time.sleep(0.05)
wait(("ready", "go"))
for r in reqs:
    validate(snap, r)
wait(("done", "end"))
"""


def _wait_for(path: Path, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise RuntimeError(f"the child under valgrind exited ({proc.returncode}) before {path.name}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {path.name} after {timeout:.0f} s")
        time.sleep(0.2)


def measure(tree: Path, requests: int, work: Path, tag: str) -> int:
    """Instructions the engine executed for `requests` requests in `tree`, counted by callgrind."""
    from engine_bench import BIOS, NICKS

    flag = work / tag
    Path(f"{flag}.mix").write_text(json.dumps({"nicks": NICKS, "bios": BIOS}))
    out = Path(f"{flag}.callgrind")
    env = dict(os.environ, PYTHONPATH=str(tree / "src"), PYTHONHASHSEED="0")
    proc = subprocess.Popen(["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
                             sys.executable, "-c", _CHILD, str(tree), str(flag), str(requests)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(Path(f"{flag}.ready"), proc, 1800)
        subprocess.run(["callgrind_control", "-i", "on", str(proc.pid)], check=True, capture_output=True)
        time.sleep(3)  # callgrind takes the command at its next check: let it, before the requests start
        Path(f"{flag}.go").touch()
        _wait_for(Path(f"{flag}.done"), proc, 1800)
        time.sleep(1)
        subprocess.run(["callgrind_control", "-i", "off", str(proc.pid)], check=True, capture_output=True)
        Path(f"{flag}.end").touch()
        proc.wait(600)
    finally:
        if proc.poll() is None:
            proc.kill()
    found = re.search(r"^totals: (\d+)", out.read_text(), re.MULTILINE)
    if found is None:
        raise RuntimeError(f"no totals in {out}")
    return int(found.group(1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("trees", nargs="+", type=Path, help="checkouts to compare; the first is the baseline")
    ap.add_argument("--requests", type=int, default=2000)
    args = ap.parse_args()
    base = None
    with tempfile.TemporaryDirectory() as tmp:
        for i, tree in enumerate(t.resolve() for t in args.trees):
            n = measure(tree, args.requests, Path(tmp), f"tree{i}")
            base = base or n
            print(f"{tree}: {n / args.requests:,.0f} instructions a request  "
                  f"({(n / base - 1) * 100:+.1f}% on the first)", flush=True)


if __name__ == "__main__":
    main()
