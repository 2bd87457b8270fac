"""Session-16 additions, each beside what it leaves alone: contact rule id-shape (an ID that no word, model or
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
