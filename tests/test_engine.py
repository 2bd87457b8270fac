"""The engine on the bundled packs: the acceptance examples of the foundation and detection issues."""

from __future__ import annotations

import subprocess
import sys

import pytest

from acctcheck.contract import ValidateRequest
from acctcheck.engine import validate


def check(snapshot, nickname: str, **extra):
    body = {"account_type": extra.pop("account_type", "personal"),
            "fields": {"nickname": nickname, **extra.pop("fields", {})}}
    body.update(extra)
    return validate(snapshot, ValidateRequest.model_validate(body))


def test_ministry_in_personal_name_is_rejected_with_span(snapshot) -> None:
    v = check(snapshot, "外交部官方")
    assert v.decision == "reject"
    f = next(f for f in v.findings if f.category == "official_impersonation")
    assert f.span == (0, 3) and f.text == "外交部" and f.method == "exact"
    assert f.article == "第八条第（二）项"
    assert v.rules_revision == snapshot.revision


def test_verified_government_may_use_its_own_name(snapshot) -> None:
    v = check(snapshot, "外交部", account_type="institution",
              verified={"institution": {"name": "外交部", "kind": "government"}})
    assert v.decision == "pass", v.findings


def test_enterprise_may_not_use_a_ministry_name(snapshot) -> None:
    v = check(snapshot, "外交部", account_type="institution",
              verified={"institution": {"name": "北京某某科技有限公司", "kind": "enterprise"}})
    assert v.decision == "reject"


@pytest.mark.parametrize(
    ("nickname", "category", "methods"),
    [
        ("國務院", "official_impersonation", {"traditional"}),
        ("国·务·院", "official_impersonation", {"separator"}),
        ("国\u200b务\u200d院", "official_impersonation", {"separator", "exact"}),
        ("囯务院", "official_impersonation", {"lookalike"}),
        ("guowuyuan", "official_impersonation", {"pinyin"}),
        ("wai交部", "official_impersonation", {"pinyin"}),
        ("人民ㄖ报", "media_impersonation", {"lookalike"}),
        ("新华社官方", "media_impersonation", {"exact"}),
        ("北京市公安局", "official_impersonation", {"exact"}),
        ("上海市浦东新区人民政府", "official_impersonation", {"exact"}),
        ("ＣＣＴＶ新闻", "media_impersonation", {"exact"}),
    ],
)
def test_evasions_are_seen_through(snapshot, nickname: str, category: str, methods: set[str]) -> None:
    v = check(snapshot, nickname)
    assert v.decision in ("reject", "review")
    hits = [f for f in v.findings if f.category == category]
    assert hits, v.findings
    assert any(f.method in methods for f in hits), [(f.method, f.text) for f in hits]
    for f in v.findings:
        assert f.span is not None and nickname[f.span[0]:f.span[1]] == f.text


@pytest.mark.parametrize("nickname", ["國務院", "国·务·院", "囯务院", "北京市公安局", "上海市浦东新区人民政府",
                                      "ＣＣＴＶ新闻", "新华社官方"])
def test_issue_examples_are_rejected(snapshot, nickname: str) -> None:
    assert check(snapshot, nickname).decision == "reject"


@pytest.mark.parametrize("name", ["张国华", "王建国", "李中华", "刘建军", "陈国庆", "赵民", "李新华", "周华民"])
def test_real_peoples_names_are_never_rejected(snapshot, name: str) -> None:
    assert check(snapshot, name).decision != "reject"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("nickname", "①③⑧⓪⓪①③⑧⓪⓪⓪"),
        ("bio", "找我：一三八零零一三八零零零"),
        ("signature", "壹叁捌 零零壹叁 捌零零零"),
        ("bio", "１３８ ００１３ ８０００"),
        ("bio", "电话 138-0013-8000"),
    ],
)
def test_contact_numbers_in_any_style(snapshot, field: str, value: str) -> None:
    fields = {field: value} if field != "nickname" else {}
    v = check(snapshot, value if field == "nickname" else "小美", fields=fields)
    hits = [f for f in v.findings if f.category == "contact_smuggling"]
    assert hits and v.decision == "reject"
    assert all(f.field == field for f in hits)


@pytest.mark.parametrize("bio", ["1998年生", "身高180，体重65", "房间号1203", "Disburse funds", "95后程序员", "666"])
def test_ordinary_numbers_and_words_stay_clean(snapshot, bio: str) -> None:
    assert check(snapshot, "小美", fields={"bio": bio}).decision == "pass"


def test_engine_imports_without_fastapi() -> None:
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('fastapi', 'starlette', 'uvicorn'):\n"
        "            raise ImportError('blocked ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from acctcheck.engine import validate\n"
        "from acctcheck.ruleset import build_snapshot\n"
        "from acctcheck.contract import ValidateRequest\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


@pytest.mark.parametrize(("bio", "decision", "actions"), [
    ("每天早上读报：人民日报、参考消息", "pass", {"人民日报": "inform", "参考消息": "inform"}),  # a list after 读报
    ("湖南卫视忠实观众", "pass", {"湖南卫视": "inform"}),
    ("人民日报官方账号", "reject", {"人民日报": "reject"}),  # a claim cue beats everything
    ("人民日报", "reject", {"人民日报": "reject"}),  # the name is the whole field
    ("光明日报评论员，转载请注明出处", "reject", {"光明日报": "reject"}),  # neither cue: the rule's action
])
def test_names_mentioned_in_a_bio_only_inform(snapshot, bio: str, decision: str, actions: dict) -> None:
    v = check(snapshot, "小王", fields={"bio": bio})
    assert v.decision == decision, v.findings
    got = {f.matched: f.action for f in v.findings if f.category == "media_impersonation"}
    assert {k: got.get(k) for k in actions} == actions, got


def test_a_mention_cue_does_not_excuse_a_name(snapshot) -> None:
    assert check(snapshot, "湖南卫视忠实观众").decision == "reject"  # nickname: the policy covers free text only


@pytest.mark.parametrize(("bio", "decision"), [
    ("老公是人民警察，聚少离多", "pass"),  # a title of somebody else
    ("周末去看医生", "pass"),
    ("我是人民警察", "review"),  # a claim: the unverified-profession finding stands
])
def test_titles_mentioned_in_a_bio(snapshot, bio: str, decision: str) -> None:
    v = check(snapshot, "小琳", fields={"bio": bio})
    assert v.decision == decision, v.findings


@pytest.mark.parametrize(("bio", "decision"), [
    ("我是玉树州公安局官方账号", "reject"),  # a claim cue raises the bio's review to reject (policy claim_action)
    ("在成都市公安局工作", "review"),  # the rule's bio action (field_actions)
    ("每天关注成都市公安局", "pass"),  # a mention only informs
    ("我是成都市公安局的粉丝", "pass"),  # a fan: a mention after the name outweighs 我是 before it
    ("我们是寿光攻安", "reject"),  # a composed organ heard alike, claimed (division-organ reads bios)
    ("寿光公安提醒大家注意防骗", "pass"),  # named in passing: informs
])
def test_local_organs_in_a_bio(snapshot, bio: str, decision: str) -> None:
    v = check(snapshot, "小王", fields={"bio": bio})
    assert v.decision == decision, v.findings
    assert any(f.category == "official_impersonation" and "公安" in f.matched for f in v.findings)


def test_field_actions_must_name_fields_the_rule_reads() -> None:
    from pydantic import ValidationError

    from acctcheck.packs.schema import TermsRule

    with pytest.raises(ValidationError, match="field_actions"):
        TermsRule(id="x", kind="terms", category="official_impersonation", article="第八条", action="reject",
                  message="{matched}", terms=["外交部"], fields=["nickname"], field_actions={"bio": "review"})


@pytest.mark.parametrize(("nickname", "decision"), [
    ("护士的女儿", "pass"),  # somebody else's title (policy mention.category_fields)
    ("护士小林", "pass"),  # a job named, no service offered: informs (policy profession_service)
    ("护士小林在线咨询", "review"),  # the service on offer: the credential is asked for
])
def test_titles_in_a_name(snapshot, nickname: str, decision: str) -> None:
    assert check(snapshot, nickname).decision == decision


@pytest.mark.parametrize(("bio", "flagged"), [
    ("乌鲁木齐人，大盘鸡和烤包子了解一下", False),  # 乌鲁木齐人大 across a sentence break (policy sentence_breaks)
    ("外，交，部", True),  # one character between the marks: a name spaced out
])
def test_sentence_breaks_in_free_text(snapshot, bio: str, flagged: bool) -> None:
    v = check(snapshot, "小王", fields={"bio": bio})
    assert any(f.category == "official_impersonation" for f in v.findings) == flagged, v.findings


def test_sentence_breaks_do_not_apply_to_names(snapshot) -> None:
    assert check(snapshot, "外交，部").decision == "reject"


@pytest.mark.parametrize("bio", ["看 www.abc123.com", "官网 https://www.abc123.com/x", "www.abc123.cn 与 abc.com"])
def test_a_url_is_one_finding(snapshot, bio: str) -> None:
    """Both patterns of the `url` rule match `www.…`: one smuggled contact is one finding, not two."""
    hits = [(f.rule_id, f.span) for f in check(snapshot, "小美", fields={"bio": bio}).findings]
    assert len(hits) == len(set(hits)) and hits, hits
    assert len([h for h in hits if h[0] == "url"]) == bio.count(".com") + bio.count(".cn")
