"""Per-character folding shared by every view, computed once per distinct character and cached.

The order is fixed and documented in docs/normalisation.md: NFKC → casefold → Latin diacritics →
traditional→simplified (OpenCC's character table) → look-alike/variant table → number styles.
Every step that changes a character sets a flag, so a match can report *which* evasion it saw through.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from enum import IntFlag
from importlib import resources
from typing import NamedTuple

import opencc


class Flag(IntFlag):
    NONE = 0
    TRADITIONAL = 1
    LOOKALIKE = 2
    NUMBER = 4
    BIDI = 8  # shown right to left by a bidi control (set by the views of a reordered field, normalize/bidi.py)

    def names(self) -> list[str]:
        return [name.lower() for name, f in Flag.__members__.items() if f and f in self]


class Kind:
    KEEP = 0  # a character that matters (letter, digit, Han)
    SEPARATOR = 1  # punctuation, symbols, emoji, spaces: skipped by the skeleton, kept by the contact view
    INVISIBLE = 2  # format/control characters, combining marks: removed from every view


class Folded(NamedTuple):
    out: str  # skeleton text for KEEP; the NFKC form for SEPARATOR; "" for INVISIBLE
    flags: int
    kind: int
    han: str  # the folded Han character before number folding ("" if not one Han character), for pinyin


# Chinese numerals used to write digits (phone numbers in 一三八…, 壹叁捌…, 幺 for 1 as read aloud).
CHINESE_DIGITS: dict[str, str] = {
    **{c: str(i) for i, c in enumerate("〇一二三四五六七八九")},
    **{c: str(i) for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")},
    "幺": "1",
}
# Roman numerals one to nine written for digits (手机 ⅠⅢⅧⅡⅡ…, QQ ⅸⅸⅰⅶ…): NFKC spells them as letters (Ⅷ is VIII), so
# a number so written would be read as letters. Ⅴ and ⅴ are left to NFKC: they stand for the letter v (ⅴx) as often.
ROMAN_DIGITS: dict[str, str] = {
    **{chr(0x2160 + i): str(i + 1) for i in range(9) if i != 4},
    **{chr(0x2170 + i): str(i + 1) for i in range(9) if i != 4},
}
# Characters that are letters to Unicode but used as separators or decoration between Han characters.
EXTRA_SEPARATORS = frozenset("丨丶丿乀乁〆〻ᅟᅠㅤﾠ⠀")
# Those in the Han block as the contact view writes them: its patterns take the Han block for words, and 1丶6丶8 or
# abc丶com is punctuation. 丨 is left as it is: the patterns read it as 1 or as a bar (DIGITISH in contact.yaml).
STROKE_MARKS = {"丶": ".", "丿": "/", "乀": "\\", "乁": "\\"}
INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Mn", "Me", "Cs", "Co", "Cn"})
SEPARATOR_PREFIXES = ("Z", "P", "S")
_CACHE_LIMIT = 400_000


def is_han(ch: str) -> bool:
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x323AF or 0xF900 <= o <= 0xFAFF
        or o == 0x3007
    )


def _load_lookalikes() -> dict[str, str]:
    table: dict[str, str] = {}
    path = resources.files("acctcheck.normalize").joinpath("data/lookalikes.tsv")
    if not path.is_file():
        return table
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) >= 2 and len(cols[0]) == 1 and len(cols[1]) == 1:
            table[cols[0]] = cols[1]
    return table


class CharTable(dict[int, str]):
    """A `str.translate` table filled on first sight of each code point (bounded)."""

    def __init__(self, folder: CharFolder, pick: Callable[[Folded], str]) -> None:
        super().__init__()
        self._folder = folder
        self._pick = pick

    def __missing__(self, cp: int) -> str:
        value = self._pick(self._folder(chr(cp)))
        if len(self) < _CACHE_LIMIT:
            self[cp] = value
        return value


def _skeleton_piece(f: Folded) -> str:
    return f.out if f.kind == Kind.KEEP else ""


def _han_piece(f: Folded) -> str:
    if f.kind != Kind.KEEP:
        return ""
    return f.han if f.han else "\0" * len(f.out)


class CharFolder:
    """Folds one character at a time; results are cached per character (bounded). Also offers the folds as
    `str.translate` tables, which build a whole view's text at C speed."""

    def __init__(self) -> None:
        self._t2s = opencc.OpenCC("t2s")
        self.lookalikes = _load_lookalikes()
        self._cache: dict[str, Folded] = {}
        self.skeleton_table = CharTable(self, _skeleton_piece)
        self.han_table = CharTable(self, _han_piece)

    def __call__(self, ch: str) -> Folded:
        hit = self._cache.get(ch)
        if hit is None:
            hit = self._fold(ch)
            if len(self._cache) < _CACHE_LIMIT:
                self._cache[ch] = hit
        return hit

    def fold_text(self, text: str) -> str:
        """Skeleton of a whole string without offsets (for terms and registered names): the same text as the
        skeleton view's, number runs included (digit_runs)."""
        text = text.translate(self.skeleton_table)
        return digit_runs(text, radio=True, least=DIGIT_RUN)[0] if DIGIT.search(text) else text

    def _fold(self, ch: str) -> Folded:
        cat = unicodedata.category(ch)
        if cat in INVISIBLE_CATEGORIES or ch in "ᅟᅠㅤﾠ⠀\u180e":
            return Folded("", 0, Kind.INVISIBLE, "")
        if (roman := ROMAN_DIGITS.get(ch)) is not None:
            return Folded(roman, Flag.NUMBER, Kind.KEEP, "")
        flags = 0
        nfkc = unicodedata.normalize("NFKC", ch)
        if nfkc != ch and not _width_or_case_only(ch):
            # circled/parenthesised digits are a number style; circled or math-styled letters a letter style
            flags |= Flag.NUMBER if any(c.isdigit() for c in nfkc) else Flag.LOOKALIKE
        out: list[str] = []
        han = ""
        kind = Kind.SEPARATOR
        pre = self.lookalikes.get(nfkc)
        if pre is not None and pre.isascii():
            nfkc = pre.upper() if nfkc.isupper() else pre  # upper-case Cyrillic/Greek look-alikes (Т, Н, Α)
            flags |= Flag.LOOKALIKE
        for c in nfkc.casefold():
            c_cat = unicodedata.category(c)
            if c_cat in INVISIBLE_CATEGORIES:
                continue
            if (c_cat[0] in SEPARATOR_PREFIXES or c in EXTRA_SEPARATORS) and c not in self.lookalikes:
                continue  # look-alike symbols (CJK radicals ⺠, strokes) stand for letters, not separators
            kind = Kind.KEEP
            c, f = self._fold_letter(c)
            flags |= f
            if is_han(c):
                han = c
            digit = CHINESE_DIGITS.get(c)
            if digit is None and not c.isascii():
                d = unicodedata.digit(c, None)
                if d is None and any(w in unicodedata.name(c, "") for w in ("DIGIT", "NUMBER")):
                    # 🄋 🄌: a digit's value, no digit property; ❿ ➉ ⓾ ⓫…⓴: an enclosed number NFKC leaves alone
                    v = unicodedata.numeric(c, -1)
                    d = int(v) if v == int(v) and 0 <= v <= 50 else None
                digit = None if d is None else str(d)
            if digit is not None:
                c = digit
                flags |= Flag.NUMBER
            out.append(c)
        if kind == Kind.SEPARATOR:  # strokes in the Han block used as marks read as marks (1丶6丶8 is 1.6.8)
            return Folded(STROKE_MARKS.get(nfkc, nfkc), 0, Kind.SEPARATOR, "")
        if len(out) != 1:
            han = ""
        return Folded("".join(out), flags, Kind.KEEP, han)

    def _fold_letter(self, c: str) -> tuple[str, int]:
        flags = 0
        if c.isascii():
            return c, 0
        if c in "üǖǘǚǜ":
            return "v", 0  # pinyin ü, typed as v
        base = unicodedata.normalize("NFD", c)[0]
        if base != c and base.isascii() and base.isalpha():
            return base, Flag.LOOKALIKE
        s = self._t2s.convert(c)
        if len(s) == 1 and s != c:
            again = self._t2s.convert(s)  # OpenCC is not always a fixed point (薴→苧→苎): fold to the end
            c = again if len(again) == 1 else s
            flags |= Flag.TRADITIONAL
        look = self.lookalikes.get(c)
        if look is not None and look != c:
            c = look
            flags |= Flag.LOOKALIKE
        return c, flags


def _width_or_case_only(ch: str) -> bool:
    decomp = unicodedata.decomposition(ch)
    return decomp.startswith("<wide>") or decomp.startswith("<narrow>")


# Letters that stand for digits inside a number (杭州I2345, 12З45 with a Cyrillic Ze, 1Z3O9, l52l5O9O6l4): in
# the lower-cased views o i l z s з ч б. They are read as digits only inside a run of digit-like characters
# (DIGIT_RUN or more, at least DIGIT_REAL of them digits already, and no fewer real digits than half the run)
# that touches no other Latin or Cyrillic letter: in kyl2345 or vip0809 the letters belong to a word.
# Also the letters and signs spam accounts use for digits (2T71346lZ, 口口9б丨B2О89⁊, ȣZ40з34B8О, I7Ʒ58171903): b 8,
# g ɡ 9, t 7, a 4, ʒ 3, ƽ 5, ȣ 8, ᘔ 2, ⁊ ㄱ 7, and the strokes 丨 | for 1 where the view keeps them.
DIGIT_ALIKES = "oilzsзчб" + "bgɡtaʒƽȣᘔ⁊ㄱ丨|"
RADIO_DIGITS = str.maketrans("洞两拐勾", "0279")  # radio speech: 洞 0, 两 2, 拐 7, 勾 9 (幺 is CHINESE_DIGITS)
DIGIT_ALIKE_TABLE = str.maketrans(DIGIT_ALIKES, "01125346" + "8997435827711")
DIGIT_RUN = 3
CONTACT_DIGIT_RUN = 7  # the contact view keeps IDs (i92723_ydx): only phone-length runs there
DIGIT_REAL = 2
# a digit next to a look-alike (or a look-alike next to a digit) somewhere: without one there is nothing to read.
# Most fields hold no digit at all, which the cheaper search says first (0.2 µs against 0.8 µs for 40 characters).
DIGIT = re.compile("[0-9]")
_LIKE = re.escape(DIGIT_ALIKES) + "洞两拐勾"
_ANY_LIKE = re.compile(f"[{_LIKE}]")  # one character class: a faster scan than the pair below
_MIXED = re.compile(f"[0-9][{_LIKE}]|[{_LIKE}][0-9]")  # a run holding both has such a pair somewhere
_DIGIT_LIKE = re.compile(f"[0-9{_LIKE}]{{{DIGIT_RUN},}}")
_LETTER = re.compile("[a-zа-яё]")
# a run opening with two Latin letters, one of them a letter words are made of (tb, gt, ab): a word, not digits
# (lZ34S and IZ345 open with two digit-shaped letters and are read)
_WORD_HEAD = re.compile("[abgt][a-z]|[a-z][abgt]")


NO_RUNS: list[tuple[int, Flag]] = []  # digit_runs found nothing (shared: never appended to)


def digit_runs(text: str, *, radio: bool, least: int) -> tuple[str, list[tuple[int, Flag]]]:
    """`text` with the digit look-alikes (and, with `radio`, the radio digit words 洞两拐勾) of its number runs
    read as digits, one character for one, in runs of `least` or more; and the positions that changed with how
    (empty: `text` itself)."""
    changed: list[tuple[int, Flag]] = []
    # callers check DIGIT first (most fields have none); most that have one have no look-alike at all
    if len(text) < least or not _ANY_LIKE.search(text) or not _MIXED.search(text):
        return text, changed
    out = text
    for m in _DIGIT_LIKE.finditer(text):
        a, b = m.span()
        run = m.group()
        real = sum(c.isdigit() for c in run)
        if len(run) < least or real < DIGIT_REAL or 2 * real < len(run) - 1 or real == len(run):
            continue
        if (a and _LETTER.match(text[a - 1])) or (b < len(text) and _LETTER.match(text[b])):
            continue
        if _WORD_HEAD.match(run):  # tb292000818, gta520: a word before the number, as in vip0809
            continue
        folded = run.translate(DIGIT_ALIKE_TABLE)
        if radio:
            folded = folded.translate(RADIO_DIGITS)
        if folded == run or not folded.isdigit():
            continue
        changed.extend((a + i, Flag.NUMBER if x in "洞两拐勾" else Flag.LOOKALIKE)
                       for i, (x, y) in enumerate(zip(run, folded, strict=True)) if x != y)
        out = out[:a] + folded + out[b:]
    return out, changed


def gb2312_lead(ch: str) -> int:
    """The first byte of `ch` in GB 2312, 0 where GB 2312 lacks it. Its Han characters lead with 0xB0–0xD7 (the
    first level: the 3,755 common characters of everyday text) or 0xD8–0xF7 (the second level)."""
    try:
        return ch.encode("gb2312")[0]
    except UnicodeEncodeError:
        return 0
