"""A view: a transformed string plus, for each of its positions, the span of the original it came from.

The text is built eagerly (C-speed `str.translate`); the offset maps are built only when something asks for
them — a hit to report, `--explain` — so a clean field never pays for them.
"""

from __future__ import annotations

from collections.abc import Callable

Maps = tuple[list[int], list[int], list[int], list[bool]]  # starts, ends, flags, gaps


class View:
    """`text[i]` came from `original[starts[i]:ends[i]]`; `flags[i]` says which folding produced it and
    `gaps[i]` is true when skipped characters (separators, invisibles) stood just before it."""

    __slots__ = ("name", "original", "text", "tokens", "reordered", "_build", "_maps")

    def __init__(self, name: str, original: str, text: str, build: Callable[[], Maps],
                 tokens: list[tuple[int, int, int]] | None = None, reordered: bool = False) -> None:
        self.name = name
        self.original = original
        self.text = text
        # pinyin only: per position the skeleton range [a, b) and flag it came from; None = position i is
        # skeleton position i (Chinese-only text). Lets hits be compared without building offset maps.
        self.tokens = tokens
        # the text is in display order (bidi controls): neighbouring positions need not be neighbours in the
        # original, so a span is the smallest original range covering every position
        self.reordered = reordered
        self._build = build
        self._maps: Maps | None = None

    def _get(self) -> Maps:
        if self._maps is None:
            self._maps = self._build()
        return self._maps

    @property
    def starts(self) -> list[int]:
        return self._get()[0]

    @property
    def ends(self) -> list[int]:
        return self._get()[1]

    @property
    def flags(self) -> list[int]:
        return self._get()[2]

    @property
    def gaps(self) -> list[bool]:
        return self._get()[3]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original span of view positions [start, end)."""
        m = self._get()
        if self.reordered:
            return min(m[0][start:end]), max(m[1][start:end])
        return m[0][start], m[1][end - 1]

    def explain(self) -> list[dict[str, object]]:
        """Per-position mapping, for `acctcheck check --explain`."""
        from acctcheck.normalize.chars import Flag

        starts, ends, flags, gaps = self._get()
        return [
            {
                "i": i,
                "char": ch,
                "from": self.original[starts[i]:ends[i]],
                "span": [starts[i], ends[i]],
                "folds": Flag(flags[i]).names(),
                "gap_before": gaps[i],
            }
            for i, ch in enumerate(self.text)
        ]
