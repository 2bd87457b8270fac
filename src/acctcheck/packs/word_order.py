"""Word-order variants of multi-part organ names (Article 8(2): 仿冒 by reordering).

Impersonators keep every word of a real organ's name and swap the two halves around the joiner:
社会保障和人力资源局 for 人力资源和社会保障局, 改革和发展委员会 for 发展和改革委员会. Indexing the variants at compile
time keeps the request path unchanged (one automaton pass, no per-request permutation).
"""

from __future__ import annotations

MIN_HALF = 2  # a half shorter than this is a character, not a word (and 和 inside 和平 must not split)


def word_order_variants(name: str, joiners: str, tails: list[str]) -> list[str]:
    """`A和B<tail>` -> `B和A<tail>`, `AB<tail>`, `BA<tail>` (the tail is the organ-type ending, kept last).

    Only names with exactly one joiner between two halves of MIN_HALF+ characters are varied: a name such as
    中国人民政治协商会议 has no joiner and 和平区 has no second half."""
    cuts = [i for i, ch in enumerate(name) if ch in joiners]
    if len(cuts) != 1:
        return []
    j = cuts[0]
    left, rest = name[:j], name[j + 1:]
    tail = next((t for t in sorted(tails, key=len, reverse=True)
                 if rest.endswith(t) and len(rest) - len(t) >= MIN_HALF), "")
    right = rest[: len(rest) - len(tail)]
    if len(left) < MIN_HALF or len(right) < MIN_HALF:
        return []
    joiner = name[j]
    out = [right + joiner + left + tail, left + right + tail, right + left + tail]
    return [v for v in dict.fromkeys(out) if v != name]


def expand_line(line: str, joiners: str, tails: list[str]) -> str:
    """A `canonical|alias…` term line with every name's variants appended as aliases (canonical stays first)."""
    names = [x.strip() for x in line.split("|") if x.strip()]
    extra = [v for n in names for v in word_order_variants(n, joiners, tails)]
    if not extra:
        return line
    return "|".join(dict.fromkeys(names + extra))
