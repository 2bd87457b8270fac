"""The pinyin view: one token per syllable, so 果务院, 國務院 and `guowuyuan` all read `guo wu yuan`.

Chinese characters take their most common toneless reading from a table built once from pypinyin's
character dictionary (calling pypinyin per request costs ~60 µs per 10 characters; the table ~5 µs).
Latin letter runs are segmented into pinyin syllables (fewest syllables wins); a run that is not entirely
pinyin (an English word) yields no syllables, so ordinary English never matches. Terms are indexed under
every reading of their heteronyms, so the input side needs one reading per character.
Each syllable is encoded as one private-use character, so the same Aho-Corasick machinery runs over it.
"""

from __future__ import annotations

import itertools
import unicodedata
from dataclasses import dataclass

from pypinyin.pinyin_dict import pinyin_dict

from acctcheck.normalize.chars import CharFolder
from acctcheck.normalize.view import View

_PUA = 0xE000
BREAK = "\x00"
MAX_SYLLABLE = 6
# Interjection readings (m, n, ng, hm…) are not syllables anyone types to spell a word.
_NOT_TYPED = frozenset({"m", "n", "ng", "hm", "hng", "r", "ê", "e\u0302"})
LATIN = 1  # flag on a pinyin-view position: the syllable was typed in Latin letters


def _toneless(reading: str) -> str:
    s = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")
    return "".join(c for c in s if unicodedata.category(c) != "Mn")


@dataclass(frozen=True)
class PinyinTable:
    readings: dict[str, tuple[str, ...]]  # Han char -> toneless readings, most common first
    syllable_code: dict[str, str]  # syllable -> one private-use character
    typed: frozenset[str]  # syllables accepted when segmenting Latin

    @classmethod
    def build(cls) -> "PinyinTable":
        readings: dict[str, tuple[str, ...]] = {}
        syllables: set[str] = set()
        for cp, raw in pinyin_dict.items():
            rs: list[str] = []
            for r in raw.split(","):
                t = _toneless(r.strip())
                if t and t not in rs:
                    rs.append(t)
            if rs:
                readings[chr(cp)] = tuple(rs)
                syllables.update(rs)
        ordered = sorted(syllables)
        code = {s: chr(_PUA + i) for i, s in enumerate(ordered)}
        typed = frozenset(s for s in ordered if s not in _NOT_TYPED and s.isascii() and s.isalpha())
        return cls(readings, code, typed)

    def term_keys(self, skeleton: str, cap: int = 16) -> list[str]:
        """Encoded syllable strings for a term skeleton, one per heteronym combination (capped).
        Empty when a character has no reading (digits, Latin): such terms are not matched by sound."""
        options: list[tuple[str, ...]] = []
        for ch in skeleton:
            rs = self.readings.get(ch)
            if rs is None:
                return []
            options.append(tuple(self.syllable_code[r] for r in rs))
        total = 1
        for o in options:
            total *= len(o)
        if total > cap:
            return ["".join(o[0] for o in options)]
        return ["".join(p) for p in itertools.product(*options)]

    def segment(self, letters: str) -> list[tuple[int, int]] | None:
        """Split a lower-case Latin run into pinyin syllables (fewest wins); None if it is not pinyin."""
        n = len(letters)
        best: list[tuple[int, int] | None] = [None] * (n + 1)  # (count, previous cut)
        best[0] = (0, -1)
        for i in range(n):
            cur = best[i]
            if cur is None:
                continue
            for j in range(i + 1, min(n, i + MAX_SYLLABLE) + 1):
                if letters[i:j] in self.typed:
                    cand = (cur[0] + 1, i)
                    old = best[j]
                    if old is None or cand[0] < old[0]:
                        best[j] = cand
        if best[n] is None:
            return None
        cuts: list[tuple[int, int]] = []
        j = n
        while j > 0:
            entry = best[j]
            assert entry is not None
            i = entry[1]
            cuts.append((i, j))
            j = i
        cuts.reverse()
        return cuts


def pinyin_view(folder: CharFolder, table: PinyinTable, skel: View) -> View:
    """Pinyin tokens over the skeleton; flags carry LATIN where the syllable was typed in letters."""
    text: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    flags: list[int] = []
    s = skel.text
    n = len(s)
    i = 0
    while i < n:
        ch = s[i]
        if "a" <= ch <= "z":
            j = i
            while j < n and "a" <= s[j] <= "z":
                j += 1
            _latin_run(table, skel, i, j, text, starts, ends, flags)
            i = j
            continue
        han = folder(skel.original[skel.starts[i]]).han if skel.ends[i] - skel.starts[i] == 1 else ""
        rs = table.readings.get(han) if han else None
        text.append(table.syllable_code[rs[0]] if rs else BREAK)
        starts.append(skel.starts[i])
        ends.append(skel.ends[i])
        flags.append(0)
        i += 1
    return View("pinyin", skel.original, "".join(text), tuple(starts), tuple(ends), tuple(flags),
                (False,) * len(text))


def _latin_run(table: PinyinTable, skel: View, i: int, j: int, text: list[str], starts: list[int],
               ends: list[int], flags: list[int]) -> None:
    """Syllables of the Latin run skel.text[i:j]. The whole run is tried first (`guowuyuan`, `GuoWuYuan`);
    if it is not pinyin, each piece between the user's separators is tried alone (`jiaoyubu_official`)."""
    s = skel.text
    pieces = [(i, j)]
    whole = table.segment(s[i:j]) if j - i <= 64 else None
    if whole is None:
        cuts_at = [k for k in range(i + 1, j) if skel.gaps[k]]
        bounds = [i, *cuts_at, j]
        pieces = list(zip(bounds, bounds[1:]))
    for a0, b0 in pieces:
        cuts = table.segment(s[a0:b0]) if b0 - a0 <= 64 else None
        if cuts is None:
            text.append(BREAK)
            starts.append(skel.starts[a0])
            ends.append(skel.ends[b0 - 1])
            flags.append(0)
            continue
        for a, b in cuts:
            text.append(table.syllable_code[s[a0 + a:a0 + b]])
            starts.append(skel.starts[a0 + a])
            ends.append(skel.ends[a0 + b - 1])
            flags.append(LATIN)


def decode(table: PinyinTable, text: str) -> str:
    """Readable form of an encoded pinyin string (for --explain)."""
    inverse = {v: k for k, v in table.syllable_code.items()}
    return " ".join(inverse.get(c, "·") for c in text)
