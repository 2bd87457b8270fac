"""The pinyin view: one token per syllable, so 果务院, 國務院 and `guowuyuan` all read `guo wu yuan`.

Chinese characters take their most common toneless reading from a table generated from pypinyin's
character dictionary (data/pinyin.tsv, tools/build_pinyin_table.py): calling pypinyin per request costs
~60 µs per 10 characters, and importing it loads phrase dictionaries worth ~55 MB per worker.
Latin letter runs are segmented into pinyin syllables (fewest stray letters, then fewest syllables); one
stray letter per ten is skipped, so `renminribaoq` still reads ren min ri bao, while a run that is mostly not
pinyin (an English word) yields no syllables, so ordinary English never matches. Terms are indexed under
every reading of their heteronyms, so the input side needs one reading per character.
Each syllable is encoded as one character from U+0400 on (two UTF-8 bytes, where a private-use character takes
three: the automaton walks a third fewer bytes), so the same Aho-Corasick machinery runs over it. The view's
text is never mixed with user text, so the block's meaning does not matter.
"""

from __future__ import annotations

import hashlib
import itertools
import marshal
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from acctcheck.normalize.chars import gb2312_lead
from acctcheck.normalize.skeleton import FILL
from acctcheck.normalize.view import View

_CODE_BASE = 0x0400
_CODE_LIMIT = 0x0800  # the last code point UTF-8 writes in two bytes, plus one
BREAK = "\x00"
MAX_SYLLABLE = 6
NOISE_EVERY = 10  # one stray letter allowed per this many letters of a run (none in a shorter run)
# Interjection readings (m, n, ng, hm…) are not syllables anyone types to spell a word.
_NOT_TYPED = frozenset({"m", "n", "ng", "hm", "hng", "r", "ê", "e\u0302"})
_SEGMENT_MEMO_LIMIT = 100_000
LATIN = 1  # flag on a pinyin-view position: the syllable was typed in Latin letters


class _CodeTable(dict[int, str]):
    """Han character -> encoded most common reading, for `str.translate`; anything else is a break."""

    def __init__(self, primary: dict[str, str]) -> None:
        super().__init__({ord(k): v for k, v in primary.items()})

    @classmethod
    def of_ordinals(cls, primary: dict[int, str]) -> _CodeTable:
        table = cls({})
        table.update(primary)
        return table

    def __missing__(self, cp: int) -> str:
        return BREAK


@dataclass(frozen=True)
class PinyinTable:
    syllable_code: dict[str, str]  # syllable -> one character (see the module docstring)
    typed: frozenset[str]  # syllables accepted when segmenting Latin
    code_table: _CodeTable  # Han char -> encoded most common reading (the input side's one), for str.translate
    _codes: dict[str, tuple[str, ...]]  # Han char -> encoded readings (all), for term keys
    _syllables: dict[str, str] = field(compare=False, repr=False)  # encoded syllable -> its letters
    # encoded keys with a boundary typed letters could read across (typed_key): a syllable starting with a
    # vowel (xi|an), or one starting with n, g or r after one ending with a vowel or n (hu|nan, pin|gan)
    _crossable: re.Pattern[str] = field(compare=False, repr=False)
    # encoded syllable -> the first code of its near-sound group (near_syllable), for str.translate: 人名 and 人民
    # (ren ming, ren min) read alike on it.
    near_table: dict[int, str] = field(default_factory=dict, compare=False, repr=False)
    # Latin run -> its segmentation: names and words recur across accounts (momo, sunny, li), and the
    # dynamic programme costs a few µs per run. Bounded like the character fold caches.
    _segments: dict[str, list[tuple[int, int]] | None] = field(default_factory=dict, compare=False, repr=False)
    _heard: dict[str, str] = field(default_factory=dict, compare=False, repr=False)  # heard(), built on first use

    @classmethod
    def build(cls) -> PinyinTable:
        """Built in every worker at start (~41k characters): from data/pinyin.tsv, or from the tables a
        previous start stored (_stored_tables: 0.11 s to parse and index the file, ~0.02 s to read back)."""
        data = resources.files("acctcheck.normalize").joinpath("data/pinyin.tsv").read_bytes()
        code, typed, primary, codes, syllables = _stored_tables(data)
        return cls(code, frozenset(typed), _CodeTable.of_ordinals(primary), codes, syllables, _crossable(code),
                   _near_table(code))

    def heard(self, syllable: str) -> str:
        """The GB 2312 characters whose most common reading is `syllable`, in code point order: every spelling a
        pack's pattern means by {heard:wei} (薇, 威, 围, 伟 … for the wei of 微信), so a cue heard through a
        character no list holds is still read. Empty for a syllable no such character reads."""
        if not self._heard:  # every syllable's characters at once: a pack names a few dozen times
            by_code: dict[str, list[str]] = {}
            for ch, cs in self._codes.items():
                if gb2312_lead(ch) >= 0xB0:
                    by_code.setdefault(cs[0], []).append(ch)
            self._heard.update((self._syllables[c], "".join(sorted(chars))) for c, chars in by_code.items())
        return self._heard.get(syllable, "")

    def term_keys(self, skeleton: str, cap: int = 8) -> list[str]:
        """Encoded syllable strings for a term skeleton, one per heteronym combination (capped).
        Empty when a character has no reading (digits, Latin): such terms are not matched by sound."""
        options, total = self._readings(skeleton)
        if not options:
            return []
        if total > cap:
            return ["".join(o[0] for o in options)]
        return ["".join(p) for p in itertools.product(*options)]

    def _readings(self, skeleton: str) -> tuple[list[tuple[str, ...]], int]:
        """Every character's encoded readings and the number of their combinations ([] if one has none)."""
        options: list[tuple[str, ...]] = []
        codes = self._codes
        total = 1
        for ch in skeleton:
            rs = codes.get(ch)
            if rs is None:
                return [], 0
            options.append(rs)
            total *= len(rs)
        return options, total

    def reading_variants(self, skeleton: str, cap: int = 8) -> list[str]:
        """For a name with more heteronym combinations than term_keys indexes (it keeps only the most common
        readings then), the keys that differ from that one in a single character's reading, at most `cap`:
        what a user who types the name in pinyin may spell (南方都市报 as nanfang dushibao: 都 is dou alone, du in
        都市). Matched as typed pinyin only: heard in Han characters they find ordinary phrases (长安棋局)."""
        options, total = self._readings(skeleton)
        if total <= cap:
            return []  # term_keys has every combination (or there is no reading at all)
        primary = [o[0] for o in options]
        keys: list[str] = []
        for i, o in enumerate(options):
            for alt in o[1:]:
                if len(keys) >= cap:
                    return keys
                keys.append("".join(primary[:i]) + alt + "".join(primary[i + 1:]))
        return keys

    def spelt(self, text: str) -> str:
        """`text` with each Chinese character written as the letters of its most common reading, other characters
        kept (交管12123 → jiaoguan12123): how a name with digits is typed in pinyin."""
        code, syllables = self.code_table, self._syllables
        return "".join(syllables[c] if (c := code[ord(ch)]) != BREAK else ch for ch in text)

    def heard_as(self, codes: str, han: str) -> bool:
        """Every syllable code in `codes` is a reading of the character of `han` (a name in its Han form, as term
        keys are read: CharFolder.han_table) at its place: an exact homophone of the name, not a near sound."""
        table = self._codes
        return len(codes) == len(han) and all(c in table.get(ch, ()) for c, ch in zip(codes, han, strict=True))

    def initials(self, han: str, cap: int = 8) -> list[str]:
        """The pinyin initials a name is abbreviated to (人民日报 → rmrb), one per heteronym reading (capped);
        empty unless every character is Chinese with a reading."""
        syllables = self._syllables
        return sorted({"".join(syllables[c][0] for c in key) for key in self.term_keys(han, cap)})

    def typed_key(self, key: str) -> str | None:
        """`key` as the segmenter reads the term typed with no breaks, when that differs: 平安 typed `pingan`
        reads pin gan, 西安 typed `xian` reads xian (fewest syllables). Indexing this reading too lets the typed
        form match; None when the typed letters read as the key itself (the usual case) or as no pinyin."""
        if len(key) < 2 or not self._crossable.search(key):
            return None  # no boundary that letters could cross (pin|gan, hu|nan, xi|an): a quarter of keys pass
        letters = "".join(self._syllables[c] for c in key)
        cuts = self._segment(letters)  # not the request-side memo: a compile would fill it
        if cuts is None:
            return None
        code = self.syllable_code
        alt = "".join(code[letters[a:b]] for a, b in cuts)
        return alt if alt != key and sum(b - a for a, b in cuts) == len(letters) else None

    def segment(self, letters: str, late: bool = False) -> list[tuple[int, int]] | None:
        """Split a lower-case Latin run into pinyin syllables (fewest wins); None if it is not pinyin. `late`: of
        equal splits, the one with longer syllables first (see _segment)."""
        memo = self._segments
        mkey = letters + "\0" if late else letters
        if mkey in memo:
            return memo[mkey]
        cuts = self._segment(letters, late)
        if len(memo) < _SEGMENT_MEMO_LIMIT:
            memo[mkey] = cuts
        return cuts

    def _segment(self, letters: str, late: bool = False) -> list[tuple[int, int]] | None:
        """Fewest stray letters, then fewest syllables. A stray letter (renminribao*q*, ren*x*minribao) yields no
        syllable and costs only itself; a run of n letters may hold n // NOISE_EVERY of them, so an
        English word, which is mostly not pinyin, still yields nothing.

        Of equal splits the earliest cuts win (henan reads he nan, jinan ji nan); with `late` the latest (pingan
        reads ping an, zhejianganjian zhe jiang an jian, where the earliest read pin gan, zhe jian gan jian): a
        letter between two vowels or after n/ng belongs to either syllable, and typed names need both readings."""
        n = len(letters)
        best: list[tuple[int, int, int] | None] = [None] * (n + 1)  # (stray letters, syllables, previous cut)
        best[0] = (0, 0, -1)
        typed = self.typed
        for i in range(n):
            cur = best[i]
            if cur is None:
                continue
            skip = (cur[0] + 1, cur[1], -2 - i)  # letter i is stray: encoded as a negative previous cut
            old = best[i + 1]
            if old is None or skip[:2] < old[:2]:
                best[i + 1] = skip
            for j in range(i + 1, min(n, i + MAX_SYLLABLE) + 1):
                if letters[i:j] in typed:
                    cand = (cur[0], cur[1] + 1, i)
                    old = best[j]
                    if old is None or cand[:2] < old[:2] or (late and cand[:2] == old[:2]):
                        best[j] = cand
        end = best[n]
        if end is None or end[0] > n // NOISE_EVERY or end[1] == 0:
            return None
        cuts: list[tuple[int, int]] = []
        j = n
        while j > 0:
            entry = best[j]
            assert entry is not None
            prev = entry[2]
            if prev <= -2:  # a stray letter at j - 1
                j = -2 - prev
                continue
            cuts.append((prev, j))
            j = prev
        cuts.reverse()
        return cuts


_LATIN_RUN = re.compile(r"[a-z]+(?:\x01+[a-z]+)*")  # letters, across gaps (FILL) between them
# where equal splits can differ (PinyinTable._segment `late`): an n or r between vowels (he nan / hen an) or ng
# before one (pin gan / ping an); letters without such a place read one way only
_TWO_WAYS = re.compile("[aeiouv]\x01*[nr]\x01*[aeiouv]|n\x01*g\x01*[aeiouv]")  # across the user's gaps (FILL)


def may_read_two_ways(letters: str) -> bool:
    """Whether typed letters may split into syllables in two equal ways (then both readings are matched)."""
    return _TWO_WAYS.search(letters) is not None


def pinyin_view(table: PinyinTable, skel: View, codes: str, marked: str, latin: bool, late: bool = False) -> View:
    """Pinyin tokens over the skeleton; flags carry LATIN where the syllable was typed in letters.
    Chinese-only text (no `latin` letter) maps one-to-one onto the skeleton (`codes`, built with it); Latin
    runs are segmented into syllables. `marked` is the skeleton with FILL where the user put separators
    (skeleton.Woven)."""
    if not latin:
        return View("pinyin", skel.original, codes,
                    lambda: (skel.starts, skel.ends, [0] * len(codes), [False] * len(codes)),
                    reordered=skel.reordered)
    s = skel.text
    pieces: list[str] = []
    ranges: list[tuple[int, int, int]] = []  # skeleton [a, b) and flag per token
    pos = 0
    for m in _LATIN_RUN.finditer(marked):
        a = m.start() - marked.count(FILL, 0, m.start())  # skeleton position of the run
        for i in range(pos, a):
            pieces.append(codes[i])
            ranges.append((i, i + 1, 0))
        for x, y, latin in _latin_tokens(table, [p for p in m.group().split(FILL) if p], a, late):
            pieces.append(table.syllable_code[s[x:y]] if latin else BREAK)
            ranges.append((x, y, LATIN if latin else 0))
            pos = y
    for i in range(pos, len(s)):
        pieces.append(codes[i])
        ranges.append((i, i + 1, 0))

    def maps() -> tuple[list[int], list[int], list[int], list[bool]]:
        st, en = skel.starts, skel.ends
        if skel.reordered:  # display order: a token's characters need not be in typed order (bidi)
            return ([min(st[a:b]) for a, b, _ in ranges], [max(en[a:b]) for a, b, _ in ranges],
                    [f for _, _, f in ranges], [False] * len(ranges))
        return ([st[a] for a, _, _ in ranges], [en[b - 1] for _, b, _ in ranges],
                [f for _, _, f in ranges], [False] * len(ranges))

    return View("pinyin", skel.original, "".join(pieces), maps, tokens=ranges, reordered=skel.reordered)


def _latin_tokens(table: PinyinTable, pieces: list[str], at: int, late: bool = False) -> list[tuple[int, int, bool]]:
    """Syllables of one Latin run, given as its pieces between the user's separators and its skeleton
    position, as skeleton ranges. The whole run is tried first (`guowuyuan`, `GuoWuYuan`, `guo_wu_yuan`); if
    it is not pinyin, each piece is tried alone (`jiaoyubu_official`); a piece that is not pinyin is one
    non-matching token."""
    whole = "".join(pieces)
    cuts = table.segment(whole, late)
    if cuts is not None:
        return [(at + a, at + b, True) for a, b in cuts]
    out: list[tuple[int, int, bool]] = []
    for piece in pieces:
        cuts = table.segment(piece, late)
        if cuts is None:
            out.append((at, at + len(piece), False))
        else:
            out.extend((at + a, at + b, True) for a, b in cuts)
        at += len(piece)
    return out


def decode(table: PinyinTable, text: str) -> str:
    """Readable form of an encoded pinyin string (for --explain)."""
    inverse = {v: k for k, v in table.syllable_code.items()}
    return " ".join(inverse.get(c, "·") for c in text)


_Tables = tuple[dict[str, str], list[str], dict[int, str], dict[str, tuple[str, ...]], dict[str, str]]


def _tables(data: bytes) -> _Tables:
    """syllable -> code, the typed syllables, code point -> primary code, character -> codes, code -> syllable."""
    rows = [line.split("\t", 1) for line in data.decode("utf-8").splitlines() if line and not line.startswith("#")]
    readings = {ch: raw.split(",") for ch, raw in rows}  # toneless readings, most common first
    ordered = sorted({r for rs in readings.values() for r in rs})
    if _CODE_BASE + len(ordered) > _CODE_LIMIT:
        raise ValueError(f"{len(ordered)} syllables do not fit two-byte codes")
    code = {s: chr(_CODE_BASE + i) for i, s in enumerate(ordered)}
    typed = [s for s in ordered if s not in _NOT_TYPED and s.isascii() and s.isalpha()]
    codes = {ch: tuple(map(code.__getitem__, rs)) for ch, rs in readings.items()}
    return code, typed, {ord(ch): cs[0] for ch, cs in codes.items()}, codes, {c: s for s, c in code.items()}


def _stored_tables(data: bytes) -> _Tables:
    """_tables(data), kept in the artifact directory (acctcheck.stored) by a digest of the file, this module and
    the Python version (marshal's format is the interpreter's)."""
    from acctcheck.stored import kept

    h = hashlib.sha256(f"{sys.version}\0".encode() + Path(__file__).read_bytes() + b"\0" + data)
    tables: _Tables = kept(".normalize", f"pinyin-{h.hexdigest()[:32]}.marshal", lambda: _tables(data),
                           dumps=marshal.dumps, loads=marshal.loads,
                           valid=lambda stored: isinstance(stored, tuple) and len(stored) == 5)
    return tables


# Sounds that many speakers do not tell apart, and that near-sound swaps (谐音) in names lean on: the flat and curled
# sibilants (z/zh, c/ch, s/sh), n and l, and the front and back nasals (in/ing, en/eng, an/ang).
_NEAR_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("l", "n"))
_NEAR_FINALS = (("iang", "ian"), ("uang", "uan"), ("ang", "an"), ("eng", "en"), ("ing", "in"))


def near_syllable(syllable: str) -> str:
    """The syllable with those distinctions dropped: zheng, zhen and zen all read zen; ming reads min."""
    for curled, flat in _NEAR_INITIALS:
        if syllable.startswith(curled):
            syllable = flat + syllable[len(curled):]
            break
    for back, front in _NEAR_FINALS:
        if syllable.endswith(back) and len(syllable) > len(back):
            return syllable[:-len(back)] + front
    return syllable


def _near_table(code: dict[str, str]) -> dict[int, str]:
    first: dict[str, str] = {}
    for syllable, c in sorted(code.items(), key=lambda item: item[1]):
        first.setdefault(near_syllable(syllable), c)
    near = {ord(c): first[near_syllable(syllable)] for syllable, c in code.items()}
    # every code point a codes string holds (the codes and BREAK) listed, the unchanged ones too: str.translate
    # then never misses, a third faster on a name than a table of the changed codes only
    return {i: near.get(i, chr(i)) for i in range(_CODE_LIMIT)}


def _crossable(code: dict[str, str]) -> re.Pattern[str]:
    def chars(pred: Callable[[str], bool]) -> str:
        return "".join(re.escape(c) for s, c in code.items() if pred(s))

    return re.compile(f"[{chars(lambda s: s[-1] in 'aeiouvn')}][{chars(lambda s: s[0] in 'ngr')}]"
                      f"|.[{chars(lambda s: s[0] in 'aoe')}]", re.S)
