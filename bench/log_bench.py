"""Cost of the decision log line (one per request at the default --log-level info), with the service's own
logging configuration writing to /dev/null. Prints numbers; not a test.

Run: python bench/log_bench.py
"""

from __future__ import annotations

import logging
import logging.config
import os
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from acctcheck.api.metrics import log_decision  # noqa: E402
from acctcheck.contract import Verdict  # noqa: E402
from acctcheck.engine import new_decision_id  # noqa: E402
from acctcheck.logging_setup import log_config  # noqa: E402


def main() -> None:
    out = sys.stdout
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)  # the handler duplicates stderr: point it at /dev/null first
    logging.config.dictConfig(log_config("info"))
    verdict = Verdict.model_construct(decision="pass", findings=[], shadow_findings=[], labels=[], ip_region=None,
                                      rules_revision="sha256:" + "0" * 64, decision_id=new_decision_id(),
                                      degraded=False)
    n = 50_000
    for label, fn in (("decision log line", lambda: log_decision(verdict, 0.0002)),
                      ("decision id", new_decision_id)):
        best = min(timeit.repeat(fn, number=n, repeat=5)) / n
        print(f"{label:20s} {best * 1e6:6.2f} µs", file=out)
    logging.shutdown()


if __name__ == "__main__":
    main()
