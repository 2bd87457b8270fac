"""Contact smuggling (Article 8(6)): detectors written as RE2 patterns in packs, run over the contact view
(digit styles folded, separators kept). One RE2 set pass finds which detectors can match; only those run
to find spans. A detector can bound the digit count and require that the hit does not continue a longer
digit run."""

from __future__ import annotations

import re

from acctcheck.checks.base import CheckContext, RawFinding
from acctcheck.contract import Method
from acctcheck.normalize.chars import Flag
from acctcheck.packs.schema import PatternRule
from acctcheck.packs.snapshot import of_kind

_ALNUM = re.compile(r"[0-9a-z]")


def run(ctx: CheckContext) -> list[RawFinding]:
    snapshot = ctx.snapshot
    if not snapshot.pattern_set.size:
        return []
    allowed = snapshot.rules_by_account[ctx.request.account_type]
    out: list[RawFinding] = []
    for name, views in ctx.fields:
        if not _ALNUM.search(views.skeleton.text):
            continue  # every detector needs a digit or a Latin letter (digit styles are already folded)
        view = views.contact
        text = view.text
        found: list[tuple[int, int, RawFinding]] = []
        for idx in sorted(snapshot.pattern_set.matching(text)):
            r_idx, p_idx = snapshot.pattern_index[idx]
            compiled = snapshot.rules[r_idx]
            if r_idx not in allowed or not of_kind(compiled, PatternRule) or name not in compiled.rule.fields:
                continue
            rule = compiled.rule
            for s, e in compiled.patterns[p_idx].spans(text):
                digits = sum(1 for c in text[s:e] if "0" <= c <= "9")
                if digits < rule.min_digits or digits > rule.max_digits:
                    continue
                if rule.digit_boundary and (
                    (s > 0 and text[s - 1].isdigit()) or (e < len(text) and text[e].isdigit())
                ):
                    continue
                if rule.not_after and _after_any(text, s, rule.not_after):
                    continue
                if rule.ordinary and text[s:e] in rule.ordinary:
                    continue
                a, z = view.span(s, e)
                styles = 0
                for i in range(s, e):
                    styles |= view.flags[i]
                method: Method = "bidi" if styles & Flag.BIDI else "number_style" if styles & Flag.NUMBER \
                    else "pattern"
                found.append((a, z, RawFinding(compiled, name, (a, z), views.value[a:z], text[s:e], method)))
        out.extend(_first_per_contact(found))
    return out


def _after_any(text: str, s: int, words: list[str]) -> bool:
    """Whether text[:s], less trailing separators, ends with one of `words` (lower case, as the view is)."""
    head = text[:s].rstrip(" _-.:：·")
    return any(head.endswith(w) for w in words)


def _first_per_contact(found: list[tuple[int, int, RawFinding]]) -> list[RawFinding]:
    """One finding per smuggled contact. Hits arrive in rule order (the order of the pack file), and within a
    rule in pattern order; a hit that overlaps an earlier kept hit is dropped, so specific detectors listed
    first (mobile, e-mail) win over generic ones listed last (URL, long digit runs), and two patterns of one
    rule that both match `www.example.com` give one finding, not two. (Not the nested-hit sweep of
    match/nesting.py: here any overlap decides, by detector order, not only a hit inside a longer one.)"""
    kept: list[tuple[int, int, RawFinding]] = []
    for a, z, f in found:
        if any(ka < z and a < kz for ka, kz, _ in kept):
            continue
        kept.append((a, z, f))
    return [f for _, _, f in kept]
