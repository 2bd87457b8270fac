"""One Aho-Corasick automaton over every term of every pack, per view.

A pattern string can belong to many rules (the same 人民政府 is a part of several compose rules), so each
distinct string carries a tuple of payloads. Cost per field is proportional to the field length plus the
number of occurrences, not to the number of terms.

The automaton is daachorse's character-wise double array (measured against ahocorasick-rs on the bundled
packs, docs/performance.md): the same overlapping matches in the same order, searches 1.5-2× faster, and it
serialises. A pickled TermAutomaton stores the automaton's bytes, so a worker loads a compiled snapshot
(acctcheck.artifact) in milliseconds instead of rebuilding it.

The payloads are pickled per key into one byte string and decoded the first time a key is found (`matches`
fills the lists): a worker starting from an artifact would otherwise build ~160k payload objects before it
serves anything (~0.2 s of its start), and most keys never occur in the text a worker sees.
"""

from __future__ import annotations

import pickle
from array import array
from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

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
        self._by_key: dict[str, int] = {k: i for i, k in enumerate(keys)} if keyed else {}
        self.size = len(keys)
        self._blob = b""  # a loaded artifact's payloads, pickled per key (see the module docstring)
        self._offsets: array[int] = array("Q")
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

    def __getstate__(self) -> dict[str, Any]:
        self._load_all()
        state = {k: getattr(self, k) for k in self.__dict__
                 if k not in ("_ac", "payloads", "groups", "halves", "_blob", "_offsets")}
        state["_ac"] = None if self._ac is None else self._ac.serialize()
        pieces = [pickle.dumps((p, self.groups[i] if self.groups else None, self.halves[i] if self.halves else None),
                               protocol=pickle.HIGHEST_PROTOCOL) for i, p in enumerate(self.payloads)]
        offsets = array("Q", [0])
        for piece in pieces:
            offsets.append(offsets[-1] + len(piece))
        state["_blob"] = b"".join(pieces)
        state["_offsets"] = offsets.tobytes()
        state["_shape"] = (len(self.payloads), bool(self.groups), bool(self.halves))
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        blob = state.pop("_ac")
        n, grouped, halved = state.pop("_shape")
        offsets = array("Q")
        offsets.frombytes(state.pop("_offsets"))
        self.__dict__.update(state)
        self._offsets = offsets
        # None until decoded (_load): every reader gets its indices from matches() or lookup(), which decode
        # first, so the element type the readers see holds
        self.payloads = cast(list[tuple[P, ...]], [None] * n)
        self.groups = cast(list[tuple[tuple[P, ...], ...]], [None] * n if grouped else [])
        self.halves = cast(list[tuple[Any, ...]], [None] * n if halved else [])
        self._ac = None if blob is None else daachorse.CharwiseDoubleArrayAhoCorasick.deserialize(blob)

    def _load(self, i: int) -> None:
        """Decode key i's payloads (and groups and halves) from the artifact's bytes."""
        p, g, h = pickle.loads(self._blob[self._offsets[i]:self._offsets[i + 1]])
        if self.groups:
            self.groups[i] = g
        if self.halves:
            self.halves[i] = h
        self.payloads[i] = p  # last: a filled payload slot means the key is decoded

    def _load_all(self) -> None:
        if self._blob:
            for i, p in enumerate(self.payloads):
                if p is None:
                    self._load(i)

    @staticmethod
    def group(payloads: tuple[P, ...], classify: Callable[[P], int], classes: int) -> tuple[tuple[P, ...], ...]:
        buckets: list[list[P]] = [[] for _ in range(classes)]
        for p in payloads:
            buckets[classify(p)].append(p)
        return tuple(tuple(b) for b in buckets)

    def lookup(self, key: str) -> tuple[P, ...]:
        """Payloads of one exact key (empty if absent)."""
        i = self._by_key.get(key)
        if i is None:
            return ()
        if self.payloads[i] is None:
            self._load(i)
        return self.payloads[i]

    def matches(self, text: str) -> list[tuple[int, int, int]]:
        """Every occurrence (overlapping) as (start, end, key index into `payloads`) in code points of
        `text`, ordered by end position (callers that complete compose chains rely on it). The payloads,
        groups and halves of every key found are decoded when this returns."""
        if self._ac is None or not text:
            return []
        found: list[tuple[int, int, int]] = self._ac.find_overlapping(text)
        if self._blob:
            payloads = self.payloads
            for _, _, i in found:
                if payloads[i] is None:  # type-wise never (see __setstate__); decoded on first sight
                    self._load(i)
        return found

