"""`--resume`: the ids an earlier run already wrote, read back from its output (their verdicts counted into the
summary), with the torn last line of an interrupted run cut off."""

from __future__ import annotations

from pathlib import Path

import orjson

from acctcheck.scan.records import ScanError
from acctcheck.scan.report import Summary


def load_done(output: Path, summary: Summary) -> set[bytes]:
    """Ids already in the output, as their JSON bytes. A torn last line from an interrupted run is cut off;
    damage anywhere else stops the scan rather than guess."""
    done: set[bytes] = set()
    if not output.exists():
        return done
    good_end = 0
    with output.open("rb") as f:
        for n, raw in enumerate(f, 1):
            if not raw.endswith(b"\n"):
                break  # torn tail: re-judged below
            try:
                rec = orjson.loads(raw)
                key = orjson.dumps(rec["id"])
                verdict = rec["verdict"]
                summary.add(verdict["decision"], tuple(sorted({x["category"] for x in verdict["findings"]})))
                summary.revisions.add(verdict["rules_revision"])
            except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
                raise ScanError(f"{output}: line {n} is not a scan result ({exc}); not resuming") from None
            done.add(key)
            good_end += len(raw)
    if good_end != output.stat().st_size:
        with output.open("r+b") as f:
            f.truncate(good_end)
    summary.resumed = len(done)
    return done
