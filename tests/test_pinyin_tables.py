"""The pinyin table read back from the artifact directory (normalize/pinyin._stored_tables): the same tables
as parsing data/pinyin.tsv, a damaged or missing copy is built again, and an unwritable directory only means
building every time."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from acctcheck.normalize import pinyin
from acctcheck.normalize.pinyin import PinyinTable

DATA = resources.files("acctcheck.normalize").joinpath("data/pinyin.tsv").read_bytes()


def fields(t: PinyinTable) -> tuple[object, ...]:
    return (t.syllable_code, t.typed, dict(t.code_table), t._codes, t._syllables, t._crossable.pattern)


def test_stored_tables_are_the_parsed_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCTCHECK_ARTIFACT_DIR", str(tmp_path))
    first = PinyinTable.build()  # parses and stores
    (stored,) = (tmp_path / ".normalize").glob("pinyin-*.marshal")
    calls: list[bytes] = []
    monkeypatch.setattr(pinyin, "_tables", lambda data: calls.append(data) or pytest.fail("parsed again"))
    second = PinyinTable.build()
    assert calls == [] and fields(second) == fields(first)
    assert second.code_table[ord("国")] == second.syllable_code["guo"]
    assert second.code_table[ord("a")] == pinyin.BREAK  # __missing__ survives the stored form
    stored.write_bytes(b"not marshal")
    monkeypatch.undo()
    monkeypatch.setenv("ACCTCHECK_ARTIFACT_DIR", str(tmp_path))
    assert fields(PinyinTable.build()) == fields(first)  # damaged: built again and stored again
    assert stored.read_bytes() != b"not marshal"


def test_an_unwritable_directory_builds_every_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("ACCTCHECK_ARTIFACT_DIR", str(blocker / "below-a-file"))
    assert fields(PinyinTable.build())[0] == pinyin._tables(DATA)[0]
