"""Parsed pack files cached by content (packs/parsed_cache.py): the second load of the same bytes parses
nothing, a damaged cache entry is parsed again, and a file that does not parse is never stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from acctcheck.packs import parsed_cache


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ACCTCHECK_ARTIFACT_DIR", str(tmp_path))
    return tmp_path / ".parsed"


def test_parsed_once_then_read(cache: Path) -> None:
    calls: list[bytes] = []

    def parse(data: bytes) -> object:
        calls.append(data)
        return {"terms": [data.decode()]}

    assert parsed_cache.parsed(b"a: 1", parse) == {"terms": ["a: 1"]}
    assert parsed_cache.parsed(b"a: 1", parse) == {"terms": ["a: 1"]}
    assert calls == [b"a: 1"]
    assert parsed_cache.parsed(b"a: 2", parse) == {"terms": ["a: 2"]}  # other bytes, another entry
    assert len(calls) == 2


def test_damaged_entry_is_parsed_again(cache: Path) -> None:
    parsed_cache.parsed(b"x", lambda d: [1])
    (entry,) = cache.glob("*.pickle")
    entry.write_bytes(b"not a pickle")
    assert parsed_cache.parsed(b"x", lambda d: [2]) == [2]


def test_a_parse_error_is_not_stored(cache: Path) -> None:
    def broken(data: bytes) -> object:
        raise ValueError("bad yaml")

    with pytest.raises(ValueError, match="bad yaml"):
        parsed_cache.parsed(b"y", broken)
    assert not list(cache.glob("*.pickle"))
