"""Contact smuggling (Article 8(6)): detectors written as RE2 patterns in packs, run over the contact view
(digit styles folded, separators kept). One RE2 set pass finds which detectors can match; only those run
to find spans. A detector can bound the digit count and require that the hit does not continue a longer
digit run."""

from __future__ import annotations

import re
from collections.abc import Iterator

from acctcheck.checks.base import CheckContext, RawFinding
from acctcheck.contract import Method
from acctcheck.match.patterns import CompiledPattern
from acctcheck.normalize.chars import Flag
from acctcheck.normalize.normalizer import FieldViews
from acctcheck.packs.schema import PatternRule
from acctcheck.packs.snapshot import ACROSS_FIELDS, HAN_CUES, CompiledRule, of_kind

NEAR_WINDOW = 12  # characters before a hit that PatternRule.not_near reads: the longest cue-to-ID gap (NEAR) and a cue


def run(ctx: CheckContext) -> list[RawFinding]:
    snapshot = ctx.snapshot
    if not snapshot.pattern_set.size:
        return []
    # every detector needs a digit or a Latin letter in the field it reports (digit styles are already folded), but
    # those with han_cues, where a field holds one of them. Only such a field's contact view reads digits heard in
    # characters (薇同号衣巴尔溜儿衣溜伞寺衣遛, 企鹅：丝遛吧寺舞溜幺妻): searching every field for them cost more than
    # the rest of the contact check (a charset scan of each character)
    cues: re.Pattern[str] | None = snapshot.families.get(HAN_CUES)
    cued: set[int] = set()
    for _, views in ctx.fields:
        if cues is not None and cues.search(views.value) is not None:
            cued.add(id(views))
        else:
            views.hear_no_digits()
    lines = [(name, views) for name, views in ctx.fields if views.digits or views.latin or id(views) in cued]
    if not lines:
        return []
    across: frozenset[int] = snapshot.families.get(ACROSS_FIELDS, frozenset())
    # One RE2 set pass over the fields joined one per line says which detectors can match anywhere (a hit
    # across a line break only costs a search that finds nothing in each field). When a detector reads across
    # fields and there are two, every field joins: a cue may stand in one with neither (威信见签名).
    joined_fields = ctx.fields if across and len(ctx.fields) > 1 else lines
    # a field with no digit builds no contact view, unless a han cue let it in: then its view may read digits heard
    # in characters
    texts = [views.contact.text if id(views) in cued else views.contact_text for _, views in joined_fields]
    joined = "\n".join(texts)
    matching = snapshot.pattern_set.matching(joined)
    if not matching:
        return []
    allowed = snapshot.rules_by_account[ctx.request.account_type]
    per_field: dict[str, list[tuple[int, int, RawFinding]]] = {}
    spanning: list[tuple[int, int, RawFinding]] = []
    placed: list[tuple[str, FieldViews, int]] = []
    for idx in sorted(matching):
        r_idx, p_idx = snapshot.pattern_index[idx]
        compiled = snapshot.rules[r_idx]
        if r_idx not in allowed or not of_kind(compiled, PatternRule):
            continue
        fields = compiled.rule.fields
        if r_idx in across:
            if joined_fields is lines:
                continue  # one field: nothing to read across
            if not placed:
                at = 0
                for (name, views), text in zip(joined_fields, texts, strict=True):
                    placed.append((name, views, at))
                    at += len(text) + 1
            spanning.extend(f for f in _hits(compiled, p_idx, joined, placed) if f[2].field in fields)
            continue
        for name, views in lines:
            if name in fields:
                per_field.setdefault(name, []).extend(
                    _hits(compiled, p_idx, views.contact.text, [(name, views, 0)]))
    out: list[RawFinding] = []
    for name, _ in lines:
        out.extend(_first_per_contact(per_field.get(name, [])))
    out.extend(_first_per_contact(spanning))
    return out


def _hits(compiled: CompiledRule[PatternRule], p_idx: int, text: str,
          placed: list[tuple[str, FieldViews, int]]) -> list[tuple[int, int, RawFinding]]:
    """The findings of one pattern in `text`, the contact views of `placed` fields (name, views, offset in
    `text`) joined; a hit is reported in the field where it starts, cut at that field's end."""
    rule = compiled.rule
    out: list[tuple[int, int, RawFinding]] = []
    spans = compiled.patterns[p_idx].spans(text)
    if compiled.on_line is not None:
        spans = _on_cue_lines(compiled.on_line, text, [
            (s, e) for s, e in spans if not any(w in text[s:e + 4] for w in rule.not_near)])
    for s, e in spans:
        hit = text[s:e]
        digits = sum(1 for c in hit if "0" <= c <= "9")
        stand_ins = sum(1 for c in hit if c in rule.digit_stand_ins) if rule.digit_stand_ins else 0
        if digits + stand_ins < rule.min_digits or digits > rule.max_digits:
            continue
        if rule.min_letters and sum(1 for c in hit if "a" <= c <= "z") < rule.min_letters:
            continue
        if rule.min_id_chars and sum(1 for c in hit if c.isascii() and (c.isalnum() or c == "_")) < rule.min_id_chars:
            continue
        if rule.digit_boundary and ((s > 0 and text[s - 1].isdigit()) or (e < len(text) and text[e].isdigit())):
            continue
        if rule.not_after and _after_any(text, s, rule.not_after):
            continue
        if rule.not_near and _near_any(text, s, rule.not_near):
            continue
        if rule.ordinary and (hit in rule.ordinary
                              or (digits and "".join(c for c in hit if "0" <= c <= "9") in rule.ordinary)):
            continue  # an ordinary word, or ordinary digits whatever stands between them (1、2、3…9)
        name, views, off = next(p for p in reversed(placed) if p[2] <= s)
        view = views.contact
        if compiled.not_whole is not None and compiled.not_whole.regex.search(view.text):
            continue  # the field is a name the platform generated (王兵205827048)
        s, e = s - off, min(e - off, len(view.text))
        a, z = view.span(s, e)
        flags = view.flags
        if rule.styled_share and digits and sum(
                1 for i in range(s, e) if flags[i] & Flag.NUMBER and "0" <= view.text[i] <= "9"
        ) < rule.styled_share * digits:
            continue  # digits as typed: an ordinary number
        styles = 0
        for i in range(s, e):
            styles |= flags[i]
        method: Method = "bidi" if styles & Flag.BIDI else "number_style" if styles & Flag.NUMBER else "pattern"
        out.append((a, z, RawFinding(compiled, name, (a, z), views.value[a:z], view.text[s:e], method)))
    return out


def _on_cue_lines(on_line: CompiledPattern, text: str, cues: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """The spans `on_line` finds on each line of `text` that holds one of the `cues` (hit_on_line), less those
    that overlap a cue: the cue found the line, the ID is elsewhere on it. (A cue followed by a not_near word is
    a product, qq飞车, and finds no line: the caller drops it.)"""
    seen: set[int] = set()
    for cs, _ in cues:
        start = text.rfind("\n", 0, cs) + 1
        if start in seen:
            continue
        seen.add(start)
        end = text.find("\n", cs)
        end = len(text) if end < 0 else end
        for s, e in on_line.spans(text[start:end]):
            if not any(s + start < ce and cs2 < e + start for cs2, ce in cues):
                yield s + start, e + start


def _after_any(text: str, s: int, words: list[str]) -> bool:
    """Whether text[:s], less trailing separators, ends with one of `words` (lower case, as the view is)."""
    head = text[:s].rstrip(" _-.:：·")
    return any(head.endswith(w) for w in words)


def _near_any(text: str, s: int, words: list[str]) -> bool:
    """Whether one of `words` stands in the twelve characters before text[s], on the same line."""
    head = text[max(0, s - NEAR_WINDOW):s].rpartition("\n")[2]
    return any(w in head for w in words)


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
