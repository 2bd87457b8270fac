"""PatternRule.hit_on_line and the contact pack's cue-on-line rule: a cue found anywhere on a line lets the rule
read an ID anywhere on that line, and nowhere else. The ordinary lines it must leave alone (a word and a code beside
a cue word: C++ leetcode300, a7m4 + sigma35) are with the window rules' in tests/test_names_and_windows.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from acctcheck.contract import ValidateRequest
from acctcheck.engine import validate
from acctcheck.packs.errors import PackSetError
from acctcheck.packs.snapshot import Snapshot
from acctcheck.ruleset import build_snapshot
from tests.conftest import MINI_POLICY

_PACK = """schema_version: 1
name: mini
version: '1'
description: d
rules:
  - id: on-line
    kind: pattern
    category: contact_smuggling
    article: 第八条第（六）项
    action: review
    message: '{text}'
    patterns: ['(?:^|[^a-z])v(?:[^a-z]|$)']
    hit_on_line: '%s'
    min_digits: 2
"""


def decide(snapshot: Snapshot, **fields: str) -> tuple[str, list[str]]:
    v = validate(snapshot, ValidateRequest.model_validate({"fields": fields}))
    return v.decision, sorted(f"{f.rule_id}:{f.action}:{f.text}" for f in v.findings)


def _build(tmp_path: Path, pack: str) -> Snapshot:
    (tmp_path / "policy.yaml").write_text(MINI_POLICY, encoding="utf-8")
    (tmp_path / "mini.yaml").write_text(pack, encoding="utf-8")
    return build_snapshot(tmp_path)


def _mini(tmp_path: Path, on_line: str) -> Snapshot:
    return _build(tmp_path, _PACK % on_line)


def test_the_hit_is_found_anywhere_on_the_cues_line(tmp_path: Path) -> None:
    snap = _mini(tmp_path, "[a-z]+[0-9]+")
    assert decide(snap, nickname="小鱼", bio="abc123 随便写了很多很多很多很多很多的字 v") == \
        ("review", ["on-line:review:abc123"])
    assert decide(snap, nickname="小鱼", bio="v 随便写了很多很多很多很多很多的字 abc123") == \
        ("review", ["on-line:review:abc123"])


def test_other_fields_are_not_read(tmp_path: Path) -> None:
    """A field is one line of the contact view (a line break inside a bio is folded away)."""
    snap = _mini(tmp_path, "[a-z]+[0-9]+")
    assert decide(snap, nickname="abc123", bio="v 你好")[0] == "pass"
    assert decide(snap, nickname="小鱼 v", signature="abc123")[0] == "pass"


def test_a_hit_overlapping_the_cue_is_dropped(tmp_path: Path) -> None:
    """The cue found the line; `v 12` is the cue and a number, not an ID after it."""
    snap = _mini(tmp_path, "v[^a-z]*[0-9]+")
    assert decide(snap, nickname="小鱼", bio="v 12")[0] == "pass"


def test_a_hit_on_line_pattern_re2_cannot_compile_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PackSetError) as err:
        _mini(tmp_path, "(?<=a)b")
    assert any(i.field == "hit_on_line" for i in err.value.issues), err.value.issues


@pytest.mark.parametrize("fields", [
    {"nickname": "阿杰｜伽V 或 私我 yq·lin52"},
    {"nickname": "小鱼", "bio": "tiantian0927 是我的v 看到回"},
    {"nickname": "小鱼", "bio": "嘉我 chenmo3360 拿货价 老家江西"},
    {"nickname": "小鱼", "bio": "w-chat 在下面 备注来意 mumu_2207"},
    {"nickname": "小鱼", "bio": "xx号 zhiqiu8866 诚信经营"},
])
def test_a_cue_and_an_id_apart_on_one_line_are_read(snapshot: Snapshot, fields: dict[str, str]) -> None:
    decision, findings = decide(snapshot, **fields)
    assert decision != "pass", findings


_HEARD_PACK = """schema_version: 1
name: mini
version: '1'
description: d
rules:
  - id: heard
    kind: pattern
    category: contact_smuggling
    article: 第八条第（六）项
    action: review
    message: '{text}'
    patterns: ['[{heard:%s}]信[:：](?P<hit>[a-z]+[0-9]+)']
"""


def _heard(tmp_path: Path, syllable: str) -> Snapshot:
    return _build(tmp_path, _HEARD_PACK % syllable)


def test_heard_stands_for_every_character_of_a_reading(tmp_path: Path) -> None:
    """{heard:wei} in a pattern is the characters whose most common reading is wei (the pinyin table's)."""
    snap = _heard(tmp_path, "wei")
    for cue in ("微", "苇", "潍", "帷", "韦"):
        assert decide(snap, nickname="小鱼", bio=f"{cue}信：ab12") == ("review", ["heard:review:ab12"]), cue
    assert decide(snap, nickname="小鱼", bio="新信：ab12")[0] == "pass"


def test_a_reading_no_character_has_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PackSetError) as err:
        _heard(tmp_path, "qqq")
    assert any("no character reads 'qqq'" in i.message for i in err.value.issues), err.value.issues


@pytest.mark.parametrize("fields", [
    {"nickname": "小鱼", "bio": "苇信：mumu_3321"},
    {"nickname": "小鱼", "bio": "加潍：mumu_3321"},
    {"nickname": "小鱼", "bio": "寇扣 29384755"},
])
def test_a_cue_heard_through_any_character_is_read(snapshot: Snapshot, fields: dict[str, str]) -> None:
    assert decide(snapshot, **fields)[0] != "pass"


@pytest.mark.parametrize("nickname", ["张佳伟 zjw2000", "李家伟lijiawei24", "王嘉维 wjw1990", "小企鹅xiaoqie44"])
def test_names_that_sound_like_a_cue_pass(snapshot: Snapshot, nickname: str) -> None:
    """佳伟 and 家伟 are given names, not 加威 (only 加 itself opens the 加 + wei cue)."""
    assert decide(snapshot, nickname=nickname) == ("pass", [])
