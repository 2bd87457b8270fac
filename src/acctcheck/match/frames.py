"""Framed spans: a head word, then a few Han characters, then an ending word, found in one automaton pass.

The words come from rule packs (kind `frame`), but this module knows only keys, roles and gap bounds: which
rule a span belongs to is the caller's business. Cost per field is one Aho-Corasick pass plus the pairs of
heads and endings that occur, so it does not grow with the number of heads (thousands of divisions)."""

from __future__ import annotations

from dataclasses import dataclass

from acctcheck.match.automaton import TermAutomaton
from acctcheck.match.fuzzy import TWO_EDIT_KEY

HEAD, TAIL, UNLESS = 0, 1, 2
FRAMES = "frames"  # Snapshot.families key: (account type, field) -> the FrameIndex of the frames read there


@dataclass(frozen=True, slots=True)
class Gap:
    """How far apart a frame's head and ending may be, and what may not stand between them."""

    min: int
    max: int
    excludes: frozenset[str]
    not_before: frozenset[str] = frozenset()


def _word(ch: str) -> bool:
    """A Han character, or a digit the skeleton folded from one (伍 of 退伍 is read as 5)."""
    return "\u3400" <= ch <= "\u9fff" or "\U00020000" <= ch <= "\U0003134f" or "0" <= ch <= "9"


class FrameIndex:
    """Every frame word of every frame rule, keyed by its folded spelling, with each key's (frame, role)."""

    def __init__(self, keys: dict[str, list[tuple[int, int, bool]]], gaps: dict[int, Gap]) -> None:
        # payload (frame, role, edited): edited = a look-alike spelling of the word (洛阳市 as 络阳市)
        self.automaton: TermAutomaton[tuple[int, int, bool]] = TermAutomaton(keys)
        self.gaps = gaps
        # the keys that end some frame: a text holding none has no framed span, and most names hold a head
        # word only (人民, 社会, a place), so they stop at this test
        self.ending_keys = frozenset(i for i, payloads in enumerate(self.automaton.payloads)
                                     if any(role == TAIL for _, role, _ in payloads))

    def spans(self, text: str) -> list[tuple[int, int, int, int, int, bool]]:
        """(frame, head start, head end, tail start, tail end, edited) of every framed span of `text`, the widest
        per ending: a head, then min..max Han characters (or digits folded from them) none of which the frame
        excludes, then an ending that no `unless` word closes and no `not_before` character follows. At most one
        of head and ending may be a look-alike spelling (`edited`)."""
        matches = self.automaton.matches(text)
        endings = self.ending_keys
        if not any(idx in endings for _, _, idx in matches):
            return []
        heads: dict[int, list[tuple[int, int, bool]]] = {}
        tails: list[tuple[int, int, int, bool]] = []
        unless: set[tuple[int, int]] = set()
        payloads_of = self.automaton.payloads
        for s, e, idx in matches:
            for frame, role, edited in payloads_of[idx]:
                if role == HEAD:
                    heads.setdefault(frame, []).append((s, e, edited))
                elif role == TAIL:
                    tails.append((frame, s, e, edited))
                else:
                    unless.add((frame, e))
        if not heads or not tails:
            return []
        out: dict[tuple[int, int], tuple[int, int, int, bool]] = {}
        for frame, ts, te, t_edited in tails:
            if (frame, te) in unless:
                continue
            gap = self.gaps[frame]
            if te < len(text) and text[te] in gap.not_before:
                continue
            for hs, he, h_edited in heads.get(frame, ()):
                if h_edited and t_edited and te - hs < TWO_EDIT_KEY:
                    continue  # one edit per short name; a long one may carry one in its head and its ending
                n = ts - he
                if gap.min <= n <= gap.max and all(_word(c) and c not in gap.excludes for c in text[he:ts]):
                    key = (frame, te)
                    if key not in out or hs < out[key][0]:
                        out[key] = (hs, he, ts, h_edited or t_edited)
        return [(frame, hs, he, ts, te, ed) for (frame, te), (hs, he, ts, ed) in out.items()]
