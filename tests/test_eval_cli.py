"""`acctcheck eval --any-category`: a blind table written without reading the packs may name its categories
differently; a flagged case then counts on the decision alone, and a bio-only case gets an ordinary nickname."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CASES = """\
- {id: c1, group: media_impersonation, method: exact, fields: {nickname: 人民日报}, expect: flagged,
   category: news_outlet_impersonation}
- {id: c2, group: contact_smuggling, method: exact, fields: {bio: "加我微信 abc_12345"}, expect: flagged}
- {id: c3, group: ordinary, method: exact, fields: {nickname: 王建国}, expect: pass}
"""


def _eval(tmp_path: Path, *flags: str) -> str:
    table = tmp_path / "cases.yaml"
    table.write_text(CASES, encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "acctcheck", "eval", str(table), *flags],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_category_names_count_only_with_any_category(tmp_path: Path) -> None:
    strict = _eval(tmp_path)
    assert "media_impersonation" in strict and "0/1" in strict.split("media_impersonation", 1)[1].split("\n")[0]
    loose = _eval(tmp_path, "--any-category")
    assert "1/1" in loose.split("media_impersonation", 1)[1].split("\n")[0]


def test_a_bio_only_case_is_judged_with_an_ordinary_nickname(tmp_path: Path) -> None:
    loose = _eval(tmp_path, "--any-category")
    assert "1/1" in loose.split("contact_smuggling", 1)[1].split("\n")[0]
    assert "ordinary: 0/1 not passed" in loose
