"""Engine cost of two or more checkouts as instructions executed (valgrind's callgrind), not as time.

On a shared virtual machine the wall-clock and CPU-time p50 of one tree moves by ±30% from one round to the next
(bench/engine_ab.py prints it), so a budget of a few percent is below what timing resolves. Instructions per
request do not depend on the neighbours: each tree builds its snapshot with instrumentation off (callgrind's
--instr-atstart=no, ~4x slower than native), then counting is switched on for the same requests
(engine_ab's mix, PYTHONHASHSEED fixed) and off again. Instructions are not time (cache misses are not
counted), so quote both: this for the trend, engine_ab's median for the time.

`--mix fresh` counts a different workload: requests never seen before, the ordinary cases of tests/data (real
names, nicknames, idioms and bios, in a fixed shuffled order), after `--warm` other such requests. The engine's RE2
set builds its DFA lazily, one state at a time, and a state of a set of ~100 contact patterns is costly to build:
on text it has not seen, the set costs tens of times what it costs on text it has (docs/performance.md, session
17). The default mix repeats 40 nickname and bio combinations, so after its 300 warm-up requests most of its states
are built; `fresh` shows what a stream of new text costs.

Needs valgrind (`apt-get install -y valgrind`).
Run: python bench/engine_instructions.py BASELINE-CHECKOUT . [--requests 2000] [--mix fresh --warm 5000]
(~3 minutes a tree)
"""

from __future__ import annotations

import argparse
import json
import os
import random
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
if mix["fresh"]:  # new text: warm up on other new text, then count requests not seen before
    for fields in mix["fresh"][n:]:
        validate(snap, ValidateRequest.model_validate({"fields": fields}))
    reqs = [ValidateRequest.model_validate({"fields": fields}) for fields in mix["fresh"][:n]]
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


def fresh_requests(count: int) -> list[dict[str, str]]:
    """The fields of `count` ordinary cases of tests/data (expect: pass), shuffled with a fixed seed: real text
    the engine has not seen. A case without a nickname gets one (the contract requires it)."""
    import yaml

    out: list[dict[str, str]] = []
    for path in sorted((HERE.parent / "tests" / "data").glob("*.yaml")):
        cases = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in cases if isinstance(cases, list) else []:
            if not (isinstance(case, dict) and case.get("expect") == "pass" and isinstance(case.get("fields"), dict)):
                continue
            fields = {k: v for k, v in case["fields"].items()
                      if k in ("nickname", "bio", "signature") and isinstance(v, str) and v}
            if fields.get("nickname") or fields.get("bio"):
                out.append({"nickname": "小明", **fields})
    random.Random(5).shuffle(out)
    if len(out) < count:
        raise SystemExit(f"tests/data holds {len(out)} ordinary cases; --requests plus --warm asks for {count}")
    return out[:count]


def measure(tree: Path, requests: int, work: Path, tag: str, fresh_warm: int | None = None) -> int:
    """Instructions the engine executed for `requests` requests in `tree`, counted by callgrind; with `fresh_warm`
    set, for `requests` new texts after that many others (fresh_requests)."""
    from engine_bench import BIOS, NICKS

    flag = work / tag
    fresh = fresh_requests(requests + fresh_warm) if fresh_warm is not None else []
    Path(f"{flag}.mix").write_text(json.dumps({"nicks": NICKS, "bios": BIOS, "fresh": fresh}))
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
    ap.add_argument("--mix", choices=("bench", "fresh"), default="bench",
                    help="bench: engine_ab's repeated mix; fresh: ordinary cases of tests/data, each seen once")
    ap.add_argument("--warm", type=int, default=5000, help="with --mix fresh: new texts run before counting")
    args = ap.parse_args()
    fresh_warm = args.warm if args.mix == "fresh" else None
    base = None
    with tempfile.TemporaryDirectory() as tmp:
        for i, tree in enumerate(t.resolve() for t in args.trees):
            n = measure(tree, args.requests, Path(tmp), f"tree{i}", fresh_warm)
            base = base or n
            print(f"{tree}: {n / args.requests:,.0f} instructions a request  "
                  f"({(n / base - 1) * 100:+.1f}% on the first)", flush=True)


if __name__ == "__main__":
    main()
