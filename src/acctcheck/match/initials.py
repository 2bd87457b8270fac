"""Composed names typed as the pinyin initials of all their parts (compose option `initials`): mdjxf for 牡丹江消防,
nmgcrjbfjczz for 内蒙古出入境边防检查总站, jygsylbzj for 嘉峪关市医疗保障局. The products of a place list and an organ
list are far too many to index as keys; a Latin word is instead split at each position and both halves looked up
in the rule's head and tail tables, so the cost follows the word's length, not the lists'. The place may also be
typed as initials before the organ or outlet word spelt out in pinyin (xzribao for 西藏日报, hzgongan for 杭州公安):
the tail is then looked up among the second part's spellings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

INITIALS = "initials"  # Snapshot.families key
# digits may follow initials this long (zgxfjy119, ZGXFJY_119: a hotline): shorter ones before digits are how people
# write their own initials and a birthday (slsyl0604, zxy1990)
DIGITS_AFTER_MIN = 6

MIN_LETTERS = 5  # four letters (hzga) are too many other words' letters too
_WORD = re.compile(f"[a-z]{{{MIN_LETTERS},32}}")
_VOWELS = frozenset("aeiou")


@dataclass(frozen=True, slots=True)
class InitialsRule:
    rule: int
    pack: int
    # initials -> (canonical, name) of the first part's names, and of the second's (thousands: kept out of the repr,
    # which a snapshot's repr, printed by test tools, would otherwise carry)
    heads: dict[str, tuple[str, str]] = field(repr=False)
    tails: dict[str, tuple[str, str]] = field(repr=False)
    # typed pinyin -> (canonical, name) of the second part's names of two characters or more (ribao for 日报)
    spelt: dict[str, tuple[str, str]] = field(repr=False, default_factory=dict)


@dataclass(frozen=True, slots=True)
class InitialsHit:
    rule: int
    pack: int
    start: int
    end: int
    head: tuple[str, str]  # (canonical, name)
    tail: tuple[str, str]


def _initialled(word: str) -> bool:
    """Letters that read as initials, not as a word or spelt pinyin: initials of Chinese syllables are consonants
    except for the few syllables that open with a vowel (安, 鄂, 欧). Five or six letters with a vowel are English
    words as often (lasky, taffy); seven with one, or eleven with two, are not."""
    vowels = sum(c in _VOWELS for c in word)
    return vowels == 0 or (vowels == 1 and len(word) >= 7) or (vowels == 2 and len(word) >= 11)


def find(rules: tuple[InitialsRule, ...], text: str, allowed: frozenset[int]) -> Iterator[InitialsHit]:
    """Whole Latin words of `text` (lower case, as the skeleton is) that are a head's initials followed by a tail's,
    for the rules in `allowed`."""
    for m in _WORD.finditer(text):
        s, e = m.span()
        if (s > 0 and text[s - 1].isascii() and text[s - 1].isalnum()) or \
                (e < len(text) and text[e].isascii() and (text[e].isalpha() or e - s < DIGITS_AFTER_MIN)):
            continue  # part of a longer Latin word or ID
        word = m.group()
        yield from _first_reading(rules, word, s, e, allowed, _initialled(word))


def _first_reading(rules: tuple[InitialsRule, ...], word: str, s: int, e: int, allowed: frozenset[int],
                   initialled: bool) -> Iterator[InitialsHit]:
    """The word read by the first rule (in pack order) that reads it, at its first split: one finding, since
    letters this few say which kind of body is meant, not which body (shfbt is 上海发布厅 or 绥化发布厅). All
    initials only when the word reads as initials (`initialled`); a spelt tail after initials that do."""
    lead = next((i for i, c in enumerate(word) if c in _VOWELS), len(word))  # letters before the first vowel
    if not initialled and lead < 2:
        return  # most Latin words (sunny, hello): no initials, and no head of initials before a spelt tail
    for r in rules:
        if r.rule not in allowed:
            continue
        for i in range(2, len(word) - 1 if initialled else min(lead, len(word) - 2) + 1):
            head = r.heads.get(word[:i])
            if head is None:
                continue
            tail = r.tails.get(word[i:]) if initialled else None
            if tail is None and i <= lead:  # a head with no vowel before a tail spelt out
                tail = r.spelt.get(word[i:])
            if tail is not None:
                yield InitialsHit(r.rule, r.pack, s, e, head, tail)
                return
