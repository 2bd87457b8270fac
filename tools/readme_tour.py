"""Rewrite the README's quick tour from a running service, so that its examples are real output.

The commands are the README's own: every line starting with `$ ` in a fenced block between the
`<!-- tour:begin -->` and `<!-- tour:end -->` markers. Each is run with bash exactly as written (against
`localhost:8000`, `make serve`'s port, or the host:port given by --url), and the lines under it are replaced
by what it printed. Edit a command in the README, then:

    ACCTCHECK_ADMIN_TOKEN=s3cret make serve     # in one terminal (the admin example needs the token)
    make readme                                 # in another

tests/test_readme.py runs the same commands against a server of its own and checks that each still answers
what the README shows (ids and revisions aside). `--check` does that here without writing.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

README = Path(__file__).resolve().parents[1] / "README.md"
BEGIN, END = "<!-- tour:begin -->", "<!-- tour:end -->"
README_ADDRESS = "localhost:8000"
# values that differ between runs and between rule revisions; every other value must match
VOLATILE = frozenset({"decision_id", "rules_revision", "revision"})
_FENCE = re.compile(r"^```[^\n]*\n(.*?)^```$", re.S | re.M)


@dataclass
class Step:
    command: str  # without the leading "$ "
    shown: str  # the output the README shows (may be empty)


def tour_bounds(text: str) -> tuple[int, int]:
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"README: no {BEGIN} … {END} section")
    return start + len(BEGIN), end


def parse_block(block: str) -> list[Step]:
    steps: list[Step] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append(Step(line[2:], ""))
        elif steps:
            steps[-1].shown += line + "\n"
        elif line.strip():
            raise SystemExit(f"README tour: a block must start with a `$ ` command, not {line!r}")
    return steps


def tour_steps(text: str) -> list[Step]:
    """Every command of the tour, in order, with the output shown under it."""
    start, end = tour_bounds(text)
    return [step for m in _FENCE.finditer(text[start:end]) for step in parse_block(m.group(1))]


def run(command: str, address: str = README_ADDRESS, timeout: float = 120) -> str:
    """Run one README command (bash, as written) against `address` instead of localhost:8000; its stdout."""
    r = subprocess.run(["bash", "-c", "set -o pipefail; " + command.replace(README_ADDRESS, address)],
                       capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0 or r.stderr.strip():
        raise RuntimeError(f"`{command}` exited {r.returncode}: {r.stderr.strip() or r.stdout.strip()}")
    return r.stdout


def same_shape(shown: Any, got: Any, path: str = "") -> list[str]:
    """Differences between two JSON values, ignoring VOLATILE keys' values (their presence still counts)."""
    if isinstance(shown, dict) and isinstance(got, dict):
        diffs = [f"{path}: keys {sorted(shown)} != {sorted(got)}"] if list(shown) != list(got) else []
        for key in shown.keys() & got.keys():
            if key not in VOLATILE:
                diffs += same_shape(shown[key], got[key], f"{path}.{key}")
        return diffs
    if isinstance(shown, list) and isinstance(got, list):
        if len(shown) != len(got):
            return [f"{path}: {len(shown)} items != {len(got)}"]
        return [d for i, (a, b) in enumerate(zip(shown, got)) for d in same_shape(a, b, f"{path}[{i}]")]
    return [] if shown == got else [f"{path or 'output'}: {shown!r} != {got!r}"]


def compare(shown: str, got: str) -> list[str]:
    """What differs between the README's output and a fresh run's (JSON compared by value and key order)."""
    try:
        a, b = json.loads(shown), json.loads(got)
    except ValueError:
        return [] if shown.strip() == got.strip() else [f"output: {shown.strip()!r} != {got.strip()!r}"]
    return same_shape(a, b)


def rewrite(text: str, address: str) -> str:
    """The README with every tour block's outputs replaced by a fresh run's."""
    start, end = tour_bounds(text)

    def block(m: re.Match[str]) -> str:
        opening = m.group(0).split("\n", 1)[0]
        outputs = ((s.command, run(s.command, address)) for s in parse_block(m.group(1)))
        body = "".join(f"$ {command}\n{out}{'' if out.endswith(chr(10)) else chr(10)}" for command, out in outputs)
        return f"{opening}\n{body}```"

    return text[:start] + _FENCE.sub(block, text[start:end]) + text[end:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running service (default: make serve's)")
    parser.add_argument("--readme", type=Path, default=README)
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 when the README is stale")
    args = parser.parse_args()
    address = urlsplit(args.url).netloc
    text = args.readme.read_text(encoding="utf-8")
    try:
        if args.check:
            stale = [(s.command, d) for s in tour_steps(text) for d in compare(s.shown, run(s.command, address))]
            for command, diff in stale:
                print(f"{command[:80]}…\n  {diff}", file=sys.stderr)
            return 1 if stale else 0
        new = rewrite(text, address)
    except RuntimeError as exc:
        print(f"readme_tour: {exc}\n(is the service running at {args.url}, with ACCTCHECK_ADMIN_TOKEN=s3cret?)",
              file=sys.stderr)
        return 2
    args.readme.write_text(new, encoding="utf-8")
    print(f"{args.readme}: {len(tour_steps(new))} commands run against {args.url}"
          + ("" if new != text else " (unchanged)"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
