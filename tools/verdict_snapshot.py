"""Verdicts of every case table and every pack example, dumped to JSON and compared: a refactor that must not
change behaviour shows identical decisions and findings before and after.

    python tools/verdict_snapshot.py dump OUT.json [--rules DIR]
    python tools/verdict_snapshot.py compare BEFORE.json AFTER.json

`dump` runs every case of tests/data/*.yaml through the engine (plain Python: evaluation.load_cases and
engine.validate; profession_cases.yaml's shorthand as tests/test_professions.py reads it) and every example of
the bundled packs (images scanned as a request's). Per case it records the decision, the labels and the
findings (rule_id, category, method, field, start, end, action, matched), shadow findings included. `compare`
prints every case whose record differs and exits 1 if any does.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from pydantic import ValidationError  # noqa: E402

from acctcheck.contract import ValidateRequest, Verdict  # noqa: E402
from acctcheck.engine import validate  # noqa: E402
from acctcheck.evaluation import load_cases  # noqa: E402

try:
    from acctcheck.ruleset import build_snapshot
except ImportError:  # before the layers refactor (issue 18)
    from acctcheck.packs.build import build_snapshot  # type: ignore[no-redef]
from acctcheck.packs.loader import load_dir  # noqa: E402

DATA = ROOT / "tests" / "data"


def _record(verdict: Verdict) -> dict[str, Any]:
    def rows(findings: list[Any]) -> list[list[Any]]:
        return [[f.rule_id, f.category, f.method, f.field, f.span[0] if f.span else None,
                 f.span[1] if f.span else None, f.action, f.matched] for f in findings]

    return {"decision": verdict.decision, "labels": list(verdict.labels), "findings": rows(verdict.findings),
            "shadow": rows(verdict.shadow_findings)}


def _profession_request(case: dict[str, Any]) -> ValidateRequest:
    try:
        from acctcheck.evaluation import shorthand_request
    except ImportError:  # before the layers refactor (issue 18): the reading of tests/test_professions.py
        sys.path.insert(0, str(ROOT))
        from tests.test_professions import _request as shorthand_request  # type: ignore[attr-defined,no-redef]
    return shorthand_request(case)


def _requests() -> list[tuple[str, ValidateRequest | str]]:
    """(case key, request), or the validation error of a case that is no valid request (kept: it must stay so)."""
    out: list[tuple[str, ValidateRequest | str]] = []
    for path in sorted(DATA.glob("*.yaml")):
        if path.name == "profession_cases.yaml":
            import yaml

            groups = yaml.safe_load(path.read_text(encoding="utf-8"))
            for group, cases in groups.items():
                for i, case in enumerate(cases):
                    out.append((f"{path.name}:{group}.{i}", _profession_request(case)))
            continue
        for i, case in enumerate(load_cases(path)):
            body = {k: case[k] for k in ("account_type", "fields", "verified") if case.get(k) is not None}
            if "nickname" not in body.get("fields", {}):  # as tests/test_detection_table.py: blind set 5's bios
                body["fields"] = {"nickname": "小明", **body.get("fields", {})}
            try:
                req: ValidateRequest | str = ValidateRequest.model_validate(body)
            except ValidationError as exc:
                req = f"invalid: {exc.errors()[0]['msg']}"
            out.append((f"{path.name}:{case.get('id', i)}", req))
    return out


def _example_verdicts(snapshot: Any, rules: Path) -> dict[str, dict[str, Any]]:
    """Every pack example, images decoded and scanned as a request's (the engine's image path)."""
    from acctcheck.contract import AccountFields
    from acctcheck.images.model import ImageLimits
    from acctcheck.images.scan import scan_images
    from acctcheck.settings import Settings

    try:
        from acctcheck.checks.image_codes import image_formats
    except ImportError:  # before the layers refactor (issue 18)
        from acctcheck.images.findings import image_formats  # type: ignore[no-redef]
    out: dict[str, dict[str, Any]] = {}
    limits = ImageLimits.from_settings(Settings())
    for lp in load_dir(rules).packs:
        for i, ex in enumerate(lp.pack.examples):
            req = ValidateRequest(account_type=ex.account_type, fields=AccountFields(**ex.fields),
                                  verified=ex.verified)
            codes = scan_images(sorted(ex.images.items()), limits, image_formats(snapshot)) if ex.images else []
            out[f"example:{lp.pack.name}.{i}"] = _record(validate(snapshot, req, decision_id="snap",
                                                                  image_codes=codes))
    return out


def dump(out: Path, rules: Path) -> None:
    snapshot = build_snapshot(rules)
    records = {key: _record(validate(snapshot, req, decision_id="snap")) if isinstance(req, ValidateRequest)
               else {"decision": req} for key, req in _requests()}
    records.update(_example_verdicts(snapshot, rules))
    out.write_text(json.dumps(records, ensure_ascii=False, indent=0, sort_keys=True), encoding="utf-8")
    flagged = sum(r["decision"] != "pass" for r in records.values())
    print(f"{len(records)} cases ({flagged} flagged) -> {out}")


def compare(a: Path, b: Path) -> int:
    before = json.loads(a.read_text(encoding="utf-8"))
    after = json.loads(b.read_text(encoding="utf-8"))
    diffs = 0
    for key in sorted(before.keys() | after.keys()):
        if before.get(key) != after.get(key):
            diffs += 1
            print(f"{key}:\n  before {before.get(key)}\n  after  {after.get(key)}")
    same_decisions = sum(before[k]["decision"] == after[k]["decision"] for k in before.keys() & after.keys())
    print(f"{len(before)} before, {len(after)} after: {same_decisions} identical decisions, "
          f"{diffs} cases differ")
    return 1 if diffs else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--rules", type=Path, default=ROOT / "rules")
    c = sub.add_parser("compare")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = ap.parse_args()
    if args.cmd == "dump":
        dump(args.out, args.rules)
        return 0
    return compare(args.a, args.b)


if __name__ == "__main__":
    sys.exit(main())
