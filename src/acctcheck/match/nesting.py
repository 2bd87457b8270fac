"""The one nested-hit sweep: a hit lying inside a longer hit of its group adds nothing (外交部 inside
中华人民共和国外交部, 医师 inside 兽医师, 基金 inside 基金会). The engine runs it over every finding of a request
(grouped by field and category); checks run it where the longer hit must decide before anything is reported."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

T = TypeVar("T")
Span = tuple[int, int]


def _one_group(_: object) -> None:
    return None


def _start_order(span: Span | None) -> tuple[int, int]:
    return (span[0], -span[1]) if span is not None else (-1, 0)


def drop_nested(items: Sequence[T], span: Callable[[T], Span | None],
                group: Callable[[T], Hashable] = _one_group) -> list[T]:
    """`items` less those whose span lies inside another item's different span of the same group; items
    without a span are kept. The order of `items` is kept. One sweep in start order (longest first at equal
    starts) against the farthest-reaching span of each group: linear after the sort."""
    n = len(items)
    if n < 2:
        return list(items)
    spans = [span(x) for x in items]
    keep = [True] * n
    reach: dict[Hashable, Span] = {}
    for i in sorted(range(n), key=lambda i: _start_order(spans[i])):
        sp = spans[i]
        if sp is None:
            continue
        g = group(items[i])
        far = reach.get(g)
        if far is not None and sp[1] <= far[1] and sp != far:
            keep[i] = False
            continue
        if far is None or sp[1] > far[1]:
            reach[g] = sp
    return [x for x, k in zip(items, keep, strict=True) if k]
