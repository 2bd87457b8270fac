"""One Aho-Corasick automaton over every term of every pack, per view.

A pattern string can belong to many rules (the same 人民政府 is a part of several compose rules), so each
distinct string carries a tuple of payloads. Cost per field is proportional to the field length plus the
number of occurrences, not to the number of terms.

The automaton is daachorse's character-wise double array (measured against ahocorasick-rs on the bundled
packs, docs/performance.md): the same overlapping matches in the same order, searches 1.5-2× faster, and it
serialises. A pickled TermAutomaton stores the automaton's bytes, so a worker loads a compiled snapshot
(acctcheck.artifact) in milliseconds instead of rebuilding it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

import daachorse

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
        self._by_key: dict[str, tuple[P, ...]] = dict(zip(keys, self.payloads, strict=True)) if keyed else {}
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
        self._ac = daachorse.CharwiseDoubleArrayAhoCorasick(keys) if keys else None

    def share(self, canon: dict[Any, Any]) -> None:
        """Make equal payload tuples one object, across every automaton given the same `canon` (the skeleton
        and one-edit automata are built apart from the same entries): a third less to store and to load."""
        def one(t: Any) -> Any:  # noqa: ANN401 (a tuple of payloads, or of such tuples)
            return canon.setdefault(t, t)

        self.payloads = [one(p) for p in self.payloads]
        self.groups = [one(tuple(one(g) for g in gs)) for gs in self.groups]
        self._by_key = {k: one(v) for k, v in self._by_key.items()}
        self.halves = [one(h) for h in self.halves]

    def __getstate__(self) -> dict[str, Any]:
        state = {k: getattr(self, k) for k in self.__dict__ if k != "_ac"}
        state["_ac"] = None if self._ac is None else self._ac.serialize()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        blob = state.pop("_ac")
        self.__dict__.update(state)
        self._ac = None if blob is None else daachorse.CharwiseDoubleArrayAhoCorasick.deserialize(blob)

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
        `text`, ordered by end position (the order ahocorasick-rs gave, which the callers were written for)."""
        if self._ac is None or not text:
            return []
        return [(i, a, b) for a, b, i in self._ac.find_overlapping(text)]

    def find(self, text: str) -> Iterator[tuple[tuple[P, ...], int, int]]:
        """Every occurrence (overlapping) as (payloads, start, end) in code points of `text`."""
        payloads = self.payloads
        for idx, start, end in self.matches(text):
            yield payloads[idx], start, end
