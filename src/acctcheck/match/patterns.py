"""Operator-written detectors compiled with RE2 (linear time: a hostile input cannot make a pattern run
away, and a pattern RE2 cannot compile is refused at lint time with RE2's reason)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

import re2


class PatternError(ValueError):
    pass


class _Match(Protocol):
    def start(self, group: int, /) -> int: ...
    def end(self, group: int, /) -> int: ...


class Regex(Protocol):
    """What is used of a compiled RE2 expression (the binding has no type information)."""

    def finditer(self, text: str, /) -> Iterator[_Match]: ...
    def search(self, text: str, /) -> _Match | None: ...


@dataclass(frozen=True)
class CompiledPattern:
    source: str
    regex: Regex
    hit_group: int  # 0 = whole match

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        g = self.hit_group
        for m in self.regex.finditer(text):
            s, e = m.start(g), m.end(g)
            if s >= 0 and e > s:
                yield s, e


def compile_pattern(source: str) -> CompiledPattern:
    options = re2.Options()
    options.max_mem = 8 << 20
    options.log_errors = False
    try:
        regex = re2.compile(source, options)
    except re2.error as exc:
        raise PatternError(f"RE2 cannot compile the pattern: {exc}") from None
    except Exception as exc:  # the binding raises plain errors for some syntax
        raise PatternError(f"RE2 cannot compile the pattern: {exc}") from None
    group = regex.groupindex.get("hit", 0)
    return CompiledPattern(source, regex, group)


class PatternSet:
    """All detector patterns in one RE2 set: one linear pass says which patterns can match at all, so a
    clean field (the usual case) costs one scan, not one per pattern."""

    def __init__(self, patterns: list[CompiledPattern]) -> None:
        self.size = len(patterns)
        self.sources = [p.source for p in patterns]  # what a pickled snapshot rebuilds the set from
        self._set = None
        if patterns:
            options = re2.Options()
            options.log_errors = False
            options.max_mem = 64 << 20
            wrapper = re2.Set.SearchSet(options)
            for p in patterns:
                wrapper.Add(p.source)
            wrapper.Compile()
            # the compiled RE2::Set itself: its Python wrapper's Match adds two Python calls (an isinstance test
            # and an encode helper) to every request that reaches the set
            self._set = wrapper._set

    def __reduce__(self) -> tuple[Callable[[list[str]], PatternSet], tuple[list[str]]]:
        """Pickled as its sources: an RE2 set cannot be serialised, it is compiled again on load."""
        return _pattern_set, (self.sources,)

    def matching(self, text: str) -> list[int]:
        """Indices (in insertion order) of the patterns that match somewhere in text."""
        if self._set is None or not text:
            return []
        found: list[int] = self._set.Match(text.encode())
        return found


def _pattern_set(sources: list[str]) -> PatternSet:
    return PatternSet([compile_pattern(s) for s in sources])
