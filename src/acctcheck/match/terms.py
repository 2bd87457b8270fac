"""Term occurrences in a field: skeleton hits, compose chains, pinyin (homophone / typed pinyin) hits,
allow-list suppression and Latin/digit boundaries. Returns hits in original-string coordinates."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from acctcheck.match.automaton import TermAutomaton
from acctcheck.match.fuzzy import one_edit_matches
from acctcheck.normalize.chars import Flag
from acctcheck.normalize.normalizer import FieldViews
from acctcheck.normalize.pinyin import LATIN
from acctcheck.normalize.view import View
from acctcheck.packs.snapshot import ALLOW, ENTRY_CLASSES, RULE_PARTS, Snapshot, TermEntry, entry_class


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
    head: str = ""  # compose hits: the first part's canonical name (for exemptions)


def _method(view: View, s: int, e: int, term_flags: tuple[int, ...]) -> str:
    diff = 0
    for i in range(s, e):
        tf = term_flags[i - s] if i - s < len(term_flags) else 0
        diff |= view.flags[i] ^ tf
    if diff & Flag.BIDI:
        return "bidi"
    if diff & Flag.LOOKALIKE:
        return "lookalike"
    if diff & Flag.TRADITIONAL:
        return "traditional"
    if diff & Flag.NUMBER:
        return "number_style"
    if any(view.gaps[s + 1:e]):
        return "separator"
    return "exact"


def fold_method(view: View, s: int, e: int) -> str:
    """The evasion method a skeleton span shows against a term written plainly (no folded characters)."""
    return _method(view, s, e, ())


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


def _in_capitals(view: View, s: int, e: int) -> bool:
    """Every cased letter the user typed in the span is a capital (after width folding: ＮＡＴＯ, НАТО)."""
    a, z = view.span(s, e)
    typed = unicodedata.normalize("NFKC", view.original[a:z])
    return not any(c.islower() for c in typed)


def _collect(snapshot: Snapshot, view: View, automaton: TermAutomaton[TermEntry],
             allowed: frozenset[int]) -> tuple[list[Raw], list[tuple[int, int, int]]]:
    """Raw hits for whole terms and completed compose chains, plus allow-list spans; one-edit spellings too
    when the automaton carries term halves."""
    whole: list[Raw] = []
    allow: list[tuple[int, int, int]] = []
    parts: dict[tuple[int, int, int], list[tuple[TermEntry, int, bool]]] = {}
    heads: list[tuple[tuple[TermEntry, ...], int, int, bool]] = []  # compose heads, a group per occurrence
    part_starts: set[int] = set()  # where some later part begins: a head ending elsewhere starts no chain
    rules = snapshot.rules
    text = view.text
    groups = automaton.groups
    matches = automaton.matches(text)
    occurrences: list[tuple[tuple[tuple[TermEntry, ...], ...], int, int, bool]] = [
        (groups[idx], s, e, False) for idx, s, e in matches if automaton.payloads[idx]]  # () for a half only
    if automaton.halves:
        lookup = automaton.lookup
        rule_parts = snapshot.families[RULE_PARTS]
        occurrences.extend(
            (TermAutomaton.group(found, lambda x: entry_class(x, rule_parts), ENTRY_CLASSES), s, e, True)
            for key, s, e in one_edit_matches(matches, automaton.halves, text, snapshot.normalizer.shapes)
            if (found := lookup(key)))
    for (wholes, firsts, laters, complete), s, e, fuzzy in occurrences:
        for entry in wholes:
            if entry.rule in allowed:  # allowed: the rules for this account type and field
                whole.append((entry, s, e, fuzzy or entry.edited))
            elif entry.rule == ALLOW and not fuzzy:
                allow.append((entry.pack, s, e))
        for entry in laters:
            if entry.rule in allowed:
                parts.setdefault((entry.rule, entry.part, s), []).append((entry, e, fuzzy or entry.edited))
                part_starts.add(s)
        if firsts:
            heads.append((firsts, s, e, fuzzy))
        if complete:
            heads.append((complete, s, e, fuzzy))
    for entries, s, e, fuzzy in heads:
        if e not in part_starts and entries[0].covers < rules[entries[0].rule].parts:
            continue  # the usual case: a place name with no organ after it (every head of the group needs one)
        for entry in entries:
            if entry.rule not in allowed:
                continue
            _chain(rules, parts, entry, s, e, fuzzy, whole)
    return whole, allow


def _chain(rules: tuple, parts: dict[tuple[int, int, int], list[tuple[TermEntry, int, bool]]], entry: TermEntry,
           s: int, e: int, fuzzy: bool, whole: list[Raw]) -> None:
    """Complete compose chains from one head occurrence into `whole`."""
    n_parts = rules[entry.rule].parts
    if entry.covers < n_parts and (entry.rule, entry.covers, e) not in parts:
        return  # this rule's next part does not start here
    frontier = [(e, entry.canonical, entry.name, entry.flags, entry.syllables, fuzzy or entry.edited,
                 entry.typed_only, entry.edited)]
    for k in range(entry.covers, n_parts):
        nxt = []
        for end, canon, name, flags, syl, fz, typed, ed in frontier:
            for pe, pend, pfz in parts.get((entry.rule, k, end), ()):
                if fz and pfz:
                    continue  # one visual edit per term
                nxt.append((pend, canon + pe.canonical, name + pe.name, flags + pe.flags,
                            syl + pe.syllables, fz or pfz, typed or pe.typed_only, ed or pe.edited))
        frontier = nxt
        if not frontier:
            break
    for end, canon, name, flags, syl, fz, typed, ed in frontier:
        whole.append((TermEntry(entry.rule, entry.pack, -1, canon, flags, syl, name, head=entry.canonical,
                                edited=ed, typed_only=typed), s, end, fz))


def _spans_sentences(text: str, breaks: str) -> bool:
    """Sentence punctuation inside a hit, between runs of text (乌鲁木齐人，大盘鸡). One character between each
    mark (外，交，部) is someone spacing a name out, not two sentences."""
    if not any(c in breaks for c in text):
        return False
    pieces = [text]
    for mark in breaks:
        pieces = [part for piece in pieces for part in piece.split(mark)]
    return any(len(piece.strip()) > 1 for piece in pieces)


def _sound_swaps(snapshot: Snapshot, typed: str, name: str) -> int:
    """Characters of a sound-alike chain that differ from the listed name (0 when the lengths differ: a
    Latin or mixed name is not compared character by character)."""
    key = name.translate(snapshot.normalizer.folder.skeleton_table)
    if len(key) != len(typed):
        return 0
    return sum(a != b for a, b in zip(typed, key))


def find_term_hits(snapshot: Snapshot, views: FieldViews, field: str, account_type: str) -> list[TermHit]:
    """All term hits of one field, allow-listed and bounded, best method per (rule, span, canonical).

    Candidates are compared in skeleton coordinates (allow-list overlaps, a pinyin hit the skeleton already
    has); only the survivors are mapped back to the original, so a clean field never builds offset maps."""
    rules = snapshot.rules
    policy = snapshot.policy
    allowed = snapshot.rules_by_field[(account_type, field)]
    skel = views.skeleton
    if not skel.text:
        return []
    terms = snapshot.one_edit_terms if field in policy.one_edit_fields else snapshot.skeleton_terms
    entries, allow = _collect(snapshot, skel, terms, allowed)

    def allowed_out(pack: int, s: int, e: int) -> bool:
        return any(p == pack and a < e and s < b for p, a, b in allow)

    # (rule, skeleton start, end, canonical) -> (entry, method, certainty)
    found: dict[tuple[int, int, int, str], tuple[TermEntry, str, float | None]] = {}
    for entry, s, e, fuzzy in entries:
        if allow and allowed_out(entry.pack, s, e):
            continue
        if not _bounded(snapshot, skel, s, e):
            continue
        if entry.capitals and not _in_capitals(skel, s, e):
            continue
        k = (entry.rule, s, e, entry.canonical)
        if fuzzy:
            if k not in found:
                # an edit inside a two-character part (上海友布) is as weak as one in a short name
                certainty = (policy.similar_shape_certainty
                             if len(entry.flags) >= policy.similar_shape_min_chars and not entry.edited
                             else policy.short_similar_shape_certainty)
                found[k] = (entry, "lookalike", certainty)
            continue
        if entry.initials:
            found[k] = (entry, "pinyin", policy.initials_certainty)
            continue
        found[k] = (entry, _method(skel, s, e, entry.flags), None)
    if snapshot.pinyin_terms.size:
        pin = views.pinyin
        tokens = pin.tokens
        p_entries, _ = _collect(snapshot, pin, snapshot.pinyin_terms, allowed)
        for entry, ps, pe, _fuzzy in p_entries:
            if tokens is None:
                s, e, typed = ps, pe, False
            else:
                s, e = tokens[ps][0], tokens[pe - 1][1]
                typed = any(tokens[i][2] & LATIN for i in range(ps, pe))
            if any(k[0] == entry.rule and k[1] < e and s < k[2] for k in found):
                continue  # the skeleton already saw this term here
            if allow and allowed_out(entry.pack, s, e):
                continue
            rule = rules[entry.rule].rule
            if typed:
                if not rule.pinyin or entry.syllables < policy.pinyin_min_syllables:
                    continue
                method = "pinyin"
            else:
                if entry.typed_only or not rule.homophone or entry.syllables < policy.homophone_min_syllables:
                    continue
                if rules[entry.rule].parts and entry.syllables < policy.compose_homophone_min_syllables:
                    continue  # place + one-character word by sound (兰陵王 ≈ 兰陵网)
                if (rules[entry.rule].parts or entry.syllables < policy.sound_reject_min_syllables) and \
                        _sound_swaps(snapshot, skel.text[s:e], entry.name) > policy.homophone_max_swaps:
                    continue  # a composed or short name heard in an unrelated phrase (引以为鉴 ≈ 烟台卫健)
                method = "homophone"
            found.setdefault((entry.rule, s, e, entry.canonical), (entry, method, None))
    hits: list[TermHit] = []
    breaks = policy.sentence_breaks if field in policy.sentence_break_fields else ""
    for (r, s, e, canonical), (entry, method, certainty) in found.items():
        a, z = skel.span(s, e)
        if breaks and _spans_sentences(views.value[a:z], breaks):
            continue  # the skeleton joined the end of one sentence to the start of the next
        hits.append(TermHit(r, a, z, canonical, method, entry.syllables, skel.text[s:e], certainty, entry.name,
                            entry.head))
    return hits
