"""Detection measured on case tables written blind to the implementation (tests/data/):

- detection_cases.yaml and holdout_cases.yaml: evasions per category and method, plus tricky ordinary text;
- ordinary_profiles.yaml: 710 ordinary profiles, the false-positive guard;
- blind3_cases.yaml and blind4_cases.yaml: earlier blind sets (no longer held out), scored through
  `acctcheck eval` itself, the command an operator runs;
- blind5_*.yaml: blind set 5, real-world material.

The floors sit a little under today's measurement, so a change that loses recall or adds false positives
fails here. `acctcheck eval FILE` prints the full tables.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from acctcheck.evaluation import evaluate, load_cases
from tests.conftest import RULES, SRC_ENV

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(("name", "recall_floor"), [("detection_cases.yaml", 0.90), ("holdout_cases.yaml", 0.90)])
def test_case_tables(snapshot, name: str, recall_floor: float) -> None:
    report = evaluate(snapshot, load_cases(DATA / name))
    print(f"\n{name}\n{report.table()}")
    flagged = [r for r in report.results if r.case["group"] != "ordinary"]
    recall = sum(r.ok for r in flagged) / len(flagged)
    fp, n = report.false_positives()
    assert recall >= recall_floor, "\n".join(report.failures())
    assert fp <= n * 0.01, "\n".join(report.failures())
    rejected_ordinary = [r for r in report.results if r.case["group"] == "ordinary" and r.verdict.decision == "reject"]
    assert not rejected_ordinary


def test_ordinary_profiles_are_never_rejected(snapshot) -> None:
    profiles = yaml.safe_load((DATA / "ordinary_profiles.yaml").read_text(encoding="utf-8"))
    cases = [dict(p, group="ordinary", method="none", expect="pass") for p in profiles]
    report = evaluate(snapshot, cases)
    rejected = [r.case["id"] for r in report.results if r.verdict.decision == "reject"]
    # strict-verification words (中国, 全国 …) go to review by design (Article 10): counted apart
    other_review = [
        r.case["id"] for r in report.results
        if r.verdict.decision == "review" and any(f.category != "strict_term" for f in r.verdict.findings)
    ]
    strict_only = sum(1 for r in report.results if r.verdict.decision == "review") - len(other_review)
    print(f"\n{len(cases)} ordinary profiles: {len(rejected)} rejected, {len(other_review)} review "
          f"(non-strict), {strict_only} review for strict words only")
    assert not rejected, rejected
    assert len(other_review) <= len(cases) * 0.01, other_review


@pytest.mark.parametrize("name", ["张国华", "王建国", "李中华", "刘建军", "陈国庆", "赵民", "王中国", "李全国"])
def test_people_named_after_the_nation_pass(snapshot, name: str) -> None:
    report = evaluate(snapshot, [{"id": name, "group": "ordinary", "fields": {"nickname": name}, "expect": "pass"}])
    assert report.results[0].ok, report.failures()


def _flagged(verdict) -> bool:
    return verdict.decision != "pass"


@pytest.mark.slow
def test_blind_set_5_real_world_material(snapshot) -> None:
    """Blind set 5 (names from enforcement reports, government new-media rankings, media directories, real
    nicknames, idioms, poetry, contact spam): floors a little under the measurement of the session that used it.
    Bio-only cases get an ordinary nickname (the contract requires one)."""
    must = load_cases(DATA / "blind5_must_flag.yaml")
    other = load_cases(DATA / "blind5_ordinary_contact.yaml")
    for c in must + other:
        c["fields"] = c["fields"] if "nickname" in c["fields"] else {"nickname": "小明", **c["fields"]}
    must_report = evaluate(snapshot, must)
    flagged = sum(_flagged(r.verdict) for r in must_report.results) / len(must_report.results)
    other_report = evaluate(snapshot, other)
    contact = [r for r in other_report.results if r.case["group"] == "contact_smuggling"]
    contact_rate = sum(r.ok for r in contact) / len(contact)
    fp, n = other_report.false_positives()
    print(f"\nblind5: must-flag flagged {flagged:.1%} of {len(must_report.results)}, contact {contact_rate:.1%} of "
          f"{len(contact)}, ordinary not passed {fp}/{n}")
    assert flagged >= 0.80, "\n".join(must_report.failures())
    assert contact_rate >= 0.90, "\n".join(r for r in other_report.failures() if "contact" in r)
    assert fp <= n * 0.015, "\n".join(r for r in other_report.failures() if "expect pass" in r)


# measured 2026-12-06 with the bundled rules: blind3 196/206 flagged cases right (95.1%), 9/99 ordinary not
# passed (mostly review for strict words); blind4 162/168 (96.4%), 0/100
@pytest.mark.slow
@pytest.mark.parametrize(("name", "recall_floor", "fp_ceiling"),
                         [("blind3_cases.yaml", 0.93, 0.11), ("blind4_cases.yaml", 0.94, 0.02)])
def test_earlier_blind_sets_through_acctcheck_eval(name: str, recall_floor: float, fp_ceiling: float) -> None:
    out = subprocess.run([sys.executable, "-m", "acctcheck", "eval", str(DATA / name), "--rules", str(RULES),
                          "--failures"], env=SRC_ENV, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    print(f"\n{name}\n{out.stdout}")
    [per_method] = re.findall(r"^recall by method \(flagged groups\): (.*)$", out.stdout, re.M)
    counts = [(int(a), int(b)) for a, b in re.findall(r"(\d+)/(\d+) \(", per_method)]
    recall = sum(a for a, _ in counts) / sum(b for _, b in counts)
    [(fp, n)] = re.findall(r"^ordinary: (\d+)/(\d+) not passed", out.stdout, re.M)
    assert recall >= recall_floor, f"recall {recall:.1%} under {recall_floor:.0%}"
    assert int(fp) <= int(n) * fp_ceiling, f"{fp}/{n} ordinary cases not passed"
