"""`acctcheck eval --any-category`: a blind table written without reading the packs may name its categories
differently; a flagged case then counts on the decision alone, and a bio-only case gets an ordinary nickname."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.rules import make_rules

# the tiny pack of tests/support/rules.py rejects 马甲大王 with category misleading_claim
CASES = """\
- {id: c1, group: impersonation, method: exact, fields: {nickname: 马甲大王}, expect: flagged,
   category: fake_vest}
- {id: c2, group: bio_only, method: exact, fields: {bio: "我是马甲大王"}, expect: flagged}
- {id: c3, group: ordinary, method: exact, fields: {nickname: 王建国}, expect: pass}
"""


def _eval(tmp_path: Path, *flags: str) -> str:
    rules = make_rules(tmp_path / "rules")
    table = tmp_path / "cases.yaml"
    table.write_text(CASES, encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "acctcheck", "eval", str(table), "--rules", str(rules), *flags],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def _row(report: str, group: str) -> str:
    return next(line for line in report.splitlines() if line.startswith(group))


def test_category_names_count_only_with_any_category(tmp_path: Path) -> None:
    assert _row(_eval(tmp_path), "impersonation").endswith("0/1")
    loose = _eval(tmp_path, "--any-category")
    assert _row(loose, "impersonation").endswith("1/1")
    assert _row(loose, "bio_only").endswith("1/1")  # judged with an ordinary nickname
    assert "ordinary: 0/1 not passed" in loose


def test_a_case_that_is_no_valid_request_is_named_not_a_traceback(tmp_path: Path) -> None:
    rules = make_rules(tmp_path / "rules")
    table = tmp_path / "cases.yaml"
    table.write_text("- {id: bad1, group: g, method: exact, account_type: enterprise, fields: {nickname: 小王},"
                     " expect: pass}\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "acctcheck", "eval", str(table), "--rules", str(rules)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode != 0
    assert "case bad1: not a valid request (account_type:" in out.stderr, out.stderr
    assert "Traceback" not in out.stderr
