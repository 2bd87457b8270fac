"""Session-16 additions, each beside what it leaves alone: contact rules id-shape (an ID that no word, model or
version is, in a bio or signature, whatever cue stands before it), the hotline-first shape of a local service
account (12345北京), and look-alike parts in the shape table (沮/泪 by 且/目)."""

from __future__ import annotations

import pytest

from acctcheck.contract import ValidateRequest
from acctcheck.engine import validate
from acctcheck.normalize.normalizer import default_normalizer
from acctcheck.packs.snapshot import Snapshot


def rules_hit(snapshot: Snapshot, **fields: str) -> list[str]:
    v = validate(snapshot, ValidateRequest.model_validate({"fields": fields}))
    return sorted(f.rule_id for f in v.findings if f.action != "inform")


@pytest.mark.parametrize("bio", ["修图 hao_770", "婚礼跟拍 rui_26772", "宠物寄养 Qiusu-7739 日韩护肤",
                                 "网课资料 q23b3nbg3", "汉服租赁～bao_040324～"])
def test_an_id_shaped_string_in_a_bio_is_read_without_a_cue(snapshot: Snapshot, bio: str) -> None:
    assert "id-shape" in rules_hit(snapshot, nickname="小美", bio=bio)


@pytest.mark.parametrize("fields", [
    {"nickname": "kevin_1998"},  # a handle as the name itself
    {"nickname": "小美", "bio": "头像 by artist_777"},  # a credit
    {"nickname": "小美", "bio": "大号@xiao_chen2024 小号在这"},  # a mention on the platform
    {"nickname": "小美", "bio": "装机配置 ryzen-7950x rtx-4090"},  # models
    {"nickname": "小美", "bio": "学号 sz_2023001"},  # a number that identifies, not reaches
    {"nickname": "小美", "bio": "COVID-19 志愿者 python_3.11 爱好者"},
    {"nickname": "小美", "bio": "wh1000xm5 降噪真好 run5k2023"},  # two alternations only
    {"nickname": "小美", "bio": "金铲铲游戏ID：max_0801 只打娱乐局"},
])
def test_words_models_credits_and_handles_pass_id_shape(snapshot: Snapshot, fields: dict[str, str]) -> None:
    assert "id-shape" not in rules_hit(snapshot, **fields)


@pytest.mark.parametrize("nickname", ["12345北京", "12315上海", "①②③④⑤杭州"])
def test_a_hotline_before_a_place_is_a_local_service_account(snapshot: Snapshot, nickname: str) -> None:
    assert any(r.startswith("hotline-division") for r in rules_hit(snapshot, nickname=nickname))


@pytest.mark.parametrize("nickname", ["12345", "1998北京", "北京12345路"])
def test_other_numbers_before_a_place_are_not_hotlines(snapshot: Snapshot, nickname: str) -> None:
    assert not any(r.startswith("hotline-division") for r in rules_hit(snapshot, nickname=nickname))


@pytest.mark.parametrize(("a", "b"), [("沮", "泪"), ("阵", "陈"), ("押", "抽"), ("仲", "伸")])
def test_a_look_alike_part_makes_a_look_alike_character(a: str, b: str) -> None:
    shapes = default_normalizer().shapes
    assert shapes.alike(a, b, wide=True) and not shapes.alike(a, b, wide=False)


@pytest.mark.parametrize("nickname", ["cx最佳了", "最强破坏神比鲁斯大人", "极品小仙女", "世界唯一的我", "顶级话痨"])
def test_a_boast_of_oneself_informs(snapshot: Snapshot, nickname: str) -> None:
    v = validate(snapshot, ValidateRequest.model_validate({"fields": {"nickname": nickname}}))
    assert v.decision == "pass" and any(f.rule_id == "claims/superlatives/casual" for f in v.findings)


@pytest.mark.parametrize("fields", [{"nickname": "全网第一护肤达人"}, {"nickname": "首选装修公司"},
                                    {"nickname": "阿毛", "bio": "全网最低价，销量第一"}])
def test_rank_price_and_endorsement_claims_keep_review(snapshot: Snapshot, fields: dict[str, str]) -> None:
    assert "claims/superlatives" in rules_hit(snapshot, **fields)


@pytest.mark.parametrize("fields", [
    {"nickname": "大熊", "bio": "TG：【&#107;&#101;&#48;&#57;&#53;&#50;&#55;】"},
    {"nickname": "大熊", "bio": "🛩&#x6b;&#x61;&#x69;&#x5f;&#x38;"},
])
def test_an_id_written_as_character_references_is_read(snapshot: Snapshot, fields: dict[str, str]) -> None:
    assert "char-references" in rules_hit(snapshot, **fields)


@pytest.mark.parametrize(("fields", "rule"), [
    ({"nickname": "桃桃", "signature": "４９４３０７（QQ）"}, "qq"),
    ({"nickname": "Lucky七", "signature": "T·G @yan.gya.ng1.3vi.p"}, "telegram"),
    ({"nickname": "飞-机：@wen9962"}, "telegram"),
    ({"nickname": "南城旧梦", "signature": "加个卫星吗 yue2064"}, "cue-on-line"),
    ({"nickname": "145(电)3662(溦)0685"}, "mobile-interleaved"),
    ({"nickname": "陈老师", "bio": "1813(薇)7184(扣)876 同步在线"}, "mobile-interleaved"),
    ({"nickname": "老王", "bio": "███【8686016】q、v同号███"}, "same-number"),
    ({"nickname": "Telegram is@anhao_1"}, "telegram"),
    ({"nickname": "胖虎", "bio": "不在这聊，绿泡 yahaoxi94x"}, "cue-near-id"),
    ({"nickname": "vvxmozhou88229"}, "wechat"),
])
def test_cue_spellings_cues_after_or_inside_the_number(snapshot: Snapshot, fields: dict[str, str], rule: str) -> None:
    assert rule in rules_hit(snapshot, **fields)


@pytest.mark.parametrize("fields", [{"nickname": "小美", "bio": "A&amp;B 工作室"},
                                    {"nickname": "小美", "bio": "2023（QQ音乐年度）"},
                                    {"nickname": "小美", "bio": "卫星发射爱好者 sat2024 观测"}])
def test_entities_products_and_satellites_pass(snapshot: Snapshot, fields: dict[str, str]) -> None:
    assert not any(r in ("char-references", "qq", "cue-on-line") for r in rules_hit(snapshot, **fields))


@pytest.mark.parametrize("nickname", ["ZGWJ", "zgjh"])
def test_a_central_handle_typed_as_initials(snapshot: Snapshot, nickname: str) -> None:
    assert "central-handles" in rules_hit(snapshot, nickname=nickname)


@pytest.mark.parametrize(("typed", "wanted", "shares"), [("忑", "态", True), ("绀", "组", True), ("阢", "院", True),
                                                         ("信", "信", False), ("活", "态", False), ("信", "组", False)])
def test_share_part_keeps_one_part_in_place(typed: str, wanted: str, shares: bool) -> None:
    assert default_normalizer().shapes.share_part(typed, wanted) is shares


@pytest.mark.parametrize("nickname", ["四川生忑环境", "上海合作绀织", "最高人民法阢", "扬子晚招"])
def test_a_long_name_with_a_part_kept_is_a_weak_look_alike(snapshot: Snapshot, nickname: str) -> None:
    v = validate(snapshot, ValidateRequest.model_validate({"fields": {"nickname": nickname}}))
    assert v.decision == "review", [(f.rule_id, f.action) for f in v.findings]


def test_a_listed_name_is_not_read_as_another_listed_names_look_alike(snapshot: Snapshot) -> None:
    """湖南卫视 is 海南卫视 with 氵 kept: the outlet's own verified account must not be held as a look-alike."""
    v = validate(snapshot, ValidateRequest.model_validate({
        "account_type": "institution", "fields": {"nickname": "湖南卫视"},
        "verified": {"institution": {"name": "湖南广播电视台", "kind": "news_media"}}}))
    assert v.decision == "pass", [(f.rule_id, f.method) for f in v.findings]


@pytest.mark.parametrize("bio", ["1999年到2008年100斤", "身高175体重130鞋码42", "138栋2201室"])
def test_dates_and_measures_between_numbers_pass(snapshot: Snapshot, bio: str) -> None:
    assert "mobile-interleaved" not in rules_hit(snapshot, nickname="小美", bio=bio)


@pytest.mark.parametrize(("fields", "rule"), [({"nickname": "浙江欣文"}, "media/shape/province"),
                                              ({"nickname": "YouZhengJingXuan"}, "postal-handle"),
                                              ({"nickname": "GJHBJJZZ"}, "intl/orgs")])
def test_media_words_by_sound_postal_pinyin_and_org_initials(snapshot: Snapshot, fields: dict[str, str],
                                                               rule: str) -> None:
    assert rule in rules_hit(snapshot, **fields)


@pytest.mark.parametrize("fields", [{"nickname": "龙中华"}, {"nickname": "方中华"}])
def test_common_names_on_a_strict_word_pass(snapshot: Snapshot, fields: dict[str, str]) -> None:
    assert validate(snapshot, ValidateRequest.model_validate({"fields": fields})).decision == "pass"
