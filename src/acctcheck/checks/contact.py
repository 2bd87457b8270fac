"""Contact smuggling (Article 8(6)): detectors written as RE2 patterns in packs, run over the contact view
(digit styles folded, separators kept). A detector can bound the digit count and require that the hit does
not continue a longer digit run."""

from __future__ import annotations

from acctcheck.checks.base import CheckContext, RawFinding
from acctcheck.normalize.chars import Flag


def run(ctx: CheckContext) -> list[RawFinding]:
    snapshot = ctx.snapshot
    if not snapshot.pattern_rules:
        return []
    out: list[RawFinding] = []
    account_type = ctx.request.account_type
    for name, views in ctx.fields:
        view = None
        for r_idx in snapshot.pattern_rules:
            compiled = snapshot.rules[r_idx]
            rule = compiled.rule
            if name not in rule.fields or account_type not in rule.account_types:
                continue
            if view is None:
                view = views.contact
            text = view.text
            for pattern in compiled.patterns:
                for s, e in pattern.spans(text):
                    digits = sum(1 for c in text[s:e] if "0" <= c <= "9")
                    if digits < rule.min_digits or digits > rule.max_digits:
                        continue
                    if rule.digit_boundary and (
                        (s > 0 and text[s - 1].isdigit()) or (e < len(text) and text[e].isdigit())
                    ):
                        continue
                    a, z = view.span(s, e)
                    styled = any(view.flags[i] & Flag.NUMBER for i in range(s, e))
                    out.append(RawFinding(compiled, name, (a, z), views.value[a:z], text[s:e],
                                          "number_style" if styled else "pattern"))
    return _outermost(out)


def _outermost(found: list[RawFinding]) -> list[RawFinding]:
    """One finding per smuggled contact: drop hits inside a longer hit of the same field."""
    keep: list[RawFinding] = []
    for f in sorted(found, key=lambda f: (f.field, f.span[0], -(f.span[1] - f.span[0]))):  # type: ignore[index]
        if keep and keep[-1].field == f.field and keep[-1].span[0] <= f.span[0] and f.span[1] <= keep[-1].span[1]:  # type: ignore[index]
            continue
        keep.append(f)
    return keep
