"""The one nested-hit sweep: a hit lying inside a longer hit of its group adds nothing (外交部 inside
中华人民共和国外交部, 医师 inside 兽医师, 基金 inside 基金会). The engine runs it over every finding of a request
(grouped by field and category); checks run it where the longer hit must decide before anything is reported."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

T = TypeVar("T")
Span = tuple[int, int]


def drop_nested(items: Sequence[T], spans: Sequence[Span | None], groups: Sequence[Hashable] | None = None
                ) -> list[T]:
    """`items` less those whose span (`spans[i]`) lies inside another item's different span of the same group
    (`groups[i]`; None: all one group); items without a span are kept. The order of `items` is kept. One sweep
    in start order (longest first at equal starts) against the farthest-reaching span of each group: linear
    after the sort."""
    if len(items) < 2:
        return list(items)
    starts = [(-1, 0) if sp is None else (sp[0], -sp[1]) for sp in spans]
    dropped: set[int] = set()
    reach: dict[Hashable, Span] = {}
    for i in sorted(range(len(items)), key=starts.__getitem__):
        sp = spans[i]
        if sp is None:
            continue
        g = groups[i] if groups is not None else None
        far = reach.get(g)
        if far is None or sp[1] > far[1]:
            reach[g] = sp
        elif sp != far:
            dropped.add(i)
    return [x for i, x in enumerate(items) if i not in dropped] if dropped else list(items)
