"""Scoring a table of labelled cases against a snapshot: recall per category and evasion method, and the
false-positive rate on ordinary text. Used by the detection table test and `acctcheck eval`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from acctcheck.contract import ValidateRequest, Verdict
from acctcheck.engine import validate
from acctcheck.packs.snapshot import Snapshot


@dataclass
class CaseResult:
    case: dict[str, Any]
    verdict: Verdict
    ok: bool


@dataclass
class Report:
    results: list[CaseResult] = field(default_factory=list)

    def rate(self, pred: Callable[[dict[str, Any]], bool]) -> tuple[int, int]:
        sel = [r for r in self.results if pred(r.case)]
        return sum(r.ok for r in sel), len(sel)

    def table(self) -> str:
        by: dict[tuple[str, str], list[bool]] = defaultdict(list)
        for r in self.results:
            by[(r.case.get("group", "?"), r.case.get("method", "?"))].append(r.ok)
        groups = sorted({g for g, _ in by})
        methods = sorted({m for _, m in by})
        lines = ["group".ljust(24) + "".join(m[:11].rjust(12) for m in methods) + "       total"]
        for g in groups:
            cells = []
            tot = [ok for (gg, _), oks in by.items() if gg == g for ok in oks]
            for m in methods:
                oks = by.get((g, m))
                cells.append((f"{sum(oks)}/{len(oks)}" if oks else "-").rjust(12))
            lines.append(g.ljust(24) + "".join(cells) + f"{sum(tot)}/{len(tot)}".rjust(12))
        per_method = []
        for m in methods:
            oks = [ok for (g, mm), v in by.items() if mm == m and g != "ordinary" for ok in v]
            if oks:
                per_method.append(f"{m} {sum(oks)}/{len(oks)} ({100 * sum(oks) / len(oks):.0f}%)")
        lines.append("recall by method (flagged groups): " + ", ".join(per_method))
        fp, n = self.false_positives()
        lines.append(f"ordinary: {fp}/{n} not passed (false-positive rate {100 * fp / max(n, 1):.1f}%)")
        return "\n".join(lines)

    def false_positives(self) -> tuple[int, int]:
        ordinary = [r for r in self.results if r.case.get("group") == "ordinary"]
        return sum(not r.ok for r in ordinary), len(ordinary)

    def failures(self) -> list[str]:
        out = []
        for r in self.results:
            if r.ok:
                continue
            got = ", ".join(f"{f.category}/{f.method}/{f.action}:{f.text}" for f in r.verdict.findings) or "-"
            out.append(f"{r.case['id']}: {r.case['fields']} expect {r.case['expect']} "
                       f"{r.case.get('category', '')} got {r.verdict.decision} [{got}]")
        return out


# The contract requires a nickname; a case that tests only a bio or signature gets this ordinary one.
NEUTRAL_NICKNAME = "小明"


def judge(case: dict[str, Any], verdict: Verdict, any_category: bool = False) -> bool:
    """Whether the verdict is what the case expects. With `any_category`, a flagged case counts on the decision
    alone: a table written by someone who has not seen the packs may name its categories differently."""
    expect = case["expect"]
    cats = {f.category for f in verdict.findings}
    want = None if any_category else case.get("category")
    has_cat = want is None or want in cats
    if expect == "pass":
        return verdict.decision == "pass"
    if expect == "reject":
        return verdict.decision == "reject" and has_cat
    if expect == "review":
        return verdict.decision == "review" and has_cat
    if expect == "flagged":
        return verdict.decision in ("review", "reject") and has_cat
    raise ValueError(f"case {case.get('id')}: unknown expect {expect!r}")


class InvalidCase(ValueError):
    """A case whose fields make no valid request (an account type the contract does not know)."""

    def __init__(self, case_id: object, error: ValidationError) -> None:
        super().__init__(f"case {case_id}: not a valid request")
        self.case_id = case_id
        self.error = error


def evaluate(snapshot: Snapshot, cases: list[dict[str, Any]], any_category: bool = False) -> Report:
    report = Report()
    for case in cases:
        body = {k: case[k] for k in ("account_type", "fields", "verified") if case.get(k) is not None}
        if isinstance(body.get("fields"), dict) and "nickname" not in body["fields"]:
            body["fields"] = {"nickname": NEUTRAL_NICKNAME, **body["fields"]}
        try:
            request = ValidateRequest.model_validate(body)
        except ValidationError as exc:  # a table written by hand: the caller names the case, not a traceback
            raise InvalidCase(case.get("id"), exc) from None
        verdict = validate(snapshot, request, decision_id="eval")
        report.results.append(CaseResult(case, verdict, judge(case, verdict, any_category)))
    return report


def shorthand_request(case: dict[str, Any]) -> ValidateRequest:
    """A request from tests/data/profession_cases.yaml's shorthand: `n` the nickname (bio, signature and
    certification by name), `v` the verified professions, `inst` [registered name, kind] of a verified
    institution (the account is then an institution)."""
    fields: dict[str, str] = {"nickname": case["n"]}
    fields.update((k, case[k]) for k in ("bio", "signature", "certification") if k in case)
    body: dict[str, Any] = {"fields": fields}
    if "inst" in case:
        name, kind = case["inst"]
        body["account_type"] = "institution"
        body["verified"] = {"institution": {"name": name, "kind": kind}}
    elif "v" in case:
        body["verified"] = {"professions": case["v"]}
    return ValidateRequest.model_validate(body)


def load_cases(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a YAML list of cases")
    return data
