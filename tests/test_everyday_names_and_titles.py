"""Two policy blocks that keep ordinary people out of review (rules/policy.yaml): generic words in a name about
the person's own life (`everyday_names`), and a job named without offering its service (`profession_service`).
What each leaves alone is tested beside what it lowers: listed outlets, place-shaped outlets, claims, the
police's and the press's titles, and a title with a service on offer."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from acctcheck import bundled_rules_dir
from acctcheck.contract import ValidateRequest
from acctcheck.engine import validate
from acctcheck.packs.snapshot import Snapshot


def decide(snapshot: Snapshot, **fields: str) -> tuple[str, list[str]]:
    v = validate(snapshot, ValidateRequest.model_validate({"fields": fields}))
    return v.decision, sorted(f"{f.rule_id}:{f.action}" for f in v.findings)


@pytest.mark.parametrize("name", ["我的减肥日报", "打卡日报第100天", "猫咪日报今天也很可爱", "头条都是我家狗",
                                  "官方吐槽小王", "全国第一懒"])
def test_generic_words_in_a_name_about_ones_own_life_inform(snapshot: Snapshot, name: str) -> None:
    decision, findings = decide(snapshot, nickname=name)
    assert decision == "pass" and findings and all(f.endswith(":inform") for f in findings), findings


@pytest.mark.parametrize("name", ["无与伦比", "立竿见影", "遥遥领先", "首选"])
def test_an_idiom_that_is_the_whole_name_informs(snapshot: Snapshot, name: str) -> None:
    decision, findings = decide(snapshot, nickname=name)
    assert decision == "pass" and findings and all(f.endswith(":inform") for f in findings), findings


@pytest.mark.parametrize("name", ["财经头条", "江城日报", "我家人民日报", "新闻联播", "我是官方", "首选装修公司"])
def test_outlets_shapes_and_claims_keep_their_action(snapshot: Snapshot, name: str) -> None:
    """No cue (财经头条); a place-shaped outlet (江城日报) and a listed outlet (人民日报) are other rules; a listed
    programme keeps its action without a cue (新闻联播: with one, 我家新闻联播, it was watched); 我是 next to 官方 is
    a claim."""
    assert decide(snapshot, nickname=name)[0] != "pass"


@pytest.mark.parametrize("fields", [{"nickname": "律师小王的日常"}, {"nickname": "数学老师张姐"},
                                    {"nickname": "小区门口的王医生"},
                                    {"nickname": "小美", "bio": "执业律师，业余写写小说"}])
def test_a_job_named_without_its_service_informs(snapshot: Snapshot, fields: dict[str, str]) -> None:
    decision, findings = decide(snapshot, **fields)
    assert decision == "pass" and any(f.endswith(":inform") for f in findings), findings


@pytest.mark.parametrize("fields", [{"nickname": "律师小王", "bio": "免费法律咨询，私信"},
                                    {"nickname": "刘CPA说财税"}, {"nickname": "广州交警"}, {"nickname": "记者报"},
                                    {"nickname": "王医生在线问诊"}])
def test_a_service_on_offer_or_a_police_or_press_title_keeps_review(snapshot: Snapshot,
                                                                     fields: dict[str, str]) -> None:
    assert decide(snapshot, **fields)[0] != "pass"


def test_a_verified_account_keeps_the_consistency_check(snapshot: Snapshot) -> None:
    """A nurse verified as such calling herself 医生 is a wrong title, cue or not."""
    v = validate(snapshot, ValidateRequest.model_validate(
        {"fields": {"nickname": "王医生"}, "verified": {"professions": ["nurse"]}}))
    assert v.decision == "review", v.findings


@pytest.mark.slow  # builds the media and professions packs (with the misspellings) once
def test_lint_warns_of_a_misspelt_reference_in_the_policy(snapshot: Snapshot, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """A misspelt rule id or code changes nothing: `acctcheck lint` says so, for each one (a set that leaves the
    pack out, such as a registry alone with the bundled policy, still loads). Before the edits there is nothing to
    warn of: the session's `snapshot` is the build `acctcheck lint` makes of the bundled packs, and lint prints its
    warnings from policy_references (the README's `acctcheck lint rules/` example checks that its stderr is
    empty), so the unedited copy is not linted here a second time. Both misspellings go in one copy: each build of
    the bundled packs takes half a minute of CI, so the copy holds only the packs the two references name
    (media, professions) and the files media reads: lint warns of every reference to a left-out pack too, so each
    misspelt name is looked for in the warnings."""
    from acctcheck.cli import main
    from acctcheck.packs.snapshot import policy_references

    edits = {"profession_service.always_codes": ("always_codes: [police_officer", "always_codes: [police-officer"),
             "everyday_names.rules": ("rules: [news-words,", "rules: [news-word,")}
    assert policy_references(snapshot) == []
    rules = tmp_path / "rules"
    rules.mkdir()
    for name in ("policy.yaml", "media.yaml", "media", "professions.yaml", "professions", "official-bodies", "places"):
        src = bundled_rules_dir() / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, rules / name)
    policy = rules / "policy.yaml"
    text = policy.read_text(encoding="utf-8")
    for old, new in edits.values():
        assert text.count(old) == 1
        text = text.replace(old, new)
    policy.write_text(text, encoding="utf-8")
    assert main(["lint", str(rules)]) == 0
    err = capsys.readouterr().err
    assert "warning: policy.yaml › profession_service.always_codes: no profession has the code 'police-officer'" in err
    assert "warning: policy.yaml › everyday_names.rules: no rule has the id 'news-word'" in err, err


@pytest.mark.parametrize("bio", ["看了三遍《警察荣誉》的剧迷", "父亲退休前在派出所工作了三十年",
                                 "本人无任何官方粉丝QQ群，请不要相信冒充者", "官方认证的路痴"])
def test_a_work_title_a_retirement_or_a_denial_in_free_text_informs(snapshot: Snapshot, bio: str) -> None:
    decision, findings = decide(snapshot, nickname="小王", bio=bio)
    assert decision == "pass" and any(f.endswith(":inform") for f in findings), findings


@pytest.mark.parametrize("bio", ["我是杭州市公安局工作人员", "杭州市公安局官方账号", "《人民日报》官方账号"])
def test_a_claim_in_free_text_is_not_excused_by_quotes_or_cues(snapshot: Snapshot, bio: str) -> None:
    assert decide(snapshot, nickname="小王", bio=bio)[0] == "reject"


@pytest.mark.parametrize("quotes", ["《", "《》「"])
def test_title_quotes_are_a_pair_or_nothing(quotes: str) -> None:
    """One mark alone would silently mention nothing: refused when the policy loads."""
    from pydantic import ValidationError

    from acctcheck.packs.schema import MentionPolicy

    with pytest.raises(ValidationError, match="title_quotes"):
        MentionPolicy(title_quotes=quotes)


@pytest.mark.parametrize("bio", ["湘西头条", "坏球时报！", "寿光公安"])
def test_a_bio_that_is_only_a_name_is_judged_as_a_name(snapshot: Snapshot, bio: str) -> None:
    """policy field_names: the rule's own action, not the inform its bio field_actions give free text."""
    decision, findings = decide(snapshot, nickname="小王", bio=bio)
    assert decision != "pass", findings


@pytest.mark.parametrize("bio", ["每天早上听一遍新闻再出门", "寿光公安提醒大家注意安全"])
def test_a_name_inside_free_text_keeps_the_field_action(snapshot: Snapshot, bio: str) -> None:
    decision, findings = decide(snapshot, nickname="小王", bio=bio)
    assert decision == "pass" and findings and all(f.endswith(":inform") for f in findings), findings


def test_fills_field_counts_only_letters_digits_and_han() -> None:
    from acctcheck.engine import fills_field
    assert fills_field("湘西头条！！🎉", (2, 4), 2)
    assert fills_field("坏球时报", (2, 4), 2)
    assert not fills_field("每天听新闻", (3, 5), 2)
    assert not fills_field("寿光公安提醒大家", (0, 4), 2)


@pytest.mark.parametrize("bio", ["中国人", "国家机关"])
def test_a_bio_that_is_only_a_strict_word_phrase_is_no_name(snapshot: Snapshot, bio: str) -> None:
    """field_names.categories: names of bodies, outlets and places; a strict word (中国, 国家) keeps its field
    action in a bio even when it is all the bio says."""
    assert decide(snapshot, nickname="小王", bio=bio)[0] == "pass"


def test_a_place_brand_that_is_the_whole_bio_is_a_name(snapshot: Snapshot) -> None:
    assert decide(snapshot, nickname="小王", bio="健康张家港")[0] == "review"
    assert decide(snapshot, nickname="小王", bio="去年去了平安北京旅游")[0] == "pass"


def test_a_short_bio_is_searched_for_look_alike_names(snapshot: Snapshot) -> None:
    """field_names.one_edit_max_chars: a bio short enough to be a name gets the one-edit search a nickname gets
    (国资小亲 for the handle 国资小新); in longer free text the same spelling is not looked for."""
    assert decide(snapshot, nickname="小王", bio="国资小亲")[0] != "pass"
    long_bio = "周末去爬山，拍了很多照片，顺便记录一下国资小亲这个词，其实只是个玩笑而已"
    assert decide(snapshot, nickname="小王", bio=long_bio)[0] == "pass"
