"""Term families (official bodies, media, states, places, strict terms, misleading claims): every term and
compose rule, whatever its category, becomes a finding unless a verified institution is entitled to it."""

from __future__ import annotations

from acctcheck.checks.base import CheckContext, RawFinding
from acctcheck.packs.schema import ComposeRule, TermsRule


def run(ctx: CheckContext) -> list[RawFinding]:
    out: list[RawFinding] = []
    rules = ctx.snapshot.rules
    for name, views in ctx.fields:
        for hit in ctx.term_hits(name, views):
            rule = rules[hit.rule]
            if not isinstance(rule.rule, (TermsRule, ComposeRule)):
                continue
            if ctx.exempt(rule, hit.canonical, hit.key):
                continue
            out.append(RawFinding(rule, name, (hit.start, hit.end), views.value[hit.start:hit.end],
                                  hit.name or hit.canonical, hit.method, hit.syllables, hit.certainty))
    return out
