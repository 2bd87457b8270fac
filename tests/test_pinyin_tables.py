"""The pinyin table read back from the artifact directory (normalize/pinyin._stored_tables): the same tables
as parsing data/pinyin.tsv, a damaged or missing copy is built again, and an unwritable directory only means
building every time."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from acctcheck.normalize import pinyin
from acctcheck.normalize.pinyin import PinyinTable
from acctcheck.packs.snapshot import Snapshot

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


def test_a_many_heteronym_name_is_indexed_with_single_reading_changes_for_typed_pinyin() -> None:
    """南方都市报 has 32 reading combinations, more than term_keys indexes: the uncommon reading of one character
    (都 as du in 都市) is still a key for typed pinyin, and a name with few combinations needs no variants."""
    from acctcheck.normalize.normalizer import default_normalizer
    table = default_normalizer().pinyin
    code = table.syllable_code
    dushi = "".join(code[s] for s in ("nan", "fang", "du", "shi", "bao"))
    assert dushi not in table.term_keys("南方都市报")
    assert dushi in table.reading_variants("南方都市报")
    assert table.reading_variants("北京") == []


@pytest.mark.parametrize(("name", "flagged"), [("nanfang dushibao", True), ("南方dushibao", True),
                                               ("长安棋局", False)])
def test_reading_variants_match_typed_pinyin_only(snapshot: Snapshot, name: str, flagged: bool) -> None:
    """Typed in Latin, 都 read du finds 南方都市报; heard in Han characters, the uncommon reading of 车 (ju)
    would turn the chess phrase 长安棋局 into 长安汽车, so variants are typed-only keys."""
    from acctcheck.contract import ValidateRequest
    from acctcheck.engine import validate
    v = validate(snapshot, ValidateRequest.model_validate({"fields": {"nickname": name}}))
    assert (v.decision != "pass") is flagged, v.findings
