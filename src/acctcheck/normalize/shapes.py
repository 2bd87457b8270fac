"""Similar-shape characters and split forms, for matching a term with ONE visual edit.

Look-alike *folding* (chars.py) only maps rare characters, because folding a common character would corrupt
ordinary text. Users also swap a common character for another that looks like it (深圳市公安扃, 河南曰报) or
write one character as two (夕卜交部 for 外交部). Those are caught by matching, not folding: a term with
one half matching exactly and the other half within one such edit (match/fuzzy.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources

from acctcheck.normalize.chars import gb2312_lead


def _lines(name: str) -> list[list[str]]:
    path = resources.files("acctcheck.normalize").joinpath(f"data/{name}")
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            out.append(line.split("\t"))
    return out


@dataclass(frozen=True)
class ShapeTables:
    similar: dict[str, frozenset[str]]  # char -> characters that look like it (symmetric)
    splits: dict[str, str]  # two characters written side by side -> the character they imitate
    words: frozenset[str] = frozenset()  # ordinary two- and three-character words (data/words.txt): no variant
    # str.translate table: every character of a group of look-alikes (the pairs joined) to the group's first
    # character, so a name and any spelling of it with look-alike swaps read the same (match/fuzzy.py alike)
    classes: dict[int, str] = field(default_factory=dict)
    # `similar` less the component swaps (one right-hand body, another radical: 院/浣, 组/阻) and the radical drops
    # (协/办, 警/敬: a character and its larger part alone). Those are checked
    # when a text is matched against a name with an intact half; spellings written into the index for short
    # keys and parts (variants) use only these closer pairs, since a swapped radical on a two-character word
    # (惊报 for 琼报) is as often an ordinary word.
    near: dict[str, frozenset[str]] = field(default_factory=dict)
    split_of: dict[str, tuple[str, ...]] = field(default_factory=dict)  # `splits` the other way: 法 -> (氵去,)
    # char -> (layout, part, part) from cjk-decomp (data/char_parts.tsv), for share_part
    parts: dict[str, tuple[str, str, str]] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls) -> ShapeTables:
        sim: dict[str, set[str]] = {}
        near: dict[str, set[str]] = {}
        for cols in _lines("similar_shapes.tsv"):
            if len(cols) < 2 or len(cols[0]) != 1:
                continue
            a = cols[0]
            for b in cols[1]:
                if b != a and not b.isspace():
                    for table in (sim, near) if cols[2:3] not in (["component"], ["radical"]) else (sim,):
                        table.setdefault(a, set()).add(b)
                        table.setdefault(b, set()).add(a)
        splits = {cols[0]: cols[1] for cols in _lines("split_forms.tsv")
                  if len(cols) >= 2 and len(cols[0]) == 2 and len(cols[1]) == 1}
        words = frozenset(cols[0] for cols in _lines("words.txt") if len(cols[0]) in (2, 3))
        split_of: dict[str, list[str]] = {}
        for pair, ch in splits.items():
            split_of.setdefault(ch, []).append(pair)
        parts = {cols[0]: (cols[1], cols[2], cols[3]) for cols in _lines("char_parts.tsv")
                 if len(cols) == 4 and len(cols[0]) == 1}
        return cls({k: frozenset(v) for k, v in sim.items()}, splits, words, _classes(near),
                   {k: frozenset(v) for k, v in near.items()}, {k: tuple(v) for k, v in split_of.items()}, parts)

    def variants(self, key: str, positions: range | None = None, words: bool = False) -> list[str]:
        """`key` with one character (at `positions`, default any) swapped for a similar shape, less ordinary
        words (春节 is no look-alike of 奉节) unless `words`: the spellings a one-edit index adds for short keys."""
        out = []
        for i in positions if positions is not None else range(len(key)):
            for alike in self.near.get(key[i], ()):
                variant = key[:i] + alike + key[i + 1:]
                if words or variant not in self.words:
                    out.append(variant)
        return out

    def split_variants(self, key: str, positions: range) -> list[str]:
        """`key` with the character at one of `positions` written as the two that imitate it (司氵去部 for 司法部,
        光日月网 for 光明网): the spellings a one-edit index adds where no intact half finds the split."""
        out = []
        for i in positions:
            for pair in self.split_of.get(key[i], ()):
                out.append(key[:i] + pair + key[i + 1:])
        return out

    def rare_variants(self, ch: str) -> list[str]:
        """The similar shapes of the single character `ch` that are rare (outside GB 2312's first level, the
        3,755 common characters): 罔 for 网, 扃 for 局, 囝 for 团. A one-character word swapped for a common one (季
        for 委: 杭州市美食季) is an ordinary word, for a rare one an evasion."""
        return [alike for alike in self.near.get(ch, ()) if not _common(alike)]

    def both_swapped(self, key: str) -> list[str]:
        """A two-character `key` with both characters swapped for similar shapes (冈擎 for 网警), less ordinary
        words: for a word that follows an exact place (compose option word_swaps)."""
        return [a + b for a in self.near.get(key[0], ()) for b in self.near.get(key[1], ())
                if a + b not in self.words]

    def share_part(self, typed: str, wanted: str) -> bool:
        """`typed` keeps one of `wanted`'s two parts in the same place and changes the other (倍 for 信, 恣 for 态,
        纽 for 组, 睌 for 晚): the swap every held-out table's look-alike misses had in common, and one no pair list
        can hold in full. Weak evidence: the matcher takes it only inside long names (match/fuzzy.py)."""
        a = self.parts.get(typed)
        b = self.parts.get(wanted)
        return a is not None and b is not None and a[0] == b[0] and (a[1] == b[1]) != (a[2] == b[2])

    def alike(self, typed: str, wanted: str, wide: bool = True) -> bool:
        """`typed` looks like `wanted`; a component swap counts only when `wide` (in a long enough name)."""
        return wanted in (self.similar if wide else self.near).get(typed, ())


def _classes(similar: dict[str, set[str]]) -> dict[int, str]:
    """The look-alike groups (characters joined by similar pairs; the largest holds ten) as a translate table
    to each group's first character. Component swaps (路/略/洛/络…: one body, many radicals) are left out: they
    would chain whole families into one group and let any radical stand for any other."""
    first: dict[str, str] = {}
    for ch in sorted(similar):
        if ch in first:
            continue
        group, todo = {ch}, [ch]
        while todo:
            for other in similar[todo.pop()]:
                if other not in group:
                    group.add(other)
                    todo.append(other)
        for member in group:
            first[member] = min(group)
    return {ord(c): r for c, r in first.items() if c != r}


def _common(ch: str) -> bool:
    """In GB 2312's first level: the common characters of everyday text."""
    return 0xB0 <= gb2312_lead(ch) <= 0xD7
