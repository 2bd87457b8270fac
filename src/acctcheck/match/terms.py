"""Term occurrences in a field: skeleton hits, compose chains, pinyin (homophone / typed pinyin) hits,
allow-list suppression and Latin/digit boundaries. Returns hits in original-string coordinates."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

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


def _collect(snapshot: Snapshot, view: View, automaton, field: str, allowed: set[int] | None,
             chains: bool) -> tuple[list[tuple[TermEntry, int, int]], list[tuple[int, int, int]]]:
    """Raw (entry, view start, view end) for whole terms and completed compose chains, plus allow spans."""
    whole: list[tuple[TermEntry, int, int]] = []
    allow: list[tuple[int, int, int]] = []
    parts: dict[tuple[int, int, int], list[tuple[TermEntry, int]]] = defaultdict(list)
    firsts: list[tuple[TermEntry, int, int]] = []
    rules = snapshot.rules
    for payloads, s, e in automaton.find(view.text):
        for entry in payloads:
            if entry.rule == ALLOW:
                allow.append((entry.pack, s, e))
                continue
            if allowed is not None and entry.rule not in allowed:
                continue
            if field not in rules[entry.rule].rule.fields:
                continue
            if entry.part < 0:
                whole.append((entry, s, e))
            elif chains:
                if entry.part == 0:
                    firsts.append((entry, s, e))
                else:
                    parts[(entry.rule, entry.part, s)].append((entry, e))
    for entry, s, e in firsts:
        n_parts = rules[entry.rule].parts
        frontier = [(e, entry.canonical, entry.flags, entry.syllables)]
        for k in range(1, n_parts):
            nxt = []
            for end, canon, flags, syl in frontier:
                for pe, pend in parts.get((entry.rule, k, end), ()):
                    nxt.append((pend, canon + pe.canonical, flags + pe.flags, syl + pe.syllables))
            frontier = nxt
            if not frontier:
                break
        for end, canon, flags, syl in frontier:
            whole.append((TermEntry(entry.rule, entry.pack, -1, canon, flags, syl), s, end))
    return whole, allow


def find_term_hits(snapshot: Snapshot, views: FieldViews, field: str, account_type: str) -> list[TermHit]:
    """All term hits of one field, allow-listed and bounded, best method per (rule, span, canonical)."""
    rules = snapshot.rules
    policy = snapshot.policy
    allowed = {r.index for r in rules if account_type in r.rule.account_types}
    skel = views.skeleton
    if not skel.text:
        return []
    hits: dict[tuple[int, int, int, str], TermHit] = {}
    allow_spans: list[tuple[int, int, int]] = []
    entries, allow = _collect(snapshot, skel, snapshot.skeleton_terms, field, allowed, True)
    for pack, s, e in allow:
        a, z = skel.span(s, e)
        allow_spans.append((pack, a, z))
    for entry, s, e in entries:
        if not _bounded(snapshot, skel, s, e):
            continue
        a, z = skel.span(s, e)
        hits[(entry.rule, a, z, entry.canonical)] = TermHit(
            entry.rule, a, z, entry.canonical, _method(skel, s, e, entry.flags), entry.syllables, skel.text[s:e]
        )
    if snapshot.pinyin_terms.size:
        pin = views.pinyin
        p_entries, _ = _collect(snapshot, pin, snapshot.pinyin_terms, field, allowed, True)
        for entry, s, e in p_entries:
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
                            TermHit(entry.rule, a, z, entry.canonical, method, entry.syllables, ""))
    if allow_spans:
        pack_of = {r.index: r.pack for r in rules}
        names = [p.name for p in snapshot.packs]
        hits = {
            k: h for k, h in hits.items()
            if not any(names[p] == pack_of[h.rule] and a < h.end and h.start < z for p, a, z in allow_spans)
        }
    return list(hits.values())
