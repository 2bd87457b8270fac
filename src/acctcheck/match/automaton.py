"""One Aho-Corasick automaton over every term of every pack, per view.

A pattern string can belong to many rules (the same 人民政府 is a part of several compose rules), so each
distinct string carries a tuple of payloads. Cost per field is proportional to the field length plus the
number of occurrences, not to the number of terms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

import ahocorasick_rs

P = TypeVar("P")


class TermAutomaton(Generic[P]):
    def __init__(self, entries: dict[str, list[P]], *, keyed: bool = False,
                 halves: dict[str, list[Any]] | None = None, classify: Callable[[P], int] | None = None,
                 classes: int = 0) -> None:
        keys = [k for k in entries if k]
        self.payloads: list[tuple[P, ...]] = [tuple(entries[k]) for k in keys]
        # `classify` sorts each key's payloads into `classes` groups once, at build time, so the request path
        # handles a group at a time instead of testing every payload of a common key (a place name that
        # dozens of compose rules start with)
        self.groups: list[tuple[tuple[P, ...], ...]] = []
        if classify is not None:
            self.groups = [self.group(p, classify, classes) for p in self.payloads]
        # exact-key lookup (used by the one-edit matcher) costs a dict of every key: only where asked for
        self._by_key: dict[str, tuple[P, ...]] = dict(zip(keys, self.payloads)) if keyed else {}
        self.size = len(keys)
        # With `halves` (match/fuzzy.py), the halves of the term keys ride in the same automaton, so the
        # one-edit search costs no second pass over the text: `halves[i]` are key i's Half payloads; a key
        # that is only a half has no term payloads.
        self.halves: list[tuple[Any, ...]] = []
        if halves:
            only_halves = [k for k in halves if k and k not in entries]
            keys += only_halves
            self.payloads += [()] * len(only_halves)
            if classify is not None:
                self.groups += [tuple(() for _ in range(classes))] * len(only_halves)
            self.halves = [tuple(halves.get(k, ())) for k in keys]
        self._ac = ahocorasick_rs.AhoCorasick(keys) if keys else None

    @staticmethod
    def group(payloads: tuple[P, ...], classify: Callable[[P], int], classes: int) -> tuple[tuple[P, ...], ...]:
        buckets: list[list[P]] = [[] for _ in range(classes)]
        for p in payloads:
            buckets[classify(p)].append(p)
        return tuple(tuple(b) for b in buckets)

    def lookup(self, key: str) -> tuple[P, ...]:
        """Payloads of one exact key (empty if absent)."""
        return self._by_key.get(key, ())

    def matches(self, text: str) -> list[tuple[int, int, int]]:
        """Every occurrence (overlapping) as (key index into `payloads`, start, end) in code points of
        `text`: the bare list the Rust side builds, for loops on the request path."""
        if self._ac is None or not text:
            return []
        return self._ac.find_matches_as_indexes(text, overlapping=True)

    def find(self, text: str) -> Iterator[tuple[tuple[P, ...], int, int]]:
        """Every occurrence (overlapping) as (payloads, start, end) in code points of `text`."""
        payloads = self.payloads
        for idx, start, end in self.matches(text):
            yield payloads[idx], start, end
