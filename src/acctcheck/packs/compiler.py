"""Compilation of loaded packs into a Snapshot: every automaton and regex is built here, once."""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from acctcheck.contract import TEXT_FIELDS
from acctcheck.match.automaton import TermAutomaton
from acctcheck.match.entries import ALLOW, ENTRY_CLASSES, TermEntry, entry_class
from acctcheck.match.frames import FRAMES, HEAD, TAIL, UNLESS, FrameIndex, Gap
from acctcheck.match.fuzzy import alike_keys, half_entries
from acctcheck.match.initials import INITIALS, InitialsRule
from acctcheck.match.patterns import CompiledPattern, PatternError, PatternSet, compile_pattern
from acctcheck.normalize.chars import Flag, is_han
from acctcheck.normalize.normalizer import Normalizer
from acctcheck.packs import registries as registry_layer
from acctcheck.packs.errors import PackIssue, PackSetError
from acctcheck.packs.loader import LoadedPack, LoadedSet
from acctcheck.packs.schema import (
    DEFINE_NAME,
    AnyRule,
    CharactersRule,
    ComposeRule,
    FrameRule,
    InstitutionNameRule,
    InstitutionNatureRule,
    PatternRule,
    Policy,
    ProfessionRule,
    RegistryRule,
    TermsRule,
)
from acctcheck.packs.snapshot import (
    ACROSS_FIELDS,
    HAN_CUES,
    CharacterSearch,
    CompiledRule,
    InstitutionWords,
    PackInfo,
    Snapshot,
)
from acctcheck.packs.word_order import expand_line
from acctcheck.registry.artifact import RegistryIndex

MAX_NAMES_PER_ENTRY = 64
_ACRONYM_DIGITS = str.maketrans("oil", "011")  # the letters of an acronym that digits stand in for
# a letter of a name in Latin letters and what users type for it to break a filter (W0rld, Wor1d, lnterpol): one
# such swap a key (LATIN_ALIKE_MIN letters or more), and in an acronym l for I (UNlCEF)
LATIN_ALIKES = {"o": "0", "i": "1l", "l": "1i", "e": "3", "a": "4", "s": "5"}
LATIN_ALIKE_MIN = 6
# a long name in Latin letters may have two of its letters typed as the digits that look like them (W0rld Health
# 0rganization): only digits, and only in names this long, so no word of ordinary text reads as one
LATIN_DIGIT_ALIKES = {ch: alikes[0] for ch, alikes in LATIN_ALIKES.items()}  # each letter's first look-alike is a digit
LATIN_TWO_DIGITS_MIN = 12
# the letters (as the skeleton folds them) that users write for a digit inside a name: O for 0, l for 1, Z for 2,
# Cyrillic З for 3, S for 5, T for 7, B for 8, g for 9 (normalize/chars.DIGIT_ALIKES, the common ones)
LETTERS_FOR_DIGITS = {"0": "o", "1": "li", "2": "z", "3": "з", "4": "ч", "5": "s", "6": "б", "7": "t", "8": "b",
                      "9": "g"}
# radio speech for digits (第拐五集团军 for 第75集团军): the skeleton reads 洞两拐勾 only inside longer number runs
RADIO_FOR_DIGITS = {"0": "洞", "2": "两", "7": "拐", "9": "勾"}
RADIO_DIGIT_WORDS = frozenset(RADIO_FOR_DIGITS.values())
MAX_DIGIT_SPELLINGS = 16


class _Builder:
    def __init__(self, normalizer: Normalizer) -> None:
        self.n = normalizer
        self.skeleton: dict[str, list[TermEntry]] = defaultdict(list)
        self.pinyin: dict[str, list[TermEntry]] = defaultdict(list)
        self.issues: list[PackIssue] = []
        self._typed: dict[str, str | None] = {}  # pinyin key -> its typed reading (PinyinTable.typed_key)

    def add(self, entry_line: str, *, rule: int, pack: int, part: int, sound: bool, where: PackIssue,
            canonical: str | None = None, covers: int = 1, both_swapped: bool = False) -> int:
        """Index one `canonical|alias…` line; returns how many names it holds."""
        names = [x.strip() for x in entry_line.split("|") if x.strip()]
        if len(names) > MAX_NAMES_PER_ENTRY:
            self.issues.append(PackIssue(where.file, where.rule, where.field,
                                         f"entry {names[0]!r} has {len(names)} names; at most {MAX_NAMES_PER_ENTRY}"))
            return 0
        if not names:
            return 0
        canonical = canonical or names[0]
        folder = self.n.folder
        for name in names:
            key = folder.fold_text(name)
            if not key:
                self.issues.append(PackIssue(where.file, where.rule, where.field,
                                             f"term {name!r} is empty after normalisation"))
                continue
            if key.isdigit() and not name.isdigit() and not any(is_han(c) for c in name):
                self.issues.append(PackIssue(where.file, where.rule, where.field,
                                             f"term {name!r} reads as the number {key} (its letters fold to digits "
                                             f"in a number run): it would match every {key}"))
                continue
            # fold flags are only needed when folding changed something (a traditional or numeral term)
            flags = tuple(self.n.skeleton(name).flags) if key != name else _zeros(len(key))
            # a one-character later part (网, 报, 局) heard by sound would match one syllable anywhere in the
            # text, and a chain needs compose_homophone_min_syllables anyway: such parts match as written only
            keys = self.n.pinyin.term_keys(name.translate(folder.han_table)) \
                if sound and not (part > 0 and len(key) < 2) else []
            syllables = len(key) if keys else 0
            entry = TermEntry(rule, pack, part, canonical, flags, syllables, name, _capitals(name), covers)
            self.skeleton[key].append(entry)
            if (regional := self.n.regional.variant(key)) is not None:  # 山東釋出 for 山东发布
                self.skeleton[regional].append(entry)
            if len(key) in (2, 3):
                self._shape_variants(key, entry, both_swapped)
            if entry.capitals:
                self._acronym_with_digits(key, entry)
            if key.isascii() and key.isalpha():
                self._latin_alikes(key, entry)
            if "十" in key or "两" in key:
                self._numerals_as_digits(key, entry)
            elif any("0" <= c <= "9" for c in key):
                self._letters_for_digits(key, entry)
                self._digits_as_numerals(key, entry)
                if sound:
                    self._spelt_with_digits(key, entry)
            typed_only: TermEntry | None = None
            for k in keys:
                self.pinyin[k].append(entry)
                alt = self._typed.get(k, "")
                if alt == "":  # a place name is a part of dozens of rules: read its typed form once
                    alt = self._typed[k] = self.n.pinyin.typed_key(k)
                if alt is not None and alt not in keys:
                    typed_only = typed_only or dataclasses.replace(entry, typed_only=True)
                    self.pinyin[alt].append(typed_only)
            if keys and len(keys) == 1:  # one key: maybe only the common readings of a many-heteronym name
                for k in self.n.pinyin.reading_variants(name.translate(folder.han_table)):
                    typed_only = typed_only or dataclasses.replace(entry, typed_only=True)
                    self.pinyin[k].append(typed_only)
        return len(names)


    def add_initials(self, entry_line: str, min_syllables: int, *, rule: int, pack: int, part: int = -1) -> None:
        """Index each Chinese name of the line by its pinyin initials (rmrb for 人民日报; hz for the head 杭州 of a
        compose rule, `part` 0), as a Latin key that the skeleton matches only as a whole word; the finding
        reports the name and method pinyin."""
        for key, canonical, name in _initialled_names(self.n, entry_line, min_syllables):
            self.skeleton[key].append(TermEntry(rule, pack, part, canonical, _zeros(len(key)), 0, name,
                                                initials=True))
        if part < 0:
            self._mixed_initials(entry_line, min_syllables, rule, pack)

    def _mixed_initials(self, entry_line: str, min_syllables: int, rule: int, pack: int) -> None:
        """A whole name with its last word (two characters) as initials and the rest spelt out, or the other way
        round, the last word spelt or written (renminrb, rmribao, rm日报 for 人民日报): half abbreviated, so neither
        the written, the pinyin nor the initials key holds it. One key each; reported like the initials. The first
        part written and the rest as initials (央视xw) is left out: the written part may be a listed name of its
        own (央视, reject) that the longer, weaker hit would swallow."""
        n = self.n
        for _, canonical, name in _initialled_names(n, entry_line, min_syllables):
            han = name.translate(n.folder.han_table)
            head, tail = han[:-2], han[-2:]
            hi, ti = n.pinyin.initials(head), n.pinyin.initials(tail)
            hs, ts = n.pinyin.spelt(head), n.pinyin.spelt(tail)
            if not (hi and ti and hs.isascii() and ts.isascii()):
                continue
            for key in {hs + ti[0], hi[0] + ts, hi[0] + tail}:
                self.skeleton[key].append(TermEntry(rule, pack, -1, canonical, _zeros(len(key)), 0, name,
                                                    initials=True))

    def _numerals_as_digits(self, key: str, entry: TermEntry) -> None:
        """A name with 十 or 两 written in digits (十堰 as 10堰, 第七十一 as 第71, 两江 as 2江 or 贰江): the skeleton
        folds 一 … 九 to digits but keeps 十 and 两, ordinary words, so the digit spelling is indexed as its own
        key, flagged as a number style. 十 between digits is dropped (7十1 → 71), after one is 0, before one
        is 1, alone is 10."""
        out: list[str] = []
        flags: list[int] = []
        for i, ch in enumerate(key):
            if ch == "两":  # 两江 as 2江 (贰 folds to 2 on the skeleton)
                out.append("2")
                flags.append(Flag.NUMBER)
                continue
            if ch != "十":
                out.append(ch)
                flags.append(entry.flags[i] if i < len(entry.flags) else 0)
                continue
            before = i > 0 and key[i - 1].isdigit()
            after = i + 1 < len(key) and key[i + 1].isdigit()
            digits = "" if before and after else "0" if before else "1" if after else "10"
            out.extend(digits)
            flags.extend([Flag.NUMBER] * len(digits))
        variant = "".join(out)
        if variant != key and any(not c.isdigit() for c in variant):
            spelt = dataclasses.replace(entry, flags=tuple(flags))
            self.skeleton[variant].append(spelt)
            self._letters_for_digits(variant, spelt)

    def _digits_as_numerals(self, key: str, entry: TermEntry) -> None:
        """The reverse of _numerals_as_digits: a name with a two-digit number (山东24小时, 第72集团军, 21世纪经济报道)
        written in Chinese numerals as it is read (二十四, 七十二, 二十一). The skeleton folds 二 and 四 to digits
        but keeps 十, so 二十四 is 2十4: that spelling is indexed, flagged as a number style. Longer numbers
        (12345, 110) are read digit by digit, which the skeleton already folds."""
        chars: list[str] = []
        flags: list[int] = []
        i = 0
        for m in _TWO_DIGITS.finditer(key):
            read = _read_tens(m)
            chars.append(key[i:m.start()] + read)
            flags.extend(entry.flags[i:m.start()])
            flags.extend([Flag.NUMBER] * len(read))
            i = m.end()
        if chars:
            self.skeleton["".join(chars) + key[i:]].append(
                dataclasses.replace(entry, flags=(*flags, *entry.flags[i:])))

    def _spelt_with_digits(self, key: str, entry: TermEntry) -> None:
        """A name of Chinese characters and a number (交管12123, 市场监管12315, 第71集团军) typed with the characters
        in pinyin and the digits kept (jiaoguan12123): the pinyin view has no syllables for digits, so the spelling is
        a skeleton key of its own, reported as typed pinyin (TermEntry.initials) for names of two Chinese
        characters or more whose every other character is a digit."""
        han = sum(1 for c in key if is_han(c))
        if han < 2 or any(not (is_han(c) or "0" <= c <= "9") for c in key):
            return
        spelling = self.n.pinyin.spelt(key)
        if spelling != key and spelling.isascii():
            self.skeleton[spelling].append(dataclasses.replace(entry, flags=_zeros(len(spelling)), initials=True))

    def _letters_for_digits(self, key: str, entry: TermEntry) -> None:
        """A name with a few digits written with the letters that look like them (第TT集团军 for 第77集团军, ZO国集团
        for 20国集团), flagged as look-alikes, or with radio digit words (第拐五集团军), flagged as a number style
        (RADIO_FOR_DIGITS). Only names of two Han characters or more with one to three digits, and hotline numbers
        of three digits that a compose rule joins after a place (贵州llO for 贵州110); at most MAX_DIGIT_SPELLINGS keys
        a name."""
        positions = [i for i, c in enumerate(key) if "0" <= c <= "9"]
        hotline = entry.part > 0 and len(key) == 3 and key.isdigit()
        if not 1 <= len(positions) <= 3 or (sum(1 for c in key if is_han(c)) < 2 and not hotline):
            return
        choices = [[key[i], *RADIO_FOR_DIGITS.get(key[i], ""), *LETTERS_FOR_DIGITS[key[i]]] for i in positions]
        made = 0
        for combo in itertools.product(*choices):
            if all(c == key[i] for c, i in zip(combo, positions, strict=True)):
                continue  # the digits as listed
            chars, flags = list(key), list(entry.flags)
            for c, i in zip(combo, positions, strict=True):
                if c != key[i]:
                    chars[i] = c
                    flags[i] = Flag.NUMBER if c in RADIO_DIGIT_WORDS else Flag.LOOKALIKE
            self.skeleton["".join(chars)].append(dataclasses.replace(entry, flags=tuple(flags)))
            made += 1
            if made >= MAX_DIGIT_SPELLINGS:
                return

    def _latin_alikes(self, key: str, entry: TermEntry) -> None:
        """A name in Latin letters with one letter typed as the digit or letter that looks like it (W0rld Bank,
        Wor1d Health Organization, lnterpol), flagged as a look-alike; an acronym with l for I (UNlCEF: the
        look-alike may be lower case among its capitals, match.terms.in_capitals). Names of LATIN_ALIKE_MIN letters
        or more, acronyms of four or more, so no short word reads as one; two letters typed as digits in a name of
        LATIN_TWO_DIGITS_MIN letters or more (W0rld Health 0rganization). Allow-list phrases are kept as written
        (as in _shape_variants): a look-alike spelling is never ordinary."""
        if entry.rule == ALLOW:
            return
        if entry.capitals:
            if len(key) >= 4 and "i" in key:
                variant = key.replace("i", "l")
                self.skeleton[variant].append(dataclasses.replace(entry, flags=tuple(
                    Flag.LOOKALIKE if a != b else f for a, b, f in zip(key, variant, entry.flags, strict=True))))
            return
        if len(key) < LATIN_ALIKE_MIN:
            return
        for i, ch in enumerate(key):
            for alike in LATIN_ALIKES.get(ch, ""):
                flags = list(entry.flags)
                flags[i] = Flag.LOOKALIKE
                self.skeleton[key[:i] + alike + key[i + 1:]].append(dataclasses.replace(entry, flags=tuple(flags)))
        if len(key) < LATIN_TWO_DIGITS_MIN:
            return
        swappable = [i for i, ch in enumerate(key) if ch in LATIN_DIGIT_ALIKES]
        for a, i in enumerate(swappable):
            for j in swappable[a + 1:]:
                flags = list(entry.flags)
                flags[i] = flags[j] = Flag.LOOKALIKE
                variant = (key[:i] + LATIN_DIGIT_ALIKES[key[i]] + key[i + 1:j] + LATIN_DIGIT_ALIKES[key[j]]
                           + key[j + 1:])
                self.skeleton[variant].append(dataclasses.replace(entry, flags=tuple(flags)))

    def _acronym_with_digits(self, key: str, entry: TermEntry) -> None:
        """An acronym (WHO, UNESCO) spelt with the digits that look like its letters (W·H·0, U.N.E.S.C.0): a
        key with every o as 0 and every i or l as 1, its flags marking those as look-alikes (method lookalike).
        Only acronyms, which match in capitals only, and only where letters stay the majority, so no word or
        number of ordinary text reads as one."""
        variant = key.translate(_ACRONYM_DIGITS)
        if variant == key or not key.isascii() or 2 * sum(c.isdigit() for c in variant) > len(variant):
            return  # mostly digits: ILO as 110 is a number (身高110cm)
        flags = tuple(Flag.LOOKALIKE if a != b else f for a, b, f in zip(key, variant, entry.flags, strict=True))
        self.skeleton[variant].append(dataclasses.replace(entry, flags=flags))

    def _shape_variants(self, key: str, entry: TermEntry, both_swapped: bool = False) -> None:
        """Short keys with one character swapped for a similar shape are indexed too, as one-edit spellings:
        the fuzzy matcher (match/fuzzy.py) finds an edit by one intact half, which a two-character compose part
        (发布 as 友布, 公安 as 公妥) and the middle of a three-character key (人民网 as 人氏网, 共青团 as 共责团)
        do not have. The same positions written as the two characters that imitate them (光日月网) too. A place
        joined to a look-alike organ word is the evasion. Ordinary words are skipped (normalize/data/words.txt).
        A two-character name (红网) gets only the spellings with a rare character (红罔): a common one would make
        another word as often as an evasion."""
        n = len(key)
        if entry.rule == ALLOW:
            return
        fold = self.n.folder.skeleton_table
        if n == 2 and entry.part < 0 and all(is_han(c) for c in key):
            for i in range(2):
                for alike in self.n.shapes.rare_variants(key[i]):
                    variant = (key[:i] + alike + key[i + 1:]).translate(fold)
                    if variant != key and len(variant) == 2:
                        self.skeleton[variant].append(dataclasses.replace(entry, edited=True))
            return
        if n == 2 and entry.part >= 0:
            positions = range(2)
        elif n == 3:
            positions = range(1, 2)
        else:
            return
        edited: TermEntry | None = None
        variants = self.n.shapes.variants(key, positions)
        if both_swapped and n == 2 and entry.part > 0:  # rule option word_swaps: 冈擎 for 网警 after a place
            variants += self.n.shapes.both_swapped(key)
        for variant in variants:
            variant = variant.translate(fold)
            if variant != key and len(variant) == n:
                edited = edited or dataclasses.replace(entry, edited=True)
                self.skeleton[variant].append(edited)
        # one character written as two (司氵去部, 公安咅阝): one character longer, no ordinary word to skip
        for variant in self.n.shapes.split_variants(key, positions):
            variant = variant.translate(fold)
            if len(variant) == n + 1:
                edited = edited or dataclasses.replace(entry, edited=True)
                self.skeleton[variant].append(edited)


def _merge_short_heads(b: _Builder, heads: list[str], nexts: list[str], rule: int, pack: int, sound: bool,
                       where: PackIssue) -> list[str]:
    """One-character first-part names (美 in 美驻华使馆) would occur in almost every text and start a chain
    each time. They are indexed joined to every name of the second part instead (美驻华使馆), as keys that
    cover two parts; the other names of their line stay as they are. Returns part 0's remaining lines."""
    fold = b.n.folder.fold_text
    kept: list[str] = []
    for line in heads:
        names = [x.strip() for x in line.split("|") if x.strip()]
        short = [n for n in names if len(fold(n)) == 1]
        if not short:
            kept.append(line)
            continue
        rest = [n for n in names if n not in short]
        if rest and rest[0] == names[0]:
            kept.append("|".join(rest))
        elif rest:  # the canonical name itself is the short one: keep it as canonical, unindexed
            b.add("|".join(rest), rule=rule, pack=pack, part=0, sound=sound, where=where, canonical=names[0])
        for nxt in nexts:
            nxt_names = [x.strip() for x in nxt.split("|") if x.strip()]
            if nxt_names:
                joined = "|".join(s + n for s in short for n in nxt_names)
                b.add(joined, rule=rule, pack=pack, part=0, sound=sound, where=where,
                      canonical=names[0] + nxt_names[0], covers=2)
    return kept


@functools.lru_cache(maxsize=256)
def _zeros(n: int) -> tuple[int, ...]:
    """Shared all-zero flag tuples: most terms need no folding, and 500k copies would cost memory."""
    return (0,) * n


def _frame_plan(keys: dict[str, list[tuple[int, int, bool]]], gaps: dict[int, Gap],
                by_field: dict[tuple[str, str], frozenset[int]],
                heard: _HeardFrames) -> dict[tuple[str, str], FrameIndex]:
    """One frame index per (account type, field), holding only the frames that field is read for (a bio is
    read for hotline frames alone: a pass over a few hundred keys, not over every place name), shared
    between fields that read the same frames; with the heard keys of those frames that have the option."""
    built: dict[frozenset[int], FrameIndex] = {}
    plan: dict[tuple[str, str], FrameIndex] = {}
    for where, allowed in by_field.items():
        frames = allowed.intersection(gaps)
        if not frames:
            continue
        if frames not in built:
            kept = {key: sub for key, payloads in keys.items() if (sub := [p for p in payloads if p[0] in frames])}
            sound = {key: sub for key, payloads in heard.keys.items()
                     if (sub := [p for p in payloads if p[0] in frames])}
            built[frames] = FrameIndex(kept, {f: gaps[f] for f in frames}, sound,
                                       {k: frozenset(heard.spellings[k]) for k in sound})
        plan[where] = built[frames]
    return plan


def _capitals(name: str) -> bool:
    """Acronyms written in capitals (NATO, WHO) match only when typed in capitals, so `Nato the Dog` and
    `whoami` stay ordinary; write a term in lower case to match it in any case."""
    letters = [c for c in name if c.isascii() and c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _entries(lp: LoadedPack, inline: list[str] | None, ref: str | None, reorder: tuple[str, list[str]] | None = None
             ) -> list[str]:
    """The term lines of a rule or part; with `reorder` (joiners, tails) each line also carries the word-order
    variants of its names (rule option word_order)."""
    out = list(inline or [])
    if ref:
        out.extend(lp.files.get(ref, []))
    if reorder is not None:
        out = [expand_line(line, *reorder) for line in out]
    return out


_TWO_DIGITS = re.compile(r"(?<![0-9])[1-9][0-9](?![0-9])")


def _read_tens(m: re.Match[str]) -> str:
    """A two-digit number as its Chinese numerals read on the skeleton (24 → 2十4, 20 → 2十, 14 → 十4, 10 → 十)."""
    tens, units = m.group()[0], m.group()[1]
    return ("" if tens == "1" else tens) + "十" + ("" if units == "0" else units)


_DEFINED = re.compile(f"\\{{({DEFINE_NAME})\\}}")
_HEARD = re.compile(r"\{heard:([a-z]{1,6})\}")


def _rule_pattern(b: _Builder, where: PackIssue, define: dict[str, str], source: str, key: str,
                  whole: bool = False) -> CompiledPattern | None:
    """One RE2 pattern of a pattern rule (`key`: patterns.N, hit_on_line, not_whole) with the pack's define
    fragments expanded; `whole` anchors it at both ends. None, and an issue at `where`, if it does not compile."""
    try:
        expanded = _expand(source, define, b.n.pinyin.heard)
        return compile_pattern(f"^(?:{expanded})$" if whole else expanded)
    except PatternError as exc:
        b.issues.append(PackIssue(where.file, where.rule, key, str(exc)))
        return None


def _define_fragments(define: dict[str, str], heard: Callable[[str], str]) -> list[str]:
    """Every fragment of a pack's define, expanded: the vocabularies the pattern set may gate on (match/gates.py).
    A broken fragment is left out here; it is reported with the pattern that names it."""
    out: list[str] = []
    for name in define:
        try:
            out.append(_expand("{" + name + "}", define, heard))
        except PatternError:
            continue
    return out


def _expand(pattern: str, define: dict[str, str], heard: Callable[[str], str], depth: int = 0) -> str:
    """A pattern with its {NAME}s replaced by the pack's `define` fragments. A fragment may name others (CUE is
    the account cues and the phone cues), so one vocabulary feeds every rule; eight levels at most, which also
    stops a fragment that names itself. {heard:wei} stands for the characters read wei (`heard`, the pinyin
    table's: 微 薇 威 围 伟 …), written inside a character class: a homophone cue no list holds is still read."""
    def fragment(m: re.Match[str]) -> str:
        if m.group(1) not in define:
            raise PatternError(f"{{{m.group(1)}}} is not in the pack's define")
        if depth >= 8:
            raise PatternError(f"{{{m.group(1)}}}: define fragments nest more than 8 deep (one names itself?)")
        return _expand(define[m.group(1)], define, heard, depth + 1)

    def sound(m: re.Match[str]) -> str:
        chars = heard(m.group(1))
        if not chars:
            raise PatternError(f"{{heard:{m.group(1)}}}: no character reads {m.group(1)!r}")
        return chars
    return _HEARD.sub(sound, _DEFINED.sub(fragment, pattern))


def _profession_consistency(domains: dict[str, str], regulated: dict[str, bool], rule: ProfessionRule,
                            issues: list[PackIssue], where: PackIssue) -> None:
    """One code has one domain and one domain one `regulated` flag, whichever rule states it."""
    if domains.setdefault(rule.code, rule.domain) != rule.domain:
        issues.append(PackIssue(where.file, where.rule, "domain",
                                f"code {rule.code!r} already has domain {domains[rule.code]!r}"))
    if regulated.setdefault(rule.domain, rule.regulated) != rule.regulated:
        issues.append(PackIssue(where.file, where.rule, "regulated",
                                f"domain {rule.domain!r} is already regulated={regulated[rule.domain]}"))


def _suffixed(name: str, names: list[str], endings: str) -> bool:
    """A head's full form: it ends with one of `endings` and extends another name of its line (杭州市 of
    杭州市|杭州, not 杭州, which ends with 州 too), or it is its line's only name (朝阳区)."""
    if name[-1] not in endings:
        return False
    return len(names) == 1 or any(len(o) < len(name) and name.startswith(o) for o in names)


class _HeardFrames:
    """Frame words keyed by how they sound (PinyinTable.term_keys), with the words each key is heard from."""

    def __init__(self) -> None:
        self.keys: dict[str, list[tuple[int, int, bool]]] = {}
        self.spellings: dict[str, set[str]] = {}

    def add(self, word: str, payload: tuple[int, int, bool], normalizer: Normalizer, spelt: str = "") -> None:
        """`word` as read (四川省), `spelt` as the skeleton writes it (4川省) if that differs."""
        for code in normalizer.pinyin.term_keys(word):
            payloads = self.keys.setdefault(code, [])
            if payload not in payloads:
                payloads.append(payload)
            self.spellings.setdefault(code, set()).add(spelt or word)


def _add_frame(keys: dict[str, list[tuple[int, int, bool]]], gaps: dict[int, Gap], normalizer: Normalizer, r_idx: int,
               rule: FrameRule, lp: LoadedPack, heard: _HeardFrames) -> int:
    """Collect one frame rule's words, folded as the skeleton view folds text (and, with the rule's `homophone`,
    as they sound: `heard`); returns heads × tails."""
    gaps[r_idx] = Gap(rule.min_gap, rule.max_gap, frozenset(rule.gap_excludes), frozenset(rule.tail_not_before))
    fold = normalizer.folder.skeleton_table
    counts = []
    for role, part in ((HEAD, rule.head), (TAIL, rule.tail), (UNLESS, rule.unless)):
        n = 0
        for line in _entries(lp, part.values, part.file) if part else []:
            names = [x.strip() for x in line.split("|") if x.strip()]
            for name in names:
                if role == HEAD and rule.head_endings and not _suffixed(name, names, rule.head_endings):
                    continue
                if key := name.translate(fold):
                    keys.setdefault(key, []).append((r_idx, role, False))
                    n += 1
                    han = name.translate(normalizer.folder.han_table)  # 四川省, whose skeleton is 4川省
                    if rule.homophone and all(is_han(c) for c in han):
                        heard.add(han, (r_idx, role, True), normalizer, key)
                    if role != UNLESS:  # look-alike spellings (络阳市, 管理扃, 人氏 for 人民 before an ending); of a
                        # one-character word only rare ones (罔 for 网, not 季 for 委: 杭州市美食季)
                        shapes = normalizer.shapes
                        variants = shapes.variants(key, words=True) if len(key) > 1 else shapes.rare_variants(key)
                        for variant in variants:
                            keys.setdefault(variant.translate(fold), []).append((r_idx, role, True))
        counts.append(n)
    return counts[0] * counts[1]


HEAD_INITIALS_MIN = 2  # compose option head_initials: a place of two characters or more (hz for 杭州)
SPELT_TAIL_MIN = 4  # compose option initials, a tail typed out after the head's initials: fabu, not a two-letter word


def _heard_by(rule: AnyRule, entry: TermEntry, policy: Policy) -> bool:
    """Whether a sound key of `entry` can ever match as heard (checks/term_hits.py drops the others): its rule has
    the homophone option and, for a whole name, the name is long enough for it. A rule with only typed pinyin
    (news-words) needs its keys in the typed automaton alone; in the heard one every 新闻 heard in a bio was a
    candidate to drop."""
    if not getattr(rule, "homophone", False):
        return False
    return entry.part >= 0 or entry.syllables >= policy.heard_min_syllables(rule)


def _initialled_names(n: Normalizer, entry_line: str, least: int) -> Iterator[tuple[str, str, str]]:
    """(pinyin initials, canonical, name) of each name of a `canonical|alias…` line written wholly in Chinese
    characters, `least` of them or more (rmrb for 人民日报)."""
    names = [x.strip() for x in entry_line.split("|") if x.strip()]
    for name in names:
        han = name.translate(n.folder.han_table)
        if len(han) >= least and len(han) == len(name):
            for key in n.pinyin.initials(han):
                yield key, names[0], name


def _spelt_table(n: Normalizer, lines: list[str]) -> dict[str, tuple[str, str]]:
    """Compose option initials, the second part typed out after the first's initials (xzribao): typed pinyin ->
    (canonical, name) of each Chinese name of two characters or more, SPELT_TAIL_MIN letters or more."""
    table: dict[str, tuple[str, str]] = {}
    for line in lines:
        for _, canonical, name in _initialled_names(n, line, HEAD_INITIALS_MIN):
            key = n.pinyin.spelt(name.translate(n.folder.han_table))
            if len(key) >= SPELT_TAIL_MIN and key.isascii():
                table.setdefault(key, (canonical, name))
    return table


def _initials_table(n: Normalizer, lines: list[str]) -> dict[str, tuple[str, str]]:
    """Compose option initials: pinyin initials -> (canonical, name) of each Chinese name of two characters or more
    in a part's lines (the first line to give a key keeps it)."""
    table: dict[str, tuple[str, str]] = {}
    for line in lines:
        for key, canonical, name in _initialled_names(n, line, HEAD_INITIALS_MIN):
            table.setdefault(key, (canonical, name))
    return table


def _near_heard(heard: dict[str, list[TermEntry]], least: int, normalizer: Normalizer,
                rule_parts: tuple[int, ...]) -> TermAutomaton[TermEntry] | None:
    """Every heard key (`heard`: pinyin_heard_terms' keys) under its near-sound reading, when policy
    near_sound_min_syllables is set (else None): the automaton long name fields are heard with instead."""
    if not least:
        return None
    near = normalizer.pinyin.near_table
    keys: dict[str, list[TermEntry]] = {}
    for key, entries in heard.items():
        keys.setdefault(key.translate(near), []).extend(entries)
    return TermAutomaton(keys, classify=lambda x: entry_class(x, rule_parts), classes=ENTRY_CLASSES)


def compile_set(loaded: LoadedSet, normalizer: Normalizer, previous: Snapshot | None = None) -> Snapshot:
    """Build the immutable snapshot, or raise PackSetError listing every problem. With `previous` built from
    the same inputs but the registry files, only the registries are swapped (packs.registries.rebase)."""
    if previous is not None:
        try:
            rebased = registry_layer.rebase(previous, loaded)
        except registry_layer.RegistryFileError as exc:
            raise PackSetError([PackIssue(str(loaded.root), None, "registry", str(exc))]) from None
        if rebased is not None:
            return rebased
    b = _Builder(normalizer)
    rules: list[CompiledRule[AnyRule]] = []
    packs: list[PackInfo] = []
    pattern_rules: list[int] = []
    fragments: dict[str, None] = {}  # the define fragments of packs with pattern rules, expanded (match/gates.py)
    total_terms = 0
    families: dict[str, Any] = {}  # the registry package's data (packs.registries: FAMILY, BASE, SUFFIXES)
    registries: dict[int, RegistryIndex] = {}
    institution_words: dict[int, InstitutionWords] = {}
    domains: dict[str, str] = {}  # profession code -> domain
    regulated: dict[str, bool] = {}  # profession domain -> regulated
    frame_keys: dict[str, list[tuple[int, int, bool]]] = {}
    frame_gaps: dict[int, Gap] = {}
    heard_frames = _HeardFrames()
    initial_rules: list[InitialsRule] = []  # compose option initials (match/initials.py)
    for p_idx, lp in enumerate(loaded.packs):
        pack = lp.pack
        pack_terms = 0
        for line in _entries(lp, pack.allow, pack.allow_file):
            b.add(line, rule=ALLOW, pack=p_idx, part=-1, sound=False,
                  where=PackIssue(lp.file, None, "allow", ""))
        if any(isinstance(rule, PatternRule) for rule in pack.rules):
            fragments.update(dict.fromkeys(_define_fragments(pack.define, b.n.pinyin.heard)))
        for rule in pack.rules:
            r_idx = len(rules)
            policy = loaded.policy
            reorder = (policy.word_order_joiners, policy.word_order_tails) \
                if isinstance(rule, (TermsRule, ComposeRule)) and rule.word_order else None
            where = PackIssue(lp.file, f"rule {rule.id}", None, "")
            sound = isinstance(rule, (TermsRule, ComposeRule, ProfessionRule, InstitutionNatureRule)) \
                and (rule.homophone or rule.pinyin)
            if isinstance(rule, ProfessionRule):
                _profession_consistency(domains, regulated, rule, b.issues, where)
            if isinstance(rule, (TermsRule, ProfessionRule, InstitutionNatureRule)):  # whole-term entries
                count = 0
                initials = policy.initials_min_syllables if isinstance(rule, TermsRule) and rule.initials else 0
                for line in _entries(lp, rule.terms, rule.terms_file, reorder):
                    count += b.add(line, rule=r_idx, pack=p_idx, part=-1, sound=sound, where=where)
                    if initials:
                        b.add_initials(line, initials, rule=r_idx, pack=p_idx)
                rules.append(CompiledRule(r_idx, pack.name, rule, 0))
                pack_terms += count
            elif isinstance(rule, ComposeRule):
                sizes = []
                lines = [_entries(lp, part.values, part.file, reorder) for part in rule.parts]
                if rule.head_initials:
                    for line in lines[0]:
                        b.add_initials(line, HEAD_INITIALS_MIN, rule=r_idx, pack=p_idx, part=0)
                if rule.tail_initials:
                    for line in lines[-1]:
                        b.add_initials(line, HEAD_INITIALS_MIN, rule=r_idx, pack=p_idx, part=len(lines) - 1)
                if rule.initials and len(lines) == 2:
                    initial_rules.append(InitialsRule(r_idx, p_idx, _initials_table(b.n, lines[0]),
                                                      _initials_table(b.n, lines[1]), _spelt_table(b.n, lines[1])))
                lines[0] = _merge_short_heads(b, lines[0], lines[1], r_idx, p_idx, sound, where)
                for k, part_lines in enumerate(lines):
                    count = 0
                    for line in part_lines:
                        count += b.add(line, rule=r_idx, pack=p_idx, part=k, sound=sound, where=where,
                                       both_swapped=rule.word_swaps and k > 0)
                    sizes.append(count)
                rules.append(CompiledRule(r_idx, pack.name, rule, len(rule.parts)))
                pack_terms += math.prod(sizes)
            elif isinstance(rule, FrameRule):  # heads, tails and exceptions in one automaton (checks/frames.py)
                count = _add_frame(frame_keys, frame_gaps, b.n, r_idx, rule, lp, heard_frames)
                rules.append(CompiledRule(r_idx, pack.name, rule, 0))
                pack_terms += count
            elif isinstance(rule, PatternRule):
                where = PackIssue(lp.file, f"rule {rule.id}", "", "")
                compiled = [p for i, src in enumerate(rule.patterns)
                            if (p := _rule_pattern(b, where, pack.define, src, f"patterns.{i}"))]
                on_line = _rule_pattern(b, where, pack.define, rule.hit_on_line, "hit_on_line") \
                    if rule.hit_on_line else None
                not_whole = _rule_pattern(b, where, pack.define, rule.not_whole, "not_whole", whole=True) \
                    if rule.not_whole else None
                rules.append(CompiledRule(r_idx, pack.name, rule, 0, tuple(compiled), on_line, not_whole))
                pattern_rules.append(r_idx)
            elif isinstance(rule, InstitutionNameRule):  # word lists folded once, read by checks/institution.py
                words: dict[str, dict[str, str]] = defaultdict(dict)  # role -> folded name -> folded canonical
                for part in rule.parts:
                    for line in _entries(lp, part.values, part.file):
                        folded = [f for x in line.split("|") if (f := b.n.folder.fold_text(x.strip()))]
                        words[part.role].update((f, folded[0]) for f in folded)
                institution_words[r_idx] = dict(words)
                rules.append(CompiledRule(r_idx, pack.name, rule, 0))
            elif isinstance(rule, RegistryRule):  # a compiled artifact, memory-mapped (acctcheck.registry)
                rule = registry_layer.with_policy_defaults(rule, policy)
                try:
                    index = registry_layer.open_registry(loaded.root, rule.file, lp.registries[rule.file])
                except registry_layer.RegistryFileError as exc:
                    b.issues.append(PackIssue(lp.file, f"rule {rule.id}", "file", str(exc)))
                else:
                    registries[r_idx] = index
                    pack_terms += index.names
                rules.append(CompiledRule(r_idx, pack.name, rule, 0))
            else:  # a family-specific rule (e.g. image_code) with nothing to compile: its check reads it as is
                rules.append(CompiledRule(r_idx, pack.name, rule, 0))
        total_terms += pack_terms
        packs.append(PackInfo(pack.name, pack.version, lp.file, lp.digest, len(pack.rules), pack_terms))
    if b.issues:
        raise PackSetError(b.issues)
    char_rules = tuple(r.index for r in rules if isinstance(r.rule, CharactersRule))
    characters = None
    if char_rules:  # one regex over every such rule: a clean field costs one C search (checks/characters.py)
        chars = sorted({c for r in rules if isinstance(r.rule, CharactersRule) for c in r.rule.characters})
        characters = CharacterSearch(char_rules, re.compile("[" + "".join(re.escape(c) for c in chars) + "]").search)
    pattern_index = tuple((r, i) for r in pattern_rules for i in range(len(rules[r].patterns)))
    pattern_kinds = [(r, rules[r].rule) for r in pattern_rules]
    across = frozenset(r for r, pr in pattern_kinds if isinstance(pr, PatternRule) and pr.across_fields)
    if across:  # detectors run over the joined fields (checks/contact.py)
        families[ACROSS_FIELDS] = across
    han_cues = tuple(sorted({w for _, pr in pattern_kinds if isinstance(pr, PatternRule) for w in pr.han_cues if w}))
    if han_cues:  # one regex search a field (checks/contact.py): `in` tests cost ~250 instructions a word and field
        families[HAN_CUES] = re.compile("|".join(map(re.escape, sorted(han_cues, key=len, reverse=True))))
    by_account = {
        t: frozenset(r.index for r in rules if t in r.rule.account_types)
        for t in ("personal", "institution")
    }
    by_field = {
        (t, f): frozenset(i for i in by_account[t] if f in rules[i].rule.fields)
        for t in ("personal", "institution") for f in TEXT_FIELDS
    }
    skeleton = dict(b.skeleton)
    rule_parts = tuple(r.parts for r in rules)

    def classify(entry: TermEntry) -> int:
        return entry_class(entry, rule_parts)

    if registries:
        families[registry_layer.FAMILY] = registries
        families[registry_layer.BY_FIELD] = registry_layer.by_field(registries, by_field)
    if frame_gaps:
        families[FRAMES] = _frame_plan(frame_keys, frame_gaps, by_field, heard_frames)
    if initial_rules:
        families[INITIALS] = tuple(initial_rules)
    families[registry_layer.BASE] = loaded.base_revision
    families[registry_layer.SUFFIXES] = registry_layer.folded_suffixes(loaded.policy, normalizer)
    policy = loaded.policy
    heard = {k: kept for k, es in b.pinyin.items()
             if (kept := [e for e in es if not e.typed_only and _heard_by(rules[e.rule].rule, e, policy)])}
    return Snapshot(
        revision=loaded.revision,
        root=str(loaded.root),
        loaded_at=datetime.now(UTC),
        packs=tuple(packs),
        rules=tuple(rules),
        policy=loaded.policy,
        normalizer=normalizer,
        # a place's initials as a compose part (head_initials: hz公安, tail_initials: 平安bj) only in the name
        # fields: in free text those rules inform anyway, and the two-letter keys match inside English words (nn in
        # sunny)
        skeleton_terms=TermAutomaton({k: es for k, es in skeleton.items()
                                      if not (k.isalpha() and all(e.initials and e.part >= 0 for e in es))},
                                     classify=classify, classes=ENTRY_CLASSES),
        one_edit_terms=TermAutomaton(skeleton, keyed=True, halves=half_entries(
            [k for k, es in skeleton.items() if any(e.rule != ALLOW for e in es)], normalizer.shapes),
            classify=classify, classes=ENTRY_CLASSES),
        alike_terms=TermAutomaton(alike_keys([k for k, es in skeleton.items()
                                              if any(e.part < 0 and e.rule != ALLOW and not e.edited for e in es)],
                                             normalizer.shapes)),
        pinyin_terms=TermAutomaton(dict(b.pinyin), classify=classify, classes=ENTRY_CLASSES),
        pinyin_heard_terms=TermAutomaton(heard, classify=classify, classes=ENTRY_CLASSES),
        near_heard_terms=_near_heard(heard, loaded.policy.near_sound_min_syllables, normalizer, rule_parts),
        pattern_rules=tuple(pattern_rules),
        pattern_set=PatternSet([rules[r].patterns[i] for r, i in pattern_index], fragments),
        pattern_index=pattern_index,
        rules_by_account=by_account,
        rules_by_field=by_field,
        term_count=total_terms,
        rule_parts=rule_parts,
        characters=characters,
        institution_words=institution_words,
        families=families,
    )
