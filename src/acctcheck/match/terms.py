"""Term occurrences in a view: whole terms, completed compose chains and allow-list spans from one automaton
pass (plus one-edit spellings when the automaton carries term halves), and the facts about an occurrence
that checks weigh: how it was spelt, whether it continues a Latin word, whether it was typed in capitals.

Matching knows entries and their compose parts, never what a rule means: which owners to report is passed
in, and every option and threshold is applied by the checks (checks/term_hits.py)."""

from __future__ import annotations

import dataclasses
import unicodedata
from typing import Literal

from acctcheck.match.automaton import TermAutomaton
from acctcheck.match.entries import ALLOW, ENTRY_CLASSES, TermEntry, entry_class
from acctcheck.match.fuzzy import TWO_EDIT_KEY, alike_matches, one_edit_matches
from acctcheck.normalize.chars import CharFolder, Flag
from acctcheck.normalize.shapes import ShapeTables
from acctcheck.normalize.view import View

MIN_EDITED_CHAIN = 4  # a composed name spelt with a visual edit needs this many characters
Occurrence = tuple[TermEntry, int, int, bool]  # entry, view start, view end, spelt with one visual edit
AllowSpan = tuple[int, int, int]  # pack, view start, view end of an allow-list occurrence
_Group = tuple[tuple[TermEntry, ...], ...]


Spelling = Literal["exact", "traditional", "lookalike", "separator", "number_style", "bidi"]  # of contract.Method


def spelling(view: View, s: int, e: int, term_flags: tuple[int, ...]) -> Spelling:
    """How view.text[s:e] differs from the term as listed: the method a finding reports."""
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


def alnum_class(ch: str) -> int:
    if "a" <= ch <= "z":
        return 1
    if "0" <= ch <= "9":
        return 2
    return 0


def bounded(fold: CharFolder, view: View, s: int, e: int) -> bool:
    """A term starting/ending in a Latin letter or digit must not continue a Latin word or digit run of the
    original text ("sb" is not in "Disburse", "69" is not in "695")."""
    orig = view.original
    first, last = alnum_class(view.text[s]), alnum_class(view.text[e - 1])
    if first:
        a = view.starts[s]
        if a > 0:
            prev = fold(orig[a - 1]).out
            if prev and alnum_class(prev[-1]) == first:
                return False
    if last:
        z = view.ends[e - 1]
        if z < len(orig):
            nxt = fold(orig[z]).out
            if nxt and alnum_class(nxt[0]) == last:
                return False
    return True


def in_capitals(view: View, s: int, e: int, flags: tuple[int, ...] = ()) -> bool:
    """Every cased letter the user typed in the span is a capital (after width folding: ＮＡＴＯ, НАТО), but at
    the positions `flags` (the key's, from s) mark as look-alikes: the l of UNlCEF stands for a capital I."""
    if not any(f & Flag.LOOKALIKE for f in flags):
        a, z = view.span(s, e)
        return not any(c.islower() for c in unicodedata.normalize("NFKC", view.original[a:z]))
    for i in range(s, e):
        if not flags[i - s] & Flag.LOOKALIKE:
            a, z = view.span(i, i + 1)
            if any(c.islower() for c in unicodedata.normalize("NFKC", view.original[a:z])):
                return False
    return True


def collect(text: str, automaton: TermAutomaton[TermEntry], owners: frozenset[int], rule_parts: tuple[int, ...],
            shapes: ShapeTables, alike: TermAutomaton[str] | None = None) -> tuple[list[Occurrence], list[AllowSpan]]:
    """Occurrences in a view's `text` of whole terms and completed compose chains of `owners` (rule indices),
    plus allow-list spans; one-edit spellings too when the automaton carries term halves, and spellings with
    more look-alike swaps from the `alike` class view (match/fuzzy.py). `rule_parts[i]`: rule i's number of
    compose parts (0 for a whole-term rule)."""
    whole: list[Occurrence] = []
    allow: list[AllowSpan] = []
    matches = automaton.matches(text)
    swapped = alike_matches(alike, text, shapes) if alike is not None and alike.size else []
    if not matches and not swapped:
        return whole, allow
    groups = automaton.groups
    payloads = automaton.payloads
    occurrences: list[tuple[_Group, int, int, bool]] = [
        (groups[idx], s, e, False) for s, e, idx in matches if payloads[idx]]  # () for a half only
    if automaton.halves:
        edited = [(TermAutomaton.group(found if edits == 1 else _weak(found),
                                       lambda x: entry_class(x, rule_parts), ENTRY_CLASSES), s, e, True)
                  for key, s, e, edits in one_edit_matches(matches, automaton.halves, text, shapes) + swapped
                  # a weak spelling (two swaps, a shared part) of one name that is another listed name (湖南卫视 is
                  # 海南卫视 with 氵 kept) is that name, read exactly
                  if (found := automaton.lookup(key)) and not (edits > 1 and automaton.lookup(text[s:e]))]
        if edited:
            occurrences += edited
            occurrences.sort(key=_end)  # the chain pass below reads occurrences in end order, as matched
    parts: dict[tuple[int, int, int], list[tuple[TermEntry, int, bool]]] = {}
    heads: list[tuple[tuple[TermEntry, ...], int, int, bool]] = []  # compose heads, a group per occurrence
    # Where a head or a kept part ends: a later part starting anywhere else can join no chain, so it is not
    # kept. Parts end after they start, so in end order every chain's earlier pieces are seen first. Most
    # occurrences of a clean field are one-character parts heard by sound (局, 委) that follow nothing.
    reach: set[int] = set()
    completes = False  # a head that covers every part (美驻华使馆) completes a chain by itself
    part_starts: set[int] = set()  # where a kept part begins: a head ending elsewhere starts no chain
    for (wholes, firsts, laters, complete), s, e, fuzzy in occurrences:
        if wholes:
            for entry in wholes:
                if entry.rule in owners:  # the rules for this account type and field
                    whole.append((entry, s, e, fuzzy or entry.edited))
                elif entry.rule == ALLOW and not fuzzy:
                    allow.append((entry.pack, s, e))
        if laters and s in reach:
            for entry in laters:
                if entry.rule in owners:
                    parts.setdefault((entry.rule, entry.part, s), []).append((entry, e, fuzzy or entry.edited))
                    part_starts.add(s)
                    reach.add(e)
        if firsts:
            heads.append((firsts, s, e, fuzzy))
            reach.add(e)
        if complete:
            heads.append((complete, s, e, fuzzy))
            completes = True
    if not parts and not completes:
        return whole, allow  # the usual case: place names with no organ after them, so no chain to complete
    for entries, s, e, fuzzy in heads:
        if e not in part_starts and entries[0].covers < rule_parts[entries[0].rule]:
            continue  # the usual case: a place name with no organ after it (every head of the group needs one)
        for entry in entries:
            if entry.rule not in owners:
                continue
            _chain(rule_parts, parts, entry, s, e, fuzzy, whole)
    return whole, allow


def _weak(entries: tuple[TermEntry, ...]) -> tuple[TermEntry, ...]:
    """Entries spelt with two substitutions: as weak as a short key's one edit (TermEntry.edited)."""
    return tuple(dataclasses.replace(x, edited=True) for x in entries)


def _end(occurrence: tuple[_Group, int, int, bool]) -> int:
    return occurrence[2]


def _chain(rule_parts: tuple[int, ...], parts: dict[tuple[int, int, int], list[tuple[TermEntry, int, bool]]],
           entry: TermEntry, s: int, e: int, fuzzy: bool, whole: list[Occurrence]) -> None:
    """Complete compose chains from one head occurrence into `whole`."""
    n_parts = rule_parts[entry.rule]
    if entry.covers < n_parts and (entry.rule, entry.covers, e) not in parts:
        return  # this rule's next part does not start here
    frontier = [(e, entry.canonical, entry.name, entry.flags, entry.syllables, fuzzy or entry.edited,
                 entry.typed_only, entry.edited, entry.initials)]
    for k in range(entry.covers, n_parts):
        nxt = []
        for end, canon, name, flags, syl, fz, typed, ed, ini in frontier:
            for pe, pend, pfz in parts.get((entry.rule, k, end), ()):
                if fz and pfz and pend - s < TWO_EDIT_KEY:
                    continue  # one visual edit per short name
                if (fz or pfz) and pend - s < MIN_EDITED_CHAIN:
                    continue  # an edit in a three-character chain (长日报 for 长白 + 报) is too little to go on
                # an edit in each of two parts (石冢庄公妥) is as weak as a short key's one edit
                nxt.append((pend, canon + pe.canonical, name + pe.name, flags + pe.flags,
                            syl + pe.syllables, fz or pfz, typed or pe.typed_only,
                            ed or pe.edited or (fz and pfz), ini or pe.initials))
        frontier = nxt
        if not frontier:
            break
    for end, canon, name, flags, syl, fz, typed, ed, ini in frontier:
        whole.append((TermEntry(entry.rule, entry.pack, -1, canon, flags, syl, name, head=entry.canonical,
                                edited=ed, typed_only=typed, initials=ini), s, end, fz))


def spans_sentences(text: str, breaks: str) -> bool:
    """Sentence punctuation inside a hit, between runs of text (乌鲁木齐人，大盘鸡). One character between each
    mark (外，交，部) is someone spacing a name out, not two sentences."""
    if not any(c in breaks for c in text):
        return False
    pieces = [text]
    for mark in breaks:
        pieces = [part for piece in pieces for part in piece.split(mark)]
    return any(len(piece.strip()) > 1 for piece in pieces)


def sound_swaps(fold: CharFolder, typed: str, name: str) -> int:
    """Characters of a sound-alike chain that differ from the listed name (0 when the lengths differ: a
    Latin or mixed name is not compared character by character)."""
    key = fold.fold_text(name)
    if len(key) != len(typed):
        return 0
    return sum(a != b for a, b in zip(typed, key, strict=True))
