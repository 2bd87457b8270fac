"""Session-14 mechanisms, each tested beside what it leaves alone: a short pinyin nickname reads as a personal name
(policy pinyin_name_syllables), two-digit numbers in listed names read as Chinese numerals, a listed name that folds
to a number is refused, and the contact window rules (cue-near-id, cue-near-pieces, cue-near-number)."""

from __future__ import annotations

from pathlib import Path

import pytest

from acctcheck.checks.term_hits import reads_as_name
from acctcheck.contract import ValidateRequest
from acctcheck.engine import validate
from acctcheck.normalize.normalizer import default_normalizer
from acctcheck.packs.errors import PackSetError
from acctcheck.packs.snapshot import Snapshot
from acctcheck.ruleset import build_snapshot
from tests.conftest import MINI_POLICY


def decide(snapshot: Snapshot, **fields: str) -> tuple[str, list[str]]:
    v = validate(snapshot, ValidateRequest.model_validate({"fields": fields}))
    return v.decision, sorted(f"{f.rule_id}:{f.action}" for f in v.findings)


@pytest.mark.parametrize(("text", "name"), [("Wang Jing", True), ("wujingze", True), ("Dong Mingwei", True),
                                            ("Wang Jing 1990", True), ("renminwujing", False),
                                            ("zhong央", False), ("guojia anquan xuanchuan", False)])
def test_a_short_pinyin_field_reads_as_a_name(text: str, name: bool) -> None:
    views = default_normalizer().views(text)
    assert reads_as_name(views.pinyin.tokens or [], views.skeleton.text, 3) is name


@pytest.mark.parametrize("nickname", ["Wang Jing", "wangjing", "Li Minjing", "Zhao Yujing", "Jing Zhang",
                                      "Zhong Yang", "Guo Jia", "Wu Jing"])
def test_a_pinyin_personal_name_passes(snapshot: Snapshot, nickname: str) -> None:
    assert decide(snapshot, nickname=nickname) == ("pass", [])


@pytest.mark.parametrize("nickname", ["renminjingcha", "zhiyelvshi", "zhong央", "共青团zhong央", "guanfang客服小美",
                                      "zhongguo好男人"])
def test_longer_or_mixed_pinyin_still_counts(snapshot: Snapshot, nickname: str) -> None:
    assert decide(snapshot, nickname=nickname)[0] != "pass"


@pytest.mark.parametrize("nickname", ["山东二十四小时", "第七十二集团军", "二十一世纪经济报道", "七十七国集团"])
def test_a_two_digit_number_in_a_listed_name_is_read_in_numerals(snapshot: Snapshot, nickname: str) -> None:
    decision, findings = decide(snapshot, nickname=nickname)
    assert decision == "reject", findings


def test_a_name_that_folds_to_a_number_is_refused(tmp_path: Path) -> None:
    """G20 reads as 920 on the skeleton (g before digits is a 9): listed, it would match every 920."""
    (tmp_path / "policy.yaml").write_text(MINI_POLICY, encoding="utf-8")
    (tmp_path / "mini.yaml").write_text(
        "schema_version: 1\nname: mini\nversion: '1'\ndescription: d\nrules:\n"
        "  - id: orgs\n    kind: terms\n    category: official_impersonation\n    article: 第八条\n"
        "    action: review\n    message: '{matched}'\n    terms: [二十国集团|G20]\n", encoding="utf-8")
    with pytest.raises(PackSetError) as err:
        build_snapshot(tmp_path)
    assert any("reads as the number 920" in i.message for i in err.value.issues), err.value.issues


@pytest.mark.parametrize("fields", [
    {"nickname": "小满", "bio": "想要同款的加魏信哦～xps_429160"},
    {"nickname": "阿杰", "bio": "看上的 wx hao：nc391"},
    {"nickname": "刺猬", "signature": "同城约拍 ata97x（威）"},
    {"nickname": "小鱼", "bio": "aa_98213 ← 威心"},
    {"nickname": "抖·bp·ak3·0546"},
    {"nickname": "小鱼", "bio": "v x : a b c 1 2 3 4"},
    {"nickname": "小鱼", "bio": "找我嘛 95006711 嘻嘻"},
    {"nickname": "小鱼", "bio": "my wechat is amy1992x"},
])
def test_a_cue_near_an_id_is_read(snapshot: Snapshot, fields: dict[str, str]) -> None:
    decision, findings = decide(snapshot, **fields)
    assert decision != "pass" and any(":review" in f or ":reject" in f for f in findings), findings


@pytest.mark.parametrize("fields", [
    {"nickname": "小鱼", "bio": "小红书博主 分享穿搭 ootd2024"},
    {"nickname": "小鱼", "bio": "qq空间 2008-2024 回忆"},
    {"nickname": "小鱼", "bio": "微博粉丝 1234567 感谢大家"},
    {"nickname": "小鱼", "bio": "Snapchat streak 365 days"},
    {"nickname": "小鱼", "bio": "Discord mod, server lvl 50, since 2020"},
    {"nickname": "小鱼", "bio": "手机摄影 iphone15pro 记录生活"},
    {"nickname": "Line Railey"},
    {"nickname": "lines_356"},
    {"nickname": "sun_920"},
    {"nickname": "WeiXinChang"},
    # a word and a code beside a cue word (cue-on-line, plus-id)
    {"nickname": "小鱼", "bio": "C++ 选手 leetcode300 题"},
    {"nickname": "小鱼", "bio": "qq飞车 s12赛季 车神 手机用的mate60"},
    {"nickname": "小鱼", "bio": "钉钉群里通知 周三 3-5节 课程cs101"},
    {"nickname": "小鱼", "bio": "口口相传 老字号 since1988"},
    {"nickname": "小鱼", "bio": "q 版头像 by artist_77"},
    {"nickname": "小鱼", "bio": "V 社玩家 dota2 1200小时"},
    {"nickname": "小鱼", "bio": "我的相机 sony a7m4 + sigma35"},
    {"nickname": "小鱼", "bio": "电脑配置 i7-13700k + rtx4090"},
    {"nickname": "小鱼", "bio": "这是我家猫 mimi2019"},
])
def test_words_products_and_names_near_a_cue_pass(snapshot: Snapshot, fields: dict[str, str]) -> None:
    assert decide(snapshot, **fields)[0] == "pass"
