"""Operator-written detectors compiled with RE2 (linear time: a hostile input cannot make a pattern run
away, and a pattern RE2 cannot compile is refused at lint time with RE2's reason)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

import re2

from acctcheck.match.gates import gate_of


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


class CompiledSet(Protocol):
    """What is used of a compiled RE2::Set (the binding has no type information)."""

    def Match(self, text: bytes, /) -> list[int]: ...


class PatternSet:
    """All detector patterns in RE2 sets: one linear pass says which patterns can match at all, so a clean field
    (the usual case) costs one scan, not one per pattern.

    Patterns that cannot match without one of the shared `fragments` (a cue vocabulary: match/gates.py) are not
    in the first set; the fragment is, once, and the patterns that need it are in a second set, scanned only
    where the fragment matched. The indices returned are the same either way."""

    def __init__(self, patterns: list[CompiledPattern], fragments: Iterable[str] = ()) -> None:
        self.size = len(patterns)
        self.sources = [p.source for p in patterns]  # what a pickled snapshot rebuilds the set from
        self.fragments = sorted(set(fragments))
        self._set: CompiledSet | None = None
        self._direct: list[int] = []  # first-set index -> pattern index, for the patterns in it
        self._gated: list[tuple[list[int], CompiledSet]] = []  # per gate in the first set: its patterns, their set
        if not patterns:
            return
        # first-set entries past the direct patterns: a shared gate (its patterns) or one pattern's rest branches
        behind: dict[str, list[int]] = {}
        for i, source in enumerate(self.sources):
            gate = gate_of(source, self.fragments)
            if gate is None:
                self._direct.append(i)
                continue
            behind.setdefault(gate.shared, []).append(i)
            if gate.rest is not None:
                behind.setdefault(gate.rest, []).append(i)
        first = [self.sources[i] for i in self._direct] + list(behind)
        self._gated = [(members, _compiled_set([self.sources[i] for i in members])) for members in behind.values()]
        self._set = _compiled_set(first)

    def __reduce__(self) -> tuple[Callable[[list[str], list[str]], PatternSet], tuple[list[str], list[str]]]:
        """Pickled as its sources: an RE2 set cannot be serialised, it is compiled again on load."""
        return _pattern_set, (self.sources, self.fragments)

    def matching(self, text: str) -> list[int]:
        """Indices (in insertion order of the patterns) of the patterns that match somewhere in text, in no
        particular order."""
        if self._set is None or not text:
            return []
        encoded = text.encode()
        found: list[int] = self._set.Match(encoded)
        if not found:
            return found
        direct = self._direct
        n = len(direct)
        out: list[int] = []
        behind = False
        for j in found:
            if j < n:
                out.append(direct[j])
            else:
                behind = True
                members, gated = self._gated[j - n]
                out.extend(members[k] for k in gated.Match(encoded))
        return list(dict.fromkeys(out)) if behind else out  # a pattern behind two gates that both matched


def _compiled_set(sources: list[str]) -> CompiledSet:
    """The compiled RE2::Set itself: the Python wrapper's Match adds two Python calls (an isinstance test and an
    encode helper) to every request that reaches the set."""
    options = re2.Options()
    options.log_errors = False
    options.max_mem = 64 << 20
    wrapper = re2.Set.SearchSet(options)
    for source in sources:
        wrapper.Add(source)
    wrapper.Compile()
    compiled: CompiledSet = wrapper._set
    return compiled


def _pattern_set(sources: list[str], fragments: list[str]) -> PatternSet:
    return PatternSet([compile_pattern(s) for s in sources], fragments)
