"""Term occurrences in a field: skeleton hits, compose chains, pinyin (homophone / typed pinyin) hits,
allow-list suppression and Latin/digit boundaries. Returns hits in original-string coordinates."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from acctcheck.match.automaton import TermAutomaton
from acctcheck.match.fuzzy import one_edit_matches

from acctcheck.normalize.chars import Flag
from acctcheck.normalize.normalizer import FieldViews
from acctcheck.normalize.pinyin import LATIN
from acctcheck.normalize.view import View
from acctcheck.packs.snapshot import ALLOW, Snapshot, TermEntry


@dataclass(frozen=True, slots=True)
class TermHit:
    rule: int
    start: int  # original-string span
    end: int
    canonical: str
    method: str
    syllables: int
    key: str  # the view text that matched (skeleton form), for exemptions
    certainty: float | None = None  # overrides the policy's certainty for the method (one-edit matches)
    name: str = ""  # the listed name that matched (an alias such as 发改委, or the canonical name)


def _method(view: View, s: int, e: int, term_flags: tuple[int, ...]) -> str:
    diff = 0
    for i in range(s, e):
        tf = term_flags[i - s] if i - s < len(term_flags) else 0
        diff |= view.flags[i] ^ tf
    if diff & Flag.LOOKALIKE:
        return "lookalike"
    if diff & Flag.TRADITIONAL:
        return "traditional"
    if diff & Flag.NUMBER:
        return "number_style"
    if any(view.gaps[s + 1:e]):
        return "separator"
    return "exact"


def _alnum_class(ch: str) -> int:
    if "a" <= ch <= "z":
        return 1
    if "0" <= ch <= "9":
        return 2
    return 0


def _bounded(snapshot: Snapshot, view: View, s: int, e: int) -> bool:
    """A term starting/ending in a Latin letter or digit must not continue a Latin word or digit run of the
    original text ("sb" is not in "Disburse", "69" is not in "695")."""
    fold = snapshot.normalizer.folder
    orig = view.original
    first, last = _alnum_class(view.text[s]), _alnum_class(view.text[e - 1])
    if first:
        a = view.starts[s]
        if a > 0:
            prev = fold(orig[a - 1]).out
            if prev and _alnum_class(prev[-1]) == first:
                return False
    if last:
        z = view.ends[e - 1]
        if z < len(orig):
            nxt = fold(orig[z]).out
            if nxt and _alnum_class(nxt[0]) == last:
                return False
    return True


Raw = tuple[TermEntry, int, int, bool]  # entry, view start, view end, spelt with one visual edit


def _occurrences(snapshot: Snapshot, view: View, automaton: TermAutomaton[TermEntry],
                 with_fuzzy: bool) -> Iterator[tuple[tuple[TermEntry, ...], int, int, bool]]:
    for payloads, s, e in automaton.find(view.text):
        yield payloads, s, e, False
    if with_fuzzy and snapshot.half_terms.size:
        lookup = automaton.lookup
        for key, s, e in one_edit_matches(snapshot.half_terms, view.text, snapshot.normalizer.shapes):
            payloads = lookup(key)
            if payloads:
                yield payloads, s, e, True


def _in_capitals(view: View, s: int, e: int) -> bool:
    """Every cased letter the user typed in the span is a capital (after width folding: ＮＡＴＯ, НАТО)."""
    a, z = view.span(s, e)
    typed = unicodedata.normalize("NFKC", view.original[a:z])
    return not any(c.islower() for c in typed)


def _collect(snapshot: Snapshot, view: View, automaton: TermAutomaton[TermEntry],
             allowed: frozenset[int], with_fuzzy: bool) -> tuple[list[Raw], list[tuple[int, int, int]]]:
    """Raw hits for whole terms and completed compose chains, plus allow-list spans."""
    whole: list[Raw] = []
    allow: list[tuple[int, int, int]] = []
    parts: dict[tuple[int, int, int], list[tuple[TermEntry, int, bool]]] = defaultdict(list)
    firsts: list[Raw] = []
    rules = snapshot.rules
    for payloads, s, e, fuzzy in _occurrences(snapshot, view, automaton, with_fuzzy):
        for entry in payloads:
            if entry.rule not in allowed:  # allowed: the rules for this account type and field
                if entry.rule == ALLOW and not fuzzy:
                    allow.append((entry.pack, s, e))
                continue
            if entry.part < 0:
                whole.append((entry, s, e, fuzzy))
            elif entry.part == 0:
                firsts.append((entry, s, e, fuzzy))
            else:
                parts[(entry.rule, entry.part, s)].append((entry, e, fuzzy))
    for entry, s, e, fuzzy in firsts:
        n_parts = rules[entry.rule].parts
        frontier = [(e, entry.canonical, entry.name, entry.flags, entry.syllables, fuzzy)]
        for k in range(entry.covers, n_parts):
            nxt = []
            for end, canon, name, flags, syl, fz in frontier:
                for pe, pend, pfz in parts.get((entry.rule, k, end), ()):
                    if fz and pfz:
                        continue  # one visual edit per term
                    nxt.append((pend, canon + pe.canonical, name + pe.name, flags + pe.flags,
                                syl + pe.syllables, fz or pfz))
            frontier = nxt
            if not frontier:
                break
        for end, canon, name, flags, syl, fz in frontier:
            whole.append((TermEntry(entry.rule, entry.pack, -1, canon, flags, syl, name), s, end, fz))
    return whole, allow


def find_term_hits(snapshot: Snapshot, views: FieldViews, field: str, account_type: str) -> list[TermHit]:
    """All term hits of one field, allow-listed and bounded, best method per (rule, span, canonical)."""
    rules = snapshot.rules
    policy = snapshot.policy
    allowed = snapshot.rules_by_field[(account_type, field)]
    skel = views.skeleton
    if not skel.text:
        return []
    hits: dict[tuple[int, int, int, str], TermHit] = {}
    allow_spans: list[tuple[int, int, int]] = []
    entries, allow = _collect(snapshot, skel, snapshot.skeleton_terms, allowed, field in policy.one_edit_fields)
    for pack, s, e in allow:
        a, z = skel.span(s, e)
        allow_spans.append((pack, a, z))
    for entry, s, e, fuzzy in entries:
        if not _bounded(snapshot, skel, s, e):
            continue
        if entry.capitals and not _in_capitals(skel, s, e):
            continue
        a, z = skel.span(s, e)
        k = (entry.rule, a, z, entry.canonical)
        if fuzzy:
            if k not in hits:
                certainty = (policy.similar_shape_certainty if len(entry.flags) >= policy.similar_shape_min_chars
                             else policy.short_similar_shape_certainty)
                hits[k] = TermHit(entry.rule, a, z, entry.canonical, "lookalike", entry.syllables,
                                  skel.text[s:e], certainty, entry.name)
            continue
        hits[k] = TermHit(
            entry.rule, a, z, entry.canonical, _method(skel, s, e, entry.flags), entry.syllables, skel.text[s:e],
            None, entry.name,
        )
    if snapshot.pinyin_terms.size:
        pin = views.pinyin
        p_entries, _ = _collect(snapshot, pin, snapshot.pinyin_terms, allowed, False)
        for entry, s, e, _fuzzy in p_entries:
            a, z = pin.span(s, e)
            if any(h.rule == entry.rule and h.start < z and a < h.end for h in hits.values()):
                continue  # the skeleton already saw this term here
            typed = any(pin.flags[i] & LATIN for i in range(s, e))
            rule = rules[entry.rule].rule
            if typed:
                if not rule.pinyin or entry.syllables < policy.pinyin_min_syllables:
                    continue
                method = "pinyin"
            else:
                if not rule.homophone or entry.syllables < policy.homophone_min_syllables:
                    continue
                method = "homophone"
            hits.setdefault((entry.rule, a, z, entry.canonical),
                            TermHit(entry.rule, a, z, entry.canonical, method, entry.syllables, "", None,
                                    entry.name))
    if allow_spans:
        pack_of = {r.index: r.pack for r in rules}
        names = [p.name for p in snapshot.packs]
        hits = {
            k: h for k, h in hits.items()
            if not any(names[p] == pack_of[h.rule] and a < h.end and h.start < z for p, a, z in allow_spans)
        }
    return list(hits.values())
