"""Evasions inside composed names (issue 13, classes 4 and 7), on the bundled packs: a two-character organ or
media word with one character swapped for a similar shape, and a composed name typed in pinyin whose letters
the segmenter reads across a syllable boundary (pingan: pin gan, not ping an)."""

from __future__ import annotations

import pytest

from acctcheck.contract import ValidateRequest
from acctcheck.engine import validate
from acctcheck.normalize.normalizer import Normalizer


def _nickname(snapshot, name: str) -> list[tuple[str, str, str]]:
    v = validate(snapshot, ValidateRequest.model_validate({"account_type": "personal", "fields": {"nickname": name}}))
    return [(f.category, f.method, f.matched) for f in v.findings]


@pytest.mark.parametrize(("name", "matched"), [
    ("上海友布", "上海发布"),  # 友 for 发
    ("深圳公妥", "深圳公安"),  # 妥 for 安
    ("杭州交擎", "杭州交警"),  # 擎 for 警
    ("人氏网", "人民网"),      # the middle of a three-character name, which no intact half covers
    ("甘肃共责团", "甘肃共青团"),
])
def test_a_look_alike_inside_a_two_character_part_is_a_one_edit_spelling(snapshot, name: str, matched: str) -> None:
    found = _nickname(snapshot, name)
    assert any(m == "lookalike" and x == matched for _, m, x in found), found
    v = validate(snapshot, ValidateRequest.model_validate({"account_type": "personal", "fields": {"nickname": name}}))
    assert v.decision == "review"  # an edit inside a two-character word is weak evidence: a person decides


@pytest.mark.parametrize("name", ["平安春节", "春节快乐", "通红的脸"])
def test_a_variant_that_is_an_ordinary_word_is_not_indexed(snapshot, name: str) -> None:
    assert not any(m == "lookalike" for _, m, _ in _nickname(snapshot, name))


@pytest.mark.parametrize(("name", "matched"), [
    ("pinganbeijing", "平安北京"),
    ("pingan_beijing", "平安北京"),
    ("hunanfabu", "湖南发布"),
    ("xianfabu", "西安发布"),
])
def test_typed_pinyin_is_read_as_the_segmenter_reads_it(snapshot, name: str, matched: str) -> None:
    assert any(m == "pinyin" and x == matched for _, m, x in _nickname(snapshot, name)), _nickname(snapshot, name)


def test_a_typed_reading_never_matches_as_a_homophone(snapshot) -> None:
    """平安北京 is also indexed under pin gan bei jing for typed Latin; Han text that reads so is no homophone."""
    table = Normalizer().pinyin
    key = table.term_keys("平安")[0]
    assert table.typed_key(key) is not None
    assert _nickname(snapshot, "品干北京") == []


def test_typed_key_is_none_when_letters_read_as_written() -> None:
    table = Normalizer().pinyin
    assert table.typed_key(table.term_keys("北京")[0]) is None  # no boundary letters could cross
    assert table.typed_key(table.term_keys("人民日报")[0]) is None


@pytest.mark.parametrize(("name", "matched"), [
    ("络阳市劳动和社会保障局", "络阳市劳动和社会保障局"),  # 络 for 洛 in a frame's head
    ("广州市出境入境管理扃", "广州市出境入境管理扃"),      # 扃 for 局 in its ending
])
def test_a_frame_sees_one_look_alike_in_its_head_or_ending(snapshot, name: str, matched: str) -> None:
    v = validate(snapshot, ValidateRequest.model_validate({"account_type": "personal", "fields": {"nickname": name}}))
    assert [(f.rule_id, f.method, f.matched) for f in v.findings if f.rule_id.startswith("local-organ-frame/")] == [
        (f"local-organ-frame/{'prefecture'}", "lookalike", matched)]
    assert v.decision == "review"


def test_a_one_character_ending_has_no_look_alike_spelling(snapshot) -> None:
    assert _nickname(snapshot, "杭州市旅游淡季") == []  # 季 looks like 委, but one character is too little


@pytest.mark.parametrize(("name", "matched"), [("rmrb", "人民日报"), ("RMRB", "人民日报"), ("ysxw", "央视新闻")])
def test_a_central_name_typed_as_its_initials_is_reviewed(snapshot, name: str, matched: str) -> None:
    v = validate(snapshot, ValidateRequest.model_validate({"account_type": "personal", "fields": {"nickname": name}}))
    assert any(f.method == "pinyin" and f.matched == matched for f in v.findings), v.findings
    assert v.decision == "review"  # four letters: a person decides (policy.initials_certainty)


@pytest.mark.parametrize("name", ["rmrbq", "xrmrb", "rmb", "hello"])
def test_initials_match_only_as_a_whole_latin_word(snapshot, name: str) -> None:
    assert not any(f.method == "pinyin" for f in validate(snapshot, ValidateRequest.model_validate(
        {"account_type": "personal", "fields": {"nickname": name}})).findings)


def test_a_long_name_with_two_look_alikes_is_found_and_reviewed(snapshot) -> None:
    """Two similar-shape swaps in a name of six characters or more (match/fuzzy.py, thirds): reported as
    lookalike, and reviewed rather than rejected, since two edits are weaker evidence than one."""
    found = _nickname(snapshot, "中夹纪律捡查委员会")
    assert any(m == "lookalike" and x == "中央纪律检查委员会" for _, m, x in found), found
    v = validate(snapshot, ValidateRequest.model_validate({"fields": {"nickname": "中夹纪律捡查委员会"}}))
    assert v.decision == "review"


def test_two_edits_need_four_characters(snapshot) -> None:
    from acctcheck.match.fuzzy import TWO_EDIT_KEY, Half, Windows, half_entries
    shapes = snapshot.normalizer.shapes
    entries = half_entries(["人民网", "人民日报", "人民内参网", "中央纪律检查委员会"], shapes)
    thirds = [h for hs in entries.values() for h in hs if isinstance(h, Half) and h.offset >= 0]
    windows = {piece: w for piece, hs in entries.items() for w in hs if isinstance(w, Windows)}
    assert {h.key for h in thirds} == {"中央纪律检查委员会"} and len("人民网") < TWO_EDIT_KEY
    assert sorted(h.offset for h in thirds) == [0, 3, 6]  # a long name is found by its thirds
    # a name of four or five characters by its two-character windows, filed by the look-alikes the text must
    # hold next to the window: 日报 of 人民日报 wants a look-alike of 人 two characters before it
    listed = {(piece, rel, h.key, h.offset) for piece, w in windows.items() for rel, t in w.by_char.items()
              for hs in t.values() for h in hs}
    assert ("日报", -2, "人民日报", 2) in listed
    assert {key for _, _, key, _ in listed} <= {"人民日报", "人民内参网"}
    assert all(c in shapes.similar["人"] for c in windows["日报"].by_char[-2])


def test_a_name_with_digits_and_two_look_alikes_is_reviewed(snapshot) -> None:
    v = validate(snapshot, ValidateRequest.model_validate({"fields": {"nickname": "弟73集囝军"}}))
    assert v.decision == "review", v.findings


def test_a_look_alike_in_each_part_of_a_composed_name_is_reviewed(snapshot) -> None:
    """One similar-shape edit in the place and one in the organ word (match.fuzzy.TWO_EDIT_KEY: four characters or
    more); a character that is no look-alike of the place's (川 for 州) is no edit."""
    for name in ("石冢庄公妥", "湖洲友布"):
        v = validate(snapshot, ValidateRequest.model_validate({"fields": {"nickname": name}}))
        assert v.decision == "review", (name, v.findings)
    v = validate(snapshot, ValidateRequest.model_validate({"fields": {"nickname": "杭川公妥"}}))
    assert v.decision == "pass", v.findings


def test_a_four_character_name_with_two_look_alikes_is_reviewed(snapshot) -> None:
    """江西卫视 as 汪西卫祝: the window 西卫 is intact, the other two characters are look-alikes."""
    v = validate(snapshot, ValidateRequest.model_validate({"fields": {"nickname": "汪西卫祝"}}))
    assert v.decision == "review" and any(f.method == "lookalike" for f in v.findings), v.findings


def test_two_sound_swaps_need_five_syllables(snapshot) -> None:
    """policy homophone_more_swaps_syllables: a composed name of five syllables may be heard with two swapped
    characters (航州市宫安); at four (航州宫安) one swap stays the limit, which keeps idioms heard as a place and an
    organ word ordinary (measured on the 104k-phrase corpus: no new flag at five, 24 at four)."""
    v = validate(snapshot, ValidateRequest.model_validate({"fields": {"nickname": "航州市宫安"}}))
    assert v.decision == "review", v.findings
    v = validate(snapshot, ValidateRequest.model_validate({"fields": {"nickname": "航州宫安"}}))
    assert v.decision == "pass", v.findings


@pytest.mark.parametrize(("typed", "listed"), [
    ("毕龙冈", "华龙网"),  # two swaps in a three-character name: one character left as listed
    ("先明曰报", "光明日报"),  # two swaps with no intact pair of neighbours
    ("申国人民恨行", "中国人民银行"),
])
def test_names_with_several_look_alike_swaps_are_reviewed(snapshot, typed: str, listed: str) -> None:
    """The look-alike class view (match/fuzzy.py alike_matches): every swap a listed pair, the spelling weak."""
    v = validate(snapshot, ValidateRequest.model_validate({"fields": {"nickname": typed}}))
    assert v.decision == "review", v.findings
    assert any(f.method == "lookalike" and f.matched == listed for f in v.findings), v.findings


def test_the_class_view_needs_listed_pairs_and_a_limit() -> None:
    """Characters of one look-alike group read alike, but a swap counts only for a listed pair, and a short name
    carries two swaps at most."""
    from acctcheck.match.automaton import TermAutomaton
    from acctcheck.match.fuzzy import alike_keys, alike_matches
    from acctcheck.normalize.normalizer import default_normalizer

    shapes = default_normalizer().shapes
    automaton = TermAutomaton(alike_keys(["光明日报", "华龙网"], shapes))
    assert alike_matches(automaton, "先明曰报", shapes) == [("光明日报", 0, 4, 2)]
    assert alike_matches(automaton, "光明日报", shapes) == []  # as listed: the exact pass has it
    assert alike_matches(automaton, "先朋曰报", shapes) == []  # three swaps in four characters
    assert alike_matches(automaton, "小王同学", shapes) == []


@pytest.mark.parametrize(("typed", "listed"), [
    ("pinganenshi", "平安恩施"),  # read early: pin ga nen shi; late: ping an en shi
    ("zhejianganjian", "浙江安监"),  # early: zhe jian gan jian
    ("henangongan", "河南公安"),  # early reads he nan as listed; late would read hen an
])
def test_typed_letters_are_read_both_ways_where_a_letter_may_open_or_close_a_syllable(
        snapshot, typed: str, listed: str) -> None:
    v = validate(snapshot, ValidateRequest.model_validate({"fields": {"nickname": typed}}))
    assert any(f.method == "pinyin" and f.matched == listed for f in v.findings), v.findings


@pytest.mark.parametrize(("typed", "listed"), [
    ("最高人民法浣", "最高人民法院"),  # 浣 for 院: the body 完 kept, 阝 swapped for 氵
    ("常设仲裁怯浣", "常设仲裁法院"),  # two component swaps in a name of six
    ("海关总奢", "海关总署"),  # 奢 for 署: the bottom 者 kept, the top swapped
])
def test_a_swapped_radical_in_a_long_name_is_a_look_alike(snapshot, typed: str, listed: str) -> None:
    """Component pairs (tools/build_shape_tables.py component_pairs, from cjk-decomp): the larger part kept, the
    other swapped."""
    v = validate(snapshot, ValidateRequest.model_validate({"fields": {"nickname": typed}}))
    assert v.decision != "pass", v.findings
    assert any(f.method == "lookalike" and f.matched == listed for f in v.findings), v.findings


def test_component_swaps_stay_out_of_short_names_and_the_class_view() -> None:
    """In a three-character name the two intact characters are often a common word (日报) and the swapped one has
    a family of radicals (桂/娃/挂): 带娃日报 is a diary, not 桂日报. Families would also chain the class view's
    groups."""
    from acctcheck.normalize.normalizer import default_normalizer

    shapes = default_normalizer().shapes
    assert shapes.alike("浣", "院") and not shapes.alike("浣", "院", wide=False)
    assert "浣" not in shapes.near.get("院", ())
    assert shapes.classes.get(ord("浣"), "浣") != shapes.classes.get(ord("院"), "院")


@pytest.mark.parametrize(("typed", "listed"), [
    ("最高人民佥察院", "最高人民检察院"),  # 佥 for 检: the radical 木 dropped
    ("国务完新闻办公室", "国务院新闻办公室"),  # 完 for 院
    ("中国作家办会", "中国作家协会"),  # 办 for 协
])
def test_a_dropped_radical_in_a_long_name_is_a_look_alike(snapshot, typed: str, listed: str) -> None:
    """Radical pairs (tools/build_shape_tables.py radical_pairs): a character and its larger part alone."""
    v = validate(snapshot, ValidateRequest.model_validate({"fields": {"nickname": typed}}))
    assert any(f.method == "lookalike" and f.matched == listed for f in v.findings), v.findings


def test_radical_drops_stay_out_of_short_names_and_the_class_view() -> None:
    """A character and its part alone (信/言, 全/王) are each common: in a short word or the class view they would
    chain families and read ordinary words as names."""
    from acctcheck.normalize.normalizer import default_normalizer

    shapes = default_normalizer().shapes
    assert shapes.alike("佥", "检") and not shapes.alike("佥", "检", wide=False)
    assert shapes.classes.get(ord("王"), "王") != shapes.classes.get(ord("全"), "全")


@pytest.mark.parametrize("name", ["带娃日报小周", "空袭惊报", "惊报"])
def test_a_swapped_radical_in_a_three_character_name_is_ordinary(snapshot, name: str) -> None:
    assert validate(snapshot, ValidateRequest.model_validate({"fields": {"nickname": name}})).decision == "pass"


@pytest.mark.parametrize(("typed", "listed"), [
    ("宁夏回族自治区人名政府", "宁夏回族自治区人民政府"),  # ming for min: a front and a back nasal
    ("宁夏回族自治区人民镇府", "宁夏回族自治区人民政府"),  # zhen for zheng
    ("最高人名法院", "最高人民法院"),
])
def test_a_long_name_heard_with_a_near_sound_is_reviewed(snapshot, typed: str, listed: str) -> None:
    """policy near_sound_min_syllables: the 谐音 swaps that are no exact homophone, weak evidence in a long name."""
    v = validate(snapshot, ValidateRequest.model_validate({"fields": {"nickname": typed}}))
    assert v.decision == "review", v.findings
    assert any(f.method == "homophone" and f.matched == listed for f in v.findings), v.findings


def test_near_sounds_need_six_syllables_and_one_swap_per_five(snapshot) -> None:
    from acctcheck.normalize.pinyin import near_syllable

    assert near_syllable("zheng") == near_syllable("zen") == "zen"
    assert near_syllable("ming") == "min" and near_syllable("lan") == "nan" and near_syllable("ang") == "ang"
    # four and five syllables; two swaps in six
    for name, listed in (("人名日报", "人民日报"), ("人名日报社", "人民日报社"), ("最高仁名法院", "最高人民法院")):
        v = validate(snapshot, ValidateRequest.model_validate({"fields": {"nickname": name}}))
        assert not any(f.matched == listed for f in v.findings), v.findings
