"""Institution names (Article 7) and the USCC check: the shipped institutions pack through the real engine,
and the 422 for a bad 统一社会信用代码 through a real uvicorn server on loopback."""

from __future__ import annotations

import json

import httpx
import pytest
from pydantic import ValidationError

from acctcheck.checks.institution import name_core
from acctcheck.contract import ValidateRequest, VerifiedInstitution
from acctcheck.engine import validate
from acctcheck.ruleset import build_snapshot
from tests.conftest import Server
from tests.support.rules import own_rules

BYTEDANCE = {"name": "北京字节跳动科技有限公司", "kind": "enterprise"}


@pytest.fixture(scope="module")
def rules_dir(tmp_path_factory):
    return own_rules(tmp_path_factory.mktemp("rules"))


@pytest.fixture(scope="module")
def snap(rules_dir):
    return build_snapshot(rules_dir)


def verdict(snap, nickname: str, inst: dict, **fields):
    return validate(snap, ValidateRequest.model_validate(
        {"account_type": "institution", "fields": {"nickname": nickname, **fields},
         "verified": {"institution": inst}}))


def cats(v) -> set[str]:
    return {f.category.value for f in v.findings}


# ------------------------------------------------------------------ the done-when
def test_brand_core_passes(snap) -> None:
    assert verdict(snap, "字节跳动", BYTEDANCE).decision == "pass"


def test_another_organisation_is_a_mismatch(snap) -> None:
    v = verdict(snap, "腾讯官方", BYTEDANCE)
    assert cats(v) == {"institution_mismatch"} and v.decision == "review"
    [f] = v.findings
    assert (f.span, f.text, f.matched, f.method) == ((0, 4), "腾讯官方", "北京字节跳动科技有限公司", "fuzzy")


def test_wrong_nature_is_scope(snap) -> None:
    v = verdict(snap, "字节跳动银行", BYTEDANCE)
    assert cats(v) == {"institution_scope"} and v.decision == "reject"
    [f] = v.findings
    assert (f.span, f.text, f.matched) == ((4, 6), "银行", "银行")


# ------------------------------------------------------------------ behaviour
def test_cores(snap) -> None:
    words = next(iter(snap.institution_words.values()))
    fold = snap.normalizer.folder.fold_text

    def core(name: str) -> tuple[str, set[str]]:
        c = name_core(fold, name, words, 2)
        return c.text, set(c.regions)

    assert core("北京字节跳动科技有限公司") == ("字节跳动", {"北京市"})
    assert core("字节跳动官方旗舰店") == ("字节跳动", set())
    assert core("腾讯科技（深圳）有限公司") == ("腾讯", set())
    assert core("深圳市腾讯计算机系统有限公司") == ("腾讯", {"深圳市"})
    assert core("北京大学") == ("北京大学", set())  # a region is kept in front of a generic word
    assert core("北京市朝阳区人民政府") == ("朝阳区人民政府", {"北京市"})
    assert core("官方客服") == ("官方", set())  # never stripped below min_core


def test_regions_tell_institutions_apart(snap) -> None:
    inst = {"name": "西安交通大学", "kind": "public_institution"}
    assert cats(verdict(snap, "上海交通大学", inst)) == {"institution_mismatch"}
    assert verdict(snap, "西安交通大学", inst).decision == "pass"


def test_nature_words_fit_kind_or_registered_name(snap) -> None:
    assert verdict(snap, "中国互联网协会", {"name": "中国互联网协会", "kind": "social_organization"}).decision == "pass"
    assert cats(verdict(snap, "华为协会", {"name": "华为技术有限公司", "kind": "enterprise"})) == {"institution_scope"}
    assert verdict(snap, "招商银行", {"name": "招商银行股份有限公司", "kind": "enterprise"}).decision == "pass"
    # the certification text is checked as well, the bio is not (a bank can be mentioned)
    v = verdict(snap, "字节跳动", BYTEDANCE, certification="字节跳动银行官方账号", bio="合作伙伴：招商银行")
    assert [(f.field, f.text) for f in v.findings] == [("certification", "银行")]


def test_only_verified_institution_accounts(snap) -> None:
    personal = ValidateRequest.model_validate({"fields": {"nickname": "腾讯官方"}})
    assert validate(snap, personal).decision == "pass"
    unverified = ValidateRequest.model_validate({"account_type": "institution", "fields": {"nickname": "腾讯银行"}})
    assert validate(snap, unverified).decision == "pass"


def test_threshold_comes_from_yaml(rules_dir, tmp_path) -> None:
    import shutil

    root = tmp_path / "r"
    shutil.copytree(rules_dir, root)
    pack = root / "institutions.yaml"
    pack.write_text(pack.read_text(encoding="utf-8").replace("threshold: 80", "threshold: 70"), encoding="utf-8")
    lenient = build_snapshot(root, run_examples=False)
    assert verdict(lenient, "字节调动", BYTEDANCE).decision == "pass"  # 75 ≥ 70
    assert cats(verdict(build_snapshot(rules_dir), "字节调动", BYTEDANCE)) == {"institution_mismatch"}


# ------------------------------------------------------------------ USCC (GB 32100)
@pytest.mark.parametrize("code", ["91110000802100433B", "91110000802100433b", " 91110000802100433B "])
def test_uscc_valid(code: str) -> None:
    assert VerifiedInstitution(name="x", kind="enterprise", uscc=code).uscc == "91110000802100433B"


def test_uscc_starting_with_a_letter_is_accepted() -> None:
    # python-stdnum's own validate() refuses this format; GB 32100 allows letters in the first position
    assert VerifiedInstitution(name="x", kind="government", uscc="A1110108551385082P").uscc == "A1110108551385082P"


@pytest.mark.parametrize("code", ["91110000802100433A", "9111000080210043", "91110000802100433I", "9111000080210O433B"])
def test_uscc_invalid(code: str) -> None:
    with pytest.raises(ValidationError, match="统一社会信用代码"):
        VerifiedInstitution(name="x", kind="enterprise", uscc=code)


@pytest.mark.slow
def test_uscc_422_over_http(rules_dir) -> None:
    srv = Server(rules_dir)
    try:
        srv.wait_ready()
        body = {"account_type": "institution", "fields": {"nickname": "字节跳动"},
                "verified": {"institution": {**BYTEDANCE, "uscc": "91110000802100433A"}}}
        r = httpx.post(srv.url + "/validate", content=json.dumps(body, ensure_ascii=False).encode(),
                       headers={"content-type": "application/json"}, timeout=10)
        assert r.status_code == 422, r.text
        err = r.json()
        assert err["error"] == "invalid_request" and "check character" in err["message"]
        assert err["details"][0]["loc"] == ["body", "verified", "institution", "uscc"]
        body["verified"]["institution"]["uscc"] = "91110000802100433B"
        r = httpx.post(srv.url + "/validate", content=json.dumps(body, ensure_ascii=False).encode(),
                       headers={"content-type": "application/json"}, timeout=10)
        assert r.status_code == 200 and r.json()["decision"] == "pass"
    finally:
        srv.stop()
