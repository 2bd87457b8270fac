"""match/nesting.drop_nested: the one nested-hit sweep (engine, professions, institution nature words, image
payloads)."""

from __future__ import annotations

from acctcheck.match.nesting import drop_nested


def test_a_hit_inside_a_longer_hit_is_dropped_and_the_order_is_kept() -> None:
    items = ["外交部", "中华人民共和国外交部", "人民", "北京"]
    spans = [(7, 10), (0, 10), (2, 4), (12, 14)]
    assert drop_nested(items, spans) == ["中华人民共和国外交部", "北京"]


def test_equal_spans_overlaps_and_spanless_items_are_kept() -> None:
    items = ["a", "b", "c", "d", "image"]
    spans = [(0, 4), (0, 4), (3, 6), (5, 8), None]  # two hits of one span; overlapping, not nested
    assert drop_nested(items, spans) == items


def test_nesting_counts_only_within_a_group() -> None:
    items = ["long-official", "short-official", "short-media"]
    spans = [(0, 10), (2, 5), (2, 5)]
    groups = ["official", "official", "media"]
    assert drop_nested(items, spans, groups) == ["long-official", "short-media"]


def test_an_item_nested_in_a_dropped_item_is_dropped_too() -> None:
    items = ["inner", "middle", "outer"]
    spans = [(3, 4), (2, 6), (0, 10)]
    assert drop_nested(items, spans) == ["outer"]
