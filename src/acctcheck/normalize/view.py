"""A view: a transformed string plus, for each of its positions, the span of the original it came from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class View:
    """`text[i]` came from `original[starts[i]:ends[i]]`; `flags[i]` says which folding produced it and
    `gaps[i]` is true when skipped characters (separators, invisibles) stood just before it."""

    name: str
    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    flags: tuple[int, ...]
    gaps: tuple[bool, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original span of view positions [start, end)."""
        return self.starts[start], self.ends[end - 1]

    def explain(self) -> list[dict[str, object]]:
        """Per-position mapping, for `acctcheck check --explain`."""
        from acctcheck.normalize.chars import Flag

        return [
            {
                "i": i,
                "char": ch,
                "from": self.original[self.starts[i]:self.ends[i]],
                "span": [self.starts[i], self.ends[i]],
                "folds": Flag(self.flags[i]).names(),
                "gap_before": self.gaps[i],
            }
            for i, ch in enumerate(self.text)
        ]
