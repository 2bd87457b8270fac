"""Policy name_slots: a name a bio or signature introduces (欢迎关注X, 本号为X唯一官方账号, 由X主办, 来自X, —— X) is
read with the nickname's rules, so fabricated bodies and outlets introduced there are judged as names are; a
name both readings find is one finding; strict words and ordinary clauses after the same cues stay clean."""

from __future__ import annotations

import pytest

from acctcheck.contract import ValidateRequest
from acctcheck.engine import validate
from acctcheck.packs.schema import NameSlotsPolicy


def _bio(snapshot, bio: str, field: str = "bio"):
    return validate(snapshot, ValidateRequest.model_validate(
        {"account_type": "personal", "fields": {"nickname": "小王", field: bio}}))


@pytest.mark.parametrize(("bio", "category"), [
    ("欢迎关注国际生态文明协会", "official_impersonation"),       # a society frame
    ("我们是中國文化建設委員會", "official_impersonation"),       # the same, in traditional characters
    ("来自台江晚报", "media_impersonation"),                    # a county and a media word
    ("—— 人民举报网", "media_impersonation"),                   # a signature's attribution
    ("本号为上杭路派出索唯一官方账号", "official_impersonation"),  # an organ word heard alike
    ("金昌綜合頻道官方认证账号", "media_impersonation"),          # before an after-cue
    ("由应急管理部消防救援局主办", "official_impersonation"),      # a listed handle the bio only mentioned
    ("本人为生态环境监察员，有事私信", "official_impersonation"),    # a staff title after 本人为
])
def test_a_name_the_bio_introduces_is_judged_as_a_name(snapshot, bio: str, category: str) -> None:
    v = _bio(snapshot, bio)
    assert v.decision != "pass" and category in {f.category for f in v.findings}, v.findings
    # reported in the field it stands in, at its place there
    for f in v.findings:
        assert f.field == "bio" and f.span is not None and bio[f.span[0]:f.span[1]] == f.text


def test_the_signature_is_read_too(snapshot) -> None:
    assert _bio(snapshot, "来自台江晚报", field="signature").decision == "review"


def test_a_name_found_by_both_readings_is_one_finding(snapshot) -> None:
    v = _bio(snapshot, "由应急管理部消防救援局主办")
    assert [(f.rule_id, f.action) for f in v.findings] == [("central-handles", "reject")]


@pytest.mark.parametrize("bio", ["来自四川的小姑娘", "来自中国", "我们是一群热爱摄影的人", "欢迎关注我的小店",
                                 "本号由我一个人运营", "来自火星的你", "—— 鲁迅", "这里是小王的日常"])
def test_ordinary_clauses_after_the_cues_pass(snapshot, bio: str) -> None:
    assert _bio(snapshot, bio).decision == "pass"


def test_the_stretches_end_at_a_clause_break_or_the_next_cue() -> None:
    policy = NameSlotsPolicy(before=["来自", "本号为"], after=["唯一官方", "主办"], max_chars=6)
    assert policy.slots("来自台江晚报，欢迎你") == [(2, 6)]
    assert policy.slots("本号为某某局唯一官方账号") == [(3, 6)]
    assert policy.slots("由某某局主办") == [(0, 4)]
    assert policy.slots("来自一二三四五六七八") == [(2, 8)]  # max_chars
    assert policy.slots("来自。") == []


def test_a_lone_surrogate_next_to_a_cue_is_read_past(snapshot) -> None:
    """The cue automaton reads UTF-8: a broken UTF-16 pair (engine callers such as bulk scans may pass one) is
    replaced one for one, so the other cues and the offsets stay."""
    v = _bio(snapshot, "\ud800来自台江晚报")
    assert v.decision == "review" and v.findings[0].span == (3, 7)
