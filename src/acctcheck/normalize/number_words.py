"""Numbers spelt out as words in the contact view: 一 and 壹 fold as characters (chars.py), but spam accounts
also spell a phone or QQ number in English or pinyin words, alone or mixed with digits and look-alikes:
`yi qi er si jiu liu ling si er qi ling`, `7 two 2 four 5 nine`, `13lingqi3babayi583`, `si zero 0 3ling`.

A run of at least NUMBER_WORD_RUN number tokens (a number word, a digit or a digit look-alike, with at most two
separator characters between them) holding at least MIN_WORDS number words is read as its digits, one view
character per token. The run must not continue a Latin word on either side (someone, tonight), and needs
several words, so an ordinary word that happens to be a number word (one, ba, er) is never read alone.

Digits heard in Chinese characters (衣巴尔溜儿衣溜伞寺衣遛, 吧铃漆幺舞妻丝巴: 衣 1, 尔 2, 伞 3, 寺 4, 舞 5, 溜 6, 妻 7,
吧 8, 酒 9, 铃 0) are read one character for one digit, in a run of at least NUMBER_WORD_RUN such characters and
digits holding at least MIN_WORDS of them. No line of 837,116 classical poem lines and no name of 82,292 idioms and
ancient names holds such a run (tools/, session 13 notes in docs/performance.md).
"""

from __future__ import annotations

import re

from acctcheck.normalize.chars import DIGIT_ALIKE_TABLE, DIGIT_ALIKES

NUMBER_WORDS: dict[str, str] = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9",
    "ling": "0", "yi": "1", "yao": "1", "er": "2", "san": "3", "si": "4", "wu": "5", "liu": "6", "qi": "7",
    "ba": "8", "jiu": "9",
    # radio speech typed in pinyin (洞 0, 两 2, 拐 7, 勾 9: yi guai san dong dong liang …)
    "dong": "0", "liang": "2", "guai": "7", "gou": "9",
}
NUMBER_WORD_RUN = 7  # a QQ number has five or more digits, a phone eleven: seven tokens is short for either
MIN_WORDS = 2
_TOKEN = ("(?:" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + "|[0-9]|["
          + re.escape(DIGIT_ALIKES) + "])")
_TOKENS = re.compile(_TOKEN)
_RUN = re.compile(f"(?<![a-z]){_TOKEN}(?:[ ,.·_/|:\\-]{{0,2}}{_TOKEN}){{{NUMBER_WORD_RUN - 1},}}(?![a-z])")
_WORDS = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
# no run without a number word next to another or to a digit (yi qi, two 2, 3ling): one scan, and most fields,
# English ones included, stop here
_PAIR = re.compile(f"(?:{_WORDS})[^a-z]{{0,2}}(?:{_WORDS}|[0-9])|[0-9][^a-z0-9]{{0,2}}(?:{_WORDS})")
_LATIN = re.compile("[a-z]")  # a faster first scan: most fields have no Latin letter at all

# characters that spam accounts write for the digits they sound like (simplified and traditional forms; 一 … 九,
# 幺 and 壹 … 玖 are folded to digits before this, chars.py)
HEARD_DIGITS: dict[str, str] = {
    "0": "零灵铃玲凌〇洞靈鈴", "1": "衣依伊医腰醫", "2": "尔儿耳两爾兒兩", "3": "伞散山傘", "4": "寺丝思斯絲",
    "5": "舞午武吾捂", "6": "溜遛柳陆陸", "7": "妻漆凄拐", "8": "吧巴扒疤爸", "9": "酒韭久勾",
}
_HEARD = "".join(HEARD_DIGITS.values())
_HEARD_TABLE = str.maketrans({c: d for d, chars in HEARD_DIGITS.items() for c in chars})
_HEARD_RUN = re.compile(f"[0-9{_HEARD}](?:[ ,.·_/|~\\-]{{0,2}}[0-9{_HEARD}]){{{NUMBER_WORD_RUN - 1},}}")


def read_number_words(text: str) -> tuple[str, list[tuple[int, int]] | None]:
    """`text` with its spelt-out number runs read as digits, and per position of the result the range of `text`
    it came from (None: nothing was read, the text is returned as is)."""
    if not may_hold_number_words(text):
        return text, None
    pieces: list[str] = []
    origin: list[tuple[int, int]] = []
    last = 0
    for m in _RUN.finditer(text):
        tokens = list(_TOKENS.finditer(text, m.start(), m.end()))
        if sum(t.group() in NUMBER_WORDS for t in tokens) < MIN_WORDS:
            continue
        pieces.append(text[last:m.start()])
        origin.extend((i, i + 1) for i in range(last, m.start()))
        for t in tokens:
            word = t.group()
            pieces.append(NUMBER_WORDS.get(word) or word.translate(DIGIT_ALIKE_TABLE))
            origin.append(t.span())
        last = m.end()
    if not origin:
        return text, None
    pieces.append(text[last:])
    origin.extend((i, i + 1) for i in range(last, len(text)))
    return "".join(pieces), origin


def read_heard_digits(text: str) -> tuple[str, list[int]]:
    """`text` with each run of digits heard in characters read as digits, one for one (offsets hold), and the
    positions read."""
    read: list[int] = []
    out = text
    for m in _HEARD_RUN.finditer(text):
        heard = [i for i in range(m.start(), m.end()) if text[i] in _HEARD]
        if len(heard) >= MIN_WORDS:
            read.extend(heard)
            out = out[:m.start()] + m.group().translate(_HEARD_TABLE) + out[m.end():]
    return out, read


def may_hold_heard_digits(text: str) -> bool:
    """A run of seven digits or characters heard as digits somewhere (read_heard_digits has work to do). An ASCII
    text holds none, and is not searched: the character class costs most on it (Python's charset test on
    one-byte strings walks the class)."""
    return not text.isascii() and _HEARD_RUN.search(text) is not None


def may_hold_number_words(text: str) -> bool:
    """A cheap first look: a number word next to another or to a digit somewhere."""
    return _LATIN.search(text) is not None and _PAIR.search(text) is not None
