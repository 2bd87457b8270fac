"""The skeleton view (term matching) and the contact view (contact detectors).

Texts come from `str.translate` over per-character tables the folder fills on first sight of a character;
offset maps are rebuilt by walking the original only when needed (see view.py)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

from acctcheck.normalize.chars import (
    CONTACT_DIGIT_RUN,
    DIGIT,
    DIGIT_RUN,
    NO_RUNS,
    RADIO_DIGITS,
    CharFolder,
    Flag,
    Folded,
    Kind,
    digit_runs,
)
from acctcheck.normalize.number_words import read_heard_digits, read_number_words
from acctcheck.normalize.view import Maps, View


def _skeleton_maps(folder: CharFolder, value: str) -> Maps:
    starts: list[int] = []
    flags: list[int] = []
    gaps: list[bool] = []
    gap = False
    for i, ch in enumerate(value):
        f = folder(ch)
        if f.kind != Kind.KEEP:
            gap = gap or bool(starts)
            continue
        for _ in f.out:
            starts.append(i)
            flags.append(f.flags)
            gaps.append(gap)
            gap = False
    return starts, [x + 1 for x in starts], flags, gaps


def _contact_maps(folder: CharFolder, value: str) -> Maps:
    starts: list[int] = []
    flags: list[int] = []
    for i, ch in enumerate(value):
        f = folder(ch)
        if f.kind == Kind.INVISIBLE:
            continue
        fl = f.flags if f.kind == Kind.KEEP else 0
        for _ in f.out:
            starts.append(i)
            flags.append(fl)
    return starts, [x + 1 for x in starts], flags, [False] * len(starts)


FILL = "\x01"  # a woven slot with nothing in it (a control character: never in any view's text)
BIDI = "\x02"  # the first slot of a bidi control (normalize/bidi.py): such a field is read in display order


class Woven(NamedTuple):
    skeleton: View
    codes: str  # per skeleton position, the syllable code of its Han character (BREAK if none)
    marked: str  # the skeleton with FILL where separators or invisibles stood (gaps, for Latin runs)
    contact: str  # the contact view's text
    digits: bool  # the skeleton holds a digit (so may the contact view: it folds digits alike)
    latin: bool  # the skeleton holds a Latin letter (so the field may hold typed pinyin)


def woven_views(folder: CharFolder, table: Mapping[int, str], value: str, display: bool = False) -> Woven | None:
    """Every view's text from one `str.translate` pass and C-speed slices.

    `table` (Normalizer.view_table) maps a character to three code points per character it yields: its
    skeleton character, its syllable code (of its Han form before number folding: 一 is heard as yi) and its
    contact character; a separator yields FILL in the first two slots, an invisible FILL in all three. A
    translate pass costs ~50 ns a character, so separate passes were the largest single cost of a clean request.

    None when `value` holds a bidi control (BIDI in the table: one C scan of the woven string instead of a
    regex over the value): the caller puts it in display order and weaves that with `display` set, where the
    controls are invisible like any other."""
    woven = value.translate(table)
    if BIDI in woven:
        if not display:
            return None
        woven = woven.replace(BIDI, FILL)
    marked = woven[0::3]
    text = marked.replace(FILL, "")
    digits = DIGIT.search(text) is not None
    text, read = digit_runs(text, radio=True, least=DIGIT_RUN) if digits else (text, NO_RUNS)
    if read:  # the pinyin view segments Latin runs of `marked`: it must read the digits too (o2o1 → 0201)
        rest = iter(text)
        marked = "".join(c if c == FILL else next(rest) for c in marked)
        def build() -> Maps:
            return _marked(_skeleton_maps(folder, value), read)
    else:
        def build() -> Maps:
            return _skeleton_maps(folder, value)
    view = View("skeleton", value, text, build)
    return Woven(view, woven[1::3].replace(FILL, ""), marked, woven[2::3].replace(FILL, ""), digits,
                 LATIN_LETTER.search(text) is not None)


def _marked(maps: Maps, read: list[tuple[int, Flag]]) -> Maps:
    """The maps of a view whose `read` positions were read as digits (digit_runs), with their flags."""
    flags = list(maps[2])
    for i, flag in read:
        flags[i] |= flag
    return maps[0], maps[1], flags, maps[3]


def woven_piece(f: Folded, codes: Mapping[int, str]) -> str:
    """One character's entry in the woven table (see woven_views)."""
    if f.kind == Kind.INVISIBLE:
        return FILL * 3
    if f.kind == Kind.SEPARATOR:
        return "".join(FILL * 2 + c for c in f.out)
    han = f.han or "\0" * len(f.out)
    return "".join(s + codes[ord(h)] + s for s, h in zip(f.out, han, strict=True))  # han: one per out character


# Radio-style digit words (洞 0, 幺 1, 两 2, 拐 7, 勾 9: 幺三八洞洞…) are ordinary characters on their own (a hole, a
# turn, a hook), so they are read as digits only inside a run of at least RADIO_RUN digit characters of which
# at least RADIO_REAL are digits already (幺 and Chinese numerals are folded by chars.py).
RADIO_RUN = 6
RADIO_REAL = 2
_RADIO = re.compile(f"[0-9洞两拐勾](?:[ \\-.·_/|]{{0,2}}[0-9洞两拐勾]){{{RADIO_RUN - 1},}}")  # spaced in groups too


_RADIO_WORD = re.compile("[洞两拐勾]")
LATIN_LETTER = re.compile("[a-z]")  # in the skeleton (lower case, other scripts' look-alikes folded)


def _radio_digits(text: str) -> str:
    def fold(m: re.Match[str]) -> str:
        run = m.group()
        return run.translate(RADIO_DIGITS) if sum(c.isdigit() for c in run) >= RADIO_REAL else run
    return _RADIO.sub(fold, text)


def contact_view(folder: CharFolder, value: str, text: str, digits: bool = True, hears: bool = True) -> View:
    """Like the skeleton, but separators are kept (NFKC-folded) so regexes can see structure such as
    `vx: abc_123` or `name # qq.com`; invisible characters are still removed. `text` is Woven.contact.
    Radio-style digit words inside digit runs read as digits (one character for one, so offsets hold); numbers
    spelt out in English or pinyin words are read as digits too (number_words: one character per word), and
    digits heard in characters where `hears` says the text may hold them (FieldViews.digits_heard)."""
    if digits and _RADIO_WORD.search(text):  # read only in runs that hold real digits already
        text = _radio_digits(text)
    text, origin = read_number_words(text)
    if origin is not None:
        digits = True
    heard: list[int] = []
    if hears:  # 衣巴尔溜儿衣溜伞寺衣遛: a number heard in characters (number_words; the caller searched for one)
        text, heard = read_heard_digits(text)
        digits = digits or bool(heard)
    read: list[tuple[int, Flag]] = []
    if digits:  # most fields have no digit (Woven.digits): nothing for digit_runs to read
        text, read = digit_runs(text, radio=False, least=CONTACT_DIGIT_RUN)
    if heard:  # one for one, like digit_runs: positions hold
        read = read + [(i, Flag.NUMBER) for i in heard]
    if origin is None and not read:
        return View("contact", value, text, lambda: _contact_maps(folder, value))

    def build() -> Maps:
        maps = _contact_maps(folder, value)
        if origin is not None:
            maps = _respanned(maps, origin)
        return _marked(maps, read) if read else maps
    return View("contact", value, text, build)


def _respanned(maps: Maps, origin: list[tuple[int, int]]) -> Maps:
    """Maps of a text whose position i came from positions origin[i] of the mapped one (a word read as a digit
    spans the word's characters, flagged as a number style)."""
    starts, ends, flags, gaps = maps
    return ([starts[a] for a, _ in origin], [ends[b - 1] for _, b in origin],
            [flags[a] | (Flag.NUMBER if b - a > 1 else 0) for a, b in origin], [gaps[a] for a, _ in origin])
