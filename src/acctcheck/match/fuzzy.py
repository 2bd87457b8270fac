"""Terms written with one visual edit: a similar-shape substitution (公安扃 for 公安局), a split character
(夕卜交部 for 外交部), or one Latin letter or digit slipped in (外a交部; separators are already skipped by
the skeleton, letters and digits are not).

Pigeonhole: with one edit, one half of the term matches exactly. Every term key of three or more characters
has its halves in a copy of the skeleton automaton used for the fields searched this way (one pass
finds terms and halves); each half occurrence is extended over the other half
allowing exactly one edit. Cost grows with the number of half occurrences in the field, not with the number
of terms.

Names of TWO_EDIT_KEY characters or more are also found with two similar-shape substitutions (汪西卫祝 for
江西卫视, 弟73集囝军): with two edits one third of a name of six or more matches exactly, and in a name of
four or five some two-character window does when the edits leave two neighbours intact (汪西卫祝: 西卫), so
those pieces ride in the automaton too. Such a spelling is reported as a weak one (TermEntry.edited: review).
Four characters was measured safe: on the 104k-phrase, nickname and bio corpora it flagged nothing new.

Swaps the pieces above cannot see (two in a three-character name: 毕龙冈 for 华龙网; two with no intact neighbours
in a four-character one: 先明曰报 for 光明日报; three in a name of six or more) are found on the names' look-alike
class view (`alike_keys`, `alike_matches`): each character read as the first of its group of look-alikes
(ShapeTables.classes), so a name and every spelling of it with swaps read alike, in one more automaton pass.
Each swap must still be a listed pair, and the spelling is weak (review). On the 104k-phrase and nickname
corpora it flagged nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from acctcheck.match.automaton import TermAutomaton
from acctcheck.normalize.chars import is_han
from acctcheck.normalize.shapes import ShapeTables

MIN_KEY = 3
MANY_SWAPS_KEY = 6  # a name this long may carry three look-alike swaps on the class view, a shorter one two
WINDOWED_KEY = 5  # up to this length a two-edit name is found by a two-character window, past it by a third
TWO_EDIT_KEY = 4  # characters a name needs before two edits leave enough of it (here, in chains and in frames)
# A swapped radical (ShapeTables component pairs: 院/浣, 组/阻) counts in names of this many characters. In three,
# the two intact ones are often a common word (日报) and the swapped one has a family of radicals (桂/娃/挂).
COMPONENT_KEY = 4
# A character that keeps one part of the name's character in place and changes the other (倍 for 信, 恣 for 态,
# ShapeTables.share_part) counts in names of this many characters, as a weak spelling (review): no pair list
# holds every such swap, and with the rest of a long name intact the swap is what an evader makes.
SHARED_PART_KEY = 4


@dataclass(frozen=True, slots=True)
class Half:  # slotted for the same reason as match.entries.TermEntry
    key: str  # the whole term key (skeleton form)
    left: bool  # True: this is the key's left part; the edit is to its right
    offset: int = -1  # a third of a long key (two-edit search): where it starts in the key; -1 for a half

    def __reduce__(self) -> tuple[type[Half], tuple[str, bool, int]]:
        return Half, (self.key, self.left, self.offset)  # positionally, as match.entries.TermEntry


@dataclass(frozen=True, slots=True)
class Windows:
    """The two-character windows of short keys that one text piece is (two-edit search), grouped by what the
    text must hold next to it: `by_char[rel][ch]` are the Halves whose key has, `rel` characters from the
    window's start, a character `ch` looks like. A common window (人民, 发布) is a window of hundreds of
    keys; this way an occurrence costs one lookup per position instead of a test per key."""

    by_char: dict[int, dict[str, tuple[Half, ...]]]

    def __reduce__(self) -> tuple[type[Windows], tuple[dict[int, dict[str, tuple[Half, ...]]]]]:
        return Windows, (self.by_char,)

    def candidates(self, text: str, s: int) -> list[Half]:
        out: list[Half] = []
        n = len(text)
        for rel, table in self.by_char.items():
            q = s + rel
            if 0 <= q < n and (found := table.get(text[q])):
                out.extend(found)
        return out


def half_entries(keys: list[str], shapes: ShapeTables) -> dict[str, list[Half | Windows]]:
    """Halves of every Han term key of at least MIN_KEY characters. Halves shorter than two characters are
    not indexed (they would occur everywhere); for 3-character keys the two 2-character ends are used.
    The two-character windows of keys of TWO_EDIT_KEY to WINDOWED_KEY characters are grouped per piece in
    one Windows entry, keyed by the look-alikes the text must hold next to the window."""
    out: dict[str, list[Half | Windows]] = {}
    windows: dict[str, dict[int, dict[str, list[Half]]]] = {}
    for key in keys:
        n = len(key)
        if n < MIN_KEY or sum(1 for c in key if is_han(c)) < MIN_KEY:
            continue
        cut = (n + 1) // 2
        left, right = key[:cut], key[cut:]
        if len(right) < 2:
            right = key[n - 2:]
        out.setdefault(left, []).append(Half(key, True))
        out.setdefault(right, []).append(Half(key, False))
        if n >= TWO_EDIT_KEY and sum(1 for c in key if is_han(c)) >= TWO_EDIT_KEY - 1:
            if n <= WINDOWED_KEY:
                for i in range(n - 1):
                    outside = [j for j in range(n) if not i <= j < i + 2]
                    # component swaps (院/浣) are left out here: they would multiply the windows and their
                    # tables for every name (measured: ~1 µs a request), and two of them in a short name are rare
                    if sum(1 for j in outside if key[j] in shapes.near) < 2:
                        continue  # two substitutions need two characters with look-alikes outside the window
                    # all outside characters but at most one are swapped, so one of the first len(outside) - 1
                    # is: the Half is filed under each of them, by the look-alikes the text must hold there
                    table = windows.setdefault(key[i:i + 2], {})
                    for j in outside[:-1]:
                        for alike in shapes.near.get(key[j], ()):
                            table.setdefault(j - i, {}).setdefault(alike, []).append(Half(key, False, i))
                continue
            a, b = n // 3, 2 * n // 3
            for offset, piece in ((0, key[:a]), (a, key[a:b]), (b, key[b:])):
                out.setdefault(piece, []).append(Half(key, False, offset))
    for piece, by_rel in windows.items():
        out.setdefault(piece, []).append(Windows({rel: {ch: tuple(hs) for ch, hs in t.items()}
                                                  for rel, t in by_rel.items()}))
    return out


def _one_edit_forward(text: str, p: int, tail: str, shapes: ShapeTables, wide: bool,
                      part: bool = False) -> tuple[int, int] | None:
    """(end, edits) if text[p:] spells `tail` with exactly one edit, else None. With `part` a character that only
    shares a part with the tail's (ShapeTables.share_part) is the edit too, reported as weak (edits 2)."""
    if len(tail) > 1 and text[p:p + 1] != tail[0]:
        # The edit is at p, so the text resumes the tail one (substitution, slipped letter) or two (split)
        # characters later. Most half occurrences fail this test: it costs three slices, not table lookups.
        if text[p + 1:p + 2] not in (tail[1], tail[0]) and text[p + 2:p + 3] != tail[1]:
            return None
    n = len(text)
    for i, want in enumerate(tail):
        q = p + i
        if q < n and text[q] == want:
            continue
        rest = tail[i + 1:]
        # a substitution needs the rest intact after it: that one C call settles most candidates before any lookup
        swapped = q < n and text.startswith(rest, q + 1)
        if swapped and shapes.alike(text[q], want, wide):
            return q + 1 + len(rest), 1
        if q + 1 < n and shapes.splits.get(text[q:q + 2]) == want and text.startswith(rest, q + 2):
            return q + 2 + len(rest), 1
        if q < n and _slipped(text[q]) and text.startswith(tail[i:], q + 1):
            return q + 1 + len(tail) - i, 1
        if part and swapped and shapes.share_part(text[q], want):
            return q + 1 + len(rest), 2
        return None
    return None  # no edit: the exact automaton already has it


def _one_edit_backward(text: str, e: int, head: str, shapes: ShapeTables, wide: bool,
                       part: bool = False) -> tuple[int, int] | None:
    """(start, edits) if text[:e] ends with `head` spelt with exactly one edit, else None (`part`: as
    _one_edit_forward)."""
    if len(head) > 1 and e >= 1 and text[e - 1] != head[-1]:
        # mirror of the test in _one_edit_forward: the edit is at e-1
        if (e < 2 or text[e - 2] not in (head[-2], head[-1])) and (e < 3 or text[e - 3] != head[-2]):
            return None
    for i in range(len(head) - 1, -1, -1):
        want = head[i]
        q = e - (len(head) - i)
        if q >= 0 and text[q] == want:
            continue
        rest = head[:i]
        swapped = q >= 0 and text.endswith(rest, 0, q)  # as in _one_edit_forward: the rest intact first
        if swapped and shapes.alike(text[q], want, wide):
            return q - len(rest), 1
        if q - 1 >= 0 and shapes.splits.get(text[q - 1:q + 1]) == want and text[:q - 1].endswith(rest):
            return q - 1 - len(rest), 1
        if q >= 0 and _slipped(text[q]) and text[:q].endswith(head[: i + 1]):
            return q - (i + 1), 1
        if part and swapped and shapes.share_part(text[q], want):
            return q - len(rest), 2
        return None
    return None


def _slipped(ch: str) -> bool:
    """A character users slip between the characters of a name to break exact matching."""
    return ch.isascii() and ch.isalnum()


def one_edit_matches(matches: list[tuple[int, int, int]], halves: list[tuple[Half | Windows, ...]], text: str,
                     shapes: ShapeTables) -> list[tuple[str, int, int, int]]:
    """(term key, start, end, edits) in view coordinates for every term spelt with exactly one visual edit (or,
    for a long name found by a third, two substitutions), from the automaton occurrences of `text`
    (`halves[idx]`: the Half payloads of key idx, see TermAutomaton)."""
    out: list[tuple[str, int, int, int]] = []
    n = len(text)
    for s, e, idx in matches:
        for half in halves[idx]:
            if isinstance(half, Windows) or half.offset >= 0:  # a piece of the two-edit search
                for h in half.candidates(text, s) if isinstance(half, Windows) else (half,):
                    hit2 = _two_substitutions(text, s - h.offset, h.key, shapes)
                    if hit2 is not None and hit2 not in out:
                        out.append(hit2)
                continue
            key = half.key
            # every edit keeps the length or adds a character: the rest of the key must fit in the text
            need = len(key) - (e - s)
            if (e + need > n) if half.left else (s < need):
                continue
            # a shared-part swap is weak (edits 2), as two substitutions are
            wide, part = len(key) >= COMPONENT_KEY, len(key) >= SHARED_PART_KEY
            if half.left:
                found = _one_edit_forward(text, e, key[e - s:], shapes, wide, part)
                hit = (key, s, found[0], found[1]) if found is not None else None
            else:
                found = _one_edit_backward(text, s, key[: len(key) - (e - s)], shapes, wide, part)
                hit = (key, found[0], e, found[1]) if found is not None and found[0] >= 0 else None
            if hit is not None and hit not in out:
                out.append(hit)
    return out


def _two_substitutions(text: str, start: int, key: str, shapes: ShapeTables) -> tuple[str, int, int, int] | None:
    """(key, start, end, 2) if text[start:] spells `key` with exactly two characters swapped for similar shapes
    (one swap is the halves' business), else None."""
    end = start + len(key)
    if start < 0 or end > len(text):
        return None
    diffs = 0
    for a, b in zip(text[start:end], key, strict=True):
        if a != b:
            diffs += 1
            if diffs > 2 or not shapes.alike(a, b):
                return None
    return (key, start, end, 2) if diffs == 2 else None


def alike_keys(keys: list[str], shapes: ShapeTables) -> dict[str, list[str]]:
    """The Han term keys of MIN_KEY characters or more by their look-alike class reading: what the class view's
    automaton is built from (key -> the term keys that read so)."""
    out: dict[str, list[str]] = {}
    for key in keys:
        if len(key) >= MIN_KEY and all(is_han(c) for c in key):
            out.setdefault(key.translate(shapes.classes), []).append(key)
    return out


def alike_matches(automaton: TermAutomaton[str], text: str, shapes: ShapeTables) -> list[tuple[str, int, int, int]]:
    """(term key, start, end, swaps) for every term spelt with two swaps or more (three for a name of
    MANY_SWAPS_KEY characters) each of a listed look-alike pair: one pass over `text` read by look-alike class."""
    classed = text.translate(shapes.classes)
    if classed == text:
        return []  # no character with a look-alike: a name here is written as listed, or not at all
    out: list[tuple[str, int, int, int]] = []
    for s, e, idx in automaton.matches(classed):
        typed = text[s:e]
        for key in automaton.payloads[idx]:
            swaps = sum(a != b for a, b in zip(typed, key, strict=True))
            if 2 <= swaps <= (3 if len(key) >= MANY_SWAPS_KEY else 2) and all(
                    a == b or shapes.alike(a, b) for a, b in zip(typed, key, strict=True)):
                out.append((key, s, e, swaps))
    return out
