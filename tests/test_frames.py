"""Rule kind `frame`: a division's full name, a few Han characters, an organ-type ending (issue 13 class 3:
organ names with words swapped or reordered that no list holds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from acctcheck.contract import ValidateRequest
from acctcheck.engine import validate
from acctcheck.packs.errors import PackSetError
from acctcheck.ruleset import build_snapshot

PACK = """schema_version: 1
name: frames
version: "1"
description: frame rules under test
rules:
  - id: organ-frame
    kind: frame
    category: official_impersonation
    article: 第八条第（二）项
    action: review
    message: 名称形似地方机关名称：{matched}
    fields: [nickname]
    head: {values: [杭州市|杭州, 延边朝鲜族自治州|延边州|延边]}
    head_endings: 市州
    tail: {values: [局, 委员会, 管理中心]}
    unless: {values: [饭局, 格局]}
    tail_not_before: 长
    max_gap: 6
...
"""

POLICY = "schema_version: 1\n...\n"


@pytest.fixture(scope="module")
def frames_snapshot(tmp_path_factory: pytest.TempPathFactory):
    root: Path = tmp_path_factory.mktemp("frames")
    (root / "frames.yaml").write_text(PACK, encoding="utf-8")
    (root / "policy.yaml").write_text(POLICY, encoding="utf-8")
    return build_snapshot(root, run_examples=False)


def _findings(snapshot, name: str) -> list[tuple[str, str, str]]:
    v = validate(snapshot, ValidateRequest.model_validate({"account_type": "personal", "fields": {"nickname": name}}))
    return [(f.rule_id, f.text, f.method) for f in v.findings]


@pytest.mark.parametrize(("name", "text", "method"), [
    ("杭州市健康卫生委员会", "杭州市健康卫生委员会", "exact"),      # words swapped
    ("延边州运输交通局", "延边州运输交通局", "exact"),              # a short full form (…州) opens a frame
    ("我是杭州市公共安全局", "杭州市公共安全局", "exact"),          # inside a longer text
    ("杭州市·公积金住房·管理中心", "杭州市·公积金住房·管理中心", "separator"),
    ("杭州市衛生健康委員會", "杭州市衛生健康委員會", "traditional"),
    ("杭州市退伍军人事务局", "杭州市退伍军人事务局", "exact"),      # 伍 folds to 5 in the skeleton
])
def test_framed_organ_names_are_found(frames_snapshot, name: str, text: str, method: str) -> None:
    assert _findings(frames_snapshot, name) == [("organ-frame", text, method)]


@pytest.mark.parametrize("name", [
    "杭州市周末饭局",          # an ordinary word closes the frame
    "杭州市美食局长",          # a person's title
    "杭州美食局",              # a bare place name opens no frame (head_endings), though it ends with 州
    "杭州市最好吃的局",        # 的 may not stand in the gap
    "杭州市局",                # min_gap 1
    "杭州市一二三四五六七局",  # more than max_gap characters
    "延边美食委员会",
])
def test_ordinary_names_are_not_frames(frames_snapshot, name: str) -> None:
    assert _findings(frames_snapshot, name) == []


def test_gap_bounds_are_checked_at_load(tmp_path: Path) -> None:
    (tmp_path / "frames.yaml").write_text(PACK.replace("max_gap: 6", "max_gap: 6\n    min_gap: 7"), encoding="utf-8")
    (tmp_path / "policy.yaml").write_text(POLICY, encoding="utf-8")
    with pytest.raises(PackSetError, match="min_gap is greater than max_gap"):
        build_snapshot(tmp_path, run_examples=False)


def test_on_the_bundled_packs_a_frame_gives_way_only_to_a_stronger_or_wider_finding(snapshot) -> None:
    def rules_of(name: str) -> set[str]:
        return {rule for rule, _, _ in _findings(snapshot, name)}

    assert "local-organ-frame/province" not in rules_of("广东省公安厅交通警察总队")  # 广东省公安厅 rejects
    found = rules_of("杭州市健康卫生委员会")  # a shorter review hit (杭州市健 heard as 杭州市监) gives way
    assert "local-organ-frame/prefecture" in found and "division-organ/prefecture" not in found


def test_a_long_framed_name_may_carry_a_look_alike_head_and_ending(snapshot) -> None:
    """match.fuzzy.TWO_EDIT_KEY: 络阳市…管理扃 (a look-alike in the division and in the ending) is a frame too."""
    from acctcheck.contract import ValidateRequest
    from acctcheck.engine import validate
    v = validate(snapshot, ValidateRequest.model_validate({"fields": {"nickname": "络阳市交通运输管理扃"}}))
    assert any(f.rule_id.startswith("local-organ-frame") for f in v.findings), v.findings


def test_a_one_character_ending_counts_in_a_rare_look_alike_only(snapshot) -> None:
    """罔 for 网 (outside GB 2312's common level) is an evasion; 季 for 委 is an ordinary word (杭州市美食季). A
    two-character head swapped for an ordinary word (人氏 for 人民) still counts before an ending."""
    from acctcheck.contract import ValidateRequest
    from acctcheck.engine import validate

    def decision(name: str) -> str:
        return validate(snapshot, ValidateRequest.model_validate({"fields": {"nickname": name}})).decision

    assert decision("人民内参罔") == "review"
    assert decision("人氏内参罔") == "review"
    assert decision("杭州市美食季") == "pass"
    assert decision("人氏内参") == "pass"


def test_a_frame_with_the_homophone_option_is_heard_with_one_sound_alike_per_word(snapshot) -> None:
    """FrameRule.homophone: 委员惠 for 委员会, 空将兵 for 空降兵 (both words swapped in a long name); a
    one-character ending only as written (杭州市美食菊 is no 局), and two swaps in one word are no word."""
    from acctcheck.contract import ValidateRequest
    from acctcheck.engine import validate

    def found(name: str) -> list[tuple[str, str]]:
        v = validate(snapshot, ValidateRequest.model_validate({"fields": {"nickname": name}}))
        return [(f.rule_id, f.method) for f in v.findings]

    assert ("local-organ-frame/prefecture", "homophone") in found("杭州市健康卫生委员惠")
    assert ("military-frame", "homophone") in found("空将兵忒战团")
    assert not found("杭州市美食菊")
    assert not any("frame" in rule for rule, _ in found("杭州市健康卫生围原惠"))  # 委员会 with two swaps


def test_a_frame_typed_in_pinyin_is_heard_as_listed(snapshot) -> None:
    """A made-up outlet or society typed in pinyin (FaZhiXinWenWang, HuaXiaWenHuaXieHui): the frame's words as
    they sound, over the pinyin view; English is no pinyin and stays clear."""
    from acctcheck.contract import ValidateRequest
    from acctcheck.engine import validate

    def methods(name: str) -> set[tuple[str, str]]:
        v = validate(snapshot, ValidateRequest.model_validate({"fields": {"nickname": name}}))
        return {(f.rule_id, f.method) for f in v.findings}

    assert ("media/shape/public-affairs-frame", "pinyin") in methods("FaZhiXinWenWang")
    assert ("national-society-frame", "pinyin") in methods("HuaXiaWenHuaXieHui")
    assert not methods("International Photography Society")


def test_a_numeral_in_a_head_is_its_spelling_not_a_number_style(snapshot) -> None:
    """四 of 四川省 folds to 4 on the skeleton, as ④ does; only ④ is a number style."""

    def method(name: str) -> str:
        request = {"account_type": "personal", "fields": {"nickname": name}}
        v = validate(snapshot, ValidateRequest.model_validate(request))
        return next(f.method for f in v.findings if f.rule_id.startswith("local-organ-frame"))

    assert method("四川省旅游局") == "exact"
    assert method("④川省旅游局") == "number_style"
