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
@pytest.mark.parametrize(("must_file", "other_file", "must_floor", "contact_floor", "fp_ceiling"), [
    # blind set 5 (session 3) and 6 (session 4): names from enforcement reports, government new-media rankings,
    # media directories, real nicknames, idioms, poetry, contact spam; development set 7 (session 4): real
    # handles and their evasions. Floors a little under the last measurement (closing notes).
    ("blind5_must_flag.yaml", "blind5_ordinary_contact.yaml", 0.95, 0.96, 0.005),
    ("blind6_must_flag.yaml", "blind6_ordinary_contact.yaml", 0.93, 0.95, 0.006),
    ("dev7_must_flag.yaml", None, 0.86, None, None),
    # blind set 16 (session 12, measured after reading: must 95.8%, contact 298/300, ordinary 2/900) and
    # development set 17 (session 12: must 96.4%, contact 497/500, ordinary 1/600)
    ("blind16_must_flag.yaml", "blind16_ordinary_contact.yaml", 0.94, 0.97, 0.004),
    ("dev17_must_flag.yaml", "dev17_ordinary_contact.yaml", 0.94, 0.97, 0.004),
    # blind set 17 (session 13; held out: must 97.1%, contact 94.7%, ordinary 0/928; after reading: must 98.4%,
    # contact 99.0%) and development set 18 (session 13, contact only: 490/500, ordinary 0/400)
    ("blind17_must_flag.yaml", "blind17_ordinary_contact.yaml", 0.97, 0.98, 0.003),
    (None, "dev18_ordinary_contact.yaml", None, 0.97, 0.003),
    # blind set 18 (session 14; held out: must 96.2%, contact 93.5%, ordinary 2/937; after reading: must 97.3%,
    # contact 399/400, ordinary 1/937)
    ("blind18_must_flag.yaml", "blind18_ordinary_contact.yaml", 0.97, 0.98, 0.003),
    # blind set 19 (session 15; held out: must 98.0%, contact 97.5%, ordinary 4/954; after reading: must 98.7%,
    # contact 400/400, ordinary 1/954)
    ("blind19_must_flag.yaml", "blind19_ordinary_contact.yaml", 0.98, 0.99, 0.002),
    # blind set 20 (session 16; held out: must 95.6%, contact 96.5%, ordinary 2/951; after reading: must 96.9%,
    # contact 398/400, ordinary 1/951)
    ("blind20_must_flag.yaml", "blind20_ordinary_contact.yaml", 0.96, 0.99, 0.002),
    # blind set 21 (session 16, second table; held out: must 97.3%, contact 96.8%, ordinary 4/940; after reading:
    # must 98.0%, contact 399/400, ordinary 2/940: a journalist's and a counsellor's title in a bio)
    ("blind21_must_flag.yaml", "blind21_ordinary_contact.yaml", 0.97, 0.99, 0.003),
    # blind set 22 (session 17; held out: must 95.1%, contact 97.0%, ordinary 4/966; after reading: must 97.8%,
    # contact 394/400, ordinary 1/966: the journalist's title in a bio again)
    ("blind22_must_flag.yaml", "blind22_ordinary_contact.yaml", 0.97, 0.98, 0.002),
    # blind set 23 (session 18; held out: must 96.0%, contact 96.0%, ordinary 2/948; after reading: must 99.6%,
    # contact 400/400, ordinary 2/948: the journalist's title in a bio, and 中国 in a nickname, both review)
    ("blind23_must_flag.yaml", "blind23_ordinary_contact.yaml", 0.98, 0.99, 0.003),
    # blind set 24 (session 19; held out: must 93.3%, enforcement reports 90.0%, contact 95.5%, ordinary 1/950;
    # after reading: must 97.1%, contact 400/400, ordinary 1/950: an idiom typed in pinyin, chaozhangguogu, whose
    # guogu is read as 国家, review)
    ("blind24_must_flag.yaml", "blind24_ordinary_contact.yaml", 0.96, 0.99, 0.002),
    # blind set 25 (session 19, second table, scored at 62f5069 after blind24's changes; held out: must 96.0%,
    # enforcement reports 90.7%, contact 93.0%, ordinary 2/950; after reading: must 97.3%, contact 98.5%, ordinary
    # 2/950: a journalist's title in a bio, and 领导品牌 in a bio, both review)
    ("blind25_must_flag.yaml", "blind25_ordinary_contact.yaml", 0.96, 0.98, 0.003),
    # blind set 26 (session 19, third table, scored at c31fce6, the session's last detection commit but one; held
    # out: must 95.8%, enforcement reports 96.0%, contact 97.8%, ordinary 1/950; after reading only two contact
    # cues were added: must 95.8%, contact 98.2%, ordinary 1/950, 最安全 in a signature, review)
    ("blind26_must_flag.yaml", "blind26_ordinary_contact.yaml", 0.95, 0.97, 0.002),
])
def test_real_world_tables(snapshot, must_file: str | None, other_file: str | None, must_floor: float | None,
                           contact_floor: float | None, fp_ceiling: float | None) -> None:
    """Flagged (review or reject, any category: the tables were written without reading the packs) at least
    the floor; contact smuggling found; ordinary names, idioms and poetry flagged at most the ceiling."""
    if must_file is not None:
        must_report = evaluate(snapshot, load_cases(DATA / must_file), any_category=True)
        flagged = sum(_flagged(r.verdict) for r in must_report.results) / len(must_report.results)
        print(f"\n{must_file}: flagged {flagged:.1%} of {len(must_report.results)}")
        assert must_floor is not None and flagged >= must_floor, "\n".join(must_report.failures())
    if other_file is None:
        return
    other_report = evaluate(snapshot, load_cases(DATA / other_file), any_category=True)
    contact = [r for r in other_report.results if r.case["group"] in ("contact_smuggling", "contact")]
    contact_rate = sum(r.ok for r in contact) / len(contact)
    fp, n = other_report.false_positives()
    print(f"{other_file}: contact {contact_rate:.1%} of {len(contact)}, ordinary not passed {fp}/{n}")
    assert contact_floor is not None and contact_rate >= contact_floor, \
        "\n".join(r for r in other_report.failures() if "contact" in r)
    assert fp_ceiling is not None and fp <= n * fp_ceiling, \
        "\n".join(r for r in other_report.failures() if "expect pass" in r)


# measured 2026-12-06 with the bundled rules: blind3 196/206 flagged cases right (95.1%), 9/99 ordinary not
# passed (mostly review for strict words); blind4 162/168 (96.4%), 0/100
@pytest.mark.slow
@pytest.mark.usefixtures("bundled_rules")  # `acctcheck eval` loads the session's build instead of compiling
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
