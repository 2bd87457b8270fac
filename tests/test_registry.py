"""Registries of protected and closed account names (rule kind: registry): real .txt and .gz files compiled
into real artifacts (a child process, as in production), matching through the skeleton view's evasions,
association suffixes, the owner exemption, `acctcheck registry diff`, `acctcheck compile`, artifact reuse and
a live reload on a 2-worker server under light load."""

from __future__ import annotations

import gzip
import random
import shutil
import threading
import time
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from acctcheck.cli import main
from acctcheck.contract import AccountFields, ValidateRequest
from acctcheck.engine import validate
from acctcheck.packs.errors import PackSetError
from acctcheck.registry import artifact
from acctcheck.registry.artifact import RegistryIndex, SourceChanged, compile_artifact, ensure_artifact, word_interiors
from acctcheck.registry.source import file_digest
from acctcheck.ruleset import build_snapshot
from tests.conftest import RULES, Server, write_small_rules

VERIFIED_PACK = """\
schema_version: 1
name: verified-accounts
version: "1"
description: 平台认证账号名称
rules:
  - id: verified
    kind: registry
    category: protected_name
    file: verified-accounts.txt
"""
CLOSED_PACK = VERIFIED_PACK.replace("verified-accounts", "closed-accounts").replace("id: verified", "id: closed") \
    .replace("protected_name", "closed_account_name").replace("closed-accounts.txt", "closed-accounts.txt.gz") \
    .replace("平台认证账号名称", "已关闭账号名称")
HAND = ["人民日报\tacc-1", "王小明\tacc-2", "Nike\tacc-3", "香港電台", "张三丰\tacc-4", "王伟\tacc-5",
        "# a comment line", "", "\tno-name", "星河传媒工作室\tacc-6"]
CLOSED = ["刷单小王子\tclosed-9", "ScamKing"]


def synthetic(n: int, seed: int = 7) -> list[str]:
    """n distinct names of 2-12 characters, Chinese and Latin, with account ids."""
    rnd = random.Random(seed)
    han = [chr(c) for c in range(0x4E00, 0x4E00 + 2500)]
    out: set[str] = set()
    while len(out) < n:
        if rnd.random() < 0.7:
            out.add("".join(rnd.choices(han, k=rnd.randint(3, 8))))
        else:
            out.add("".join(rnd.choices("abcdefghijklmnopqrstuvwxyz", k=rnd.randint(5, 12))))
    return [f"{name}\tsyn-{i}" for i, name in enumerate(sorted(out))]


def write_rules(root: Path, verified: list[str], closed: list[str]) -> Path:
    write_small_rules(root)
    shutil.copy(RULES / "policy.yaml", root / "policy.yaml")
    (root / "verified.yaml").write_text(VERIFIED_PACK, encoding="utf-8")
    (root / "closed.yaml").write_text(CLOSED_PACK, encoding="utf-8")
    (root / "verified-accounts.txt").write_text("\n".join(verified) + "\n", encoding="utf-8")
    (root / "closed-accounts.txt.gz").write_bytes(gzip.compress(("\n".join(closed) + "\n").encode()))
    return root


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory):
    with pytest.MonkeyPatch.context() as mp:
        cache = tmp_path_factory.mktemp("artifacts")
        mp.setenv("ACCTCHECK_ARTIFACT_DIR", str(cache))
        yield cache


@pytest.fixture(scope="module")
def snap(tmp_path_factory: pytest.TempPathFactory, artifacts: Path):
    root = write_rules(tmp_path_factory.mktemp("rules"), HAND + synthetic(10_000), CLOSED)
    return build_snapshot(root)


def check(snap, nickname: str, account_id: str | None = None, **fields: str):
    req = ValidateRequest(fields=AccountFields(nickname=nickname, **fields), account_id=account_id)
    return validate(snap, req)


def registry_findings(verdict) -> list[tuple[str, str, str, str, str]]:
    return [(f.category, f.text, f.matched, f.method, f.action) for f in verdict.findings
            if f.category in ("protected_name", "closed_account_name")]


def test_minimal_pack_gets_article_action_and_message_from_policy(snap) -> None:
    status = snap.status()
    regs = {r["rule"]: r for r in status["registries"]}
    assert regs["verified"]["names"] == 10_007 and regs["verified"]["bad_lines"] == 1  # `\tno-name`
    assert regs["verified"]["bad_samples"] == [[9, "empty name"]]
    assert regs["closed"]["names"] == 2
    f = check(snap, "人民日报").findings[0]
    assert (f.article, f.action, f.rule_id) == ("第八条第（二）项", "reject", "verified")
    assert f.message == "账号名称“人民日报”与平台认证账号名称“人民日报”相同或近似，涉嫌假冒、仿冒"


@pytest.mark.parametrize(("nickname", "matched", "method"), [
    ("人民日报", "人民日报", "exact"),
    ("人民日報", "人民日报", "traditional"),  # typed in traditional characters
    ("香港电台", "香港電台", "traditional"),  # listed in traditional, typed in simplified
    ("ｎｉｋｅ", "Nike", "exact"),  # full width and case fold in NFKC/casefold: the same letters
    ("NIKE", "Nike", "exact"),
    ("Nıke", "Nike", "lookalike"),  # dotless ı
    ("人·民 日-报", "人民日报", "separator"),
    ("\u202e报日民人", "人民日报", "bidi"),  # shown as 人民日报 by a right-to-left override
    ("刷单小王子", "刷单小王子", "exact"),
    ("scamking", "ScamKing", "exact"),
])
def test_whole_name_through_evasions_rejects(snap, nickname: str, matched: str, method: str) -> None:
    v = check(snap, nickname)
    found = registry_findings(v)
    assert v.decision == "reject", found
    assert [(m, meth, a) for _, _, m, meth, a in found] == [(matched, method, "reject")]


@pytest.mark.parametrize(("nickname", "matched", "method", "decision"), [
    ("张三峰", "张三丰", "homophone", "review"),  # heard alike, three syllables: a person decides
    ("zhangsanfeng", "张三丰", "pinyin", "review"),
    ("人民日抱", "人民日报", "homophone", "reject"),  # four syllables heard alike keep the rule's reject
    ("renminribao", "人民日报", "pinyin", "reject"),
])
def test_a_whole_name_heard_like_a_listed_one(snap, nickname: str, matched: str, method: str,
                                              decision: str) -> None:
    """policy.registry.sound_min_syllables (3 in the bundled policy): one lookup of the field's pinyin."""
    v = check(snap, nickname)
    assert [(m, meth) for _, _, m, meth, _ in registry_findings(v)] == [(matched, method)]
    assert v.decision == decision


def test_no_sound_hit_for_short_names_or_the_owner(snap) -> None:
    assert [m for _, _, m, _, _ in registry_findings(check(snap, "王晓明"))] == ["王小明"]  # heard alike
    assert registry_findings(check(snap, "王晓明", account_id="acc-2")) == []  # but by 王小明's owner
    assert registry_findings(check(snap, "汪伟")) == []  # two syllables: never by sound


def test_a_synthetic_name_among_ten_thousand(snap) -> None:
    name = synthetic(10_000)[4321].split("\t")[0]
    assert check(snap, name).decision == "reject"
    assert check(snap, name, account_id="syn-4321").decision == "pass"


@pytest.mark.parametrize(("nickname", "text"), [
    ("人民日报小号", "人民日报"),
    ("人民日报二号", "人民日报"),  # number styles: 二号 and 2号 are one suffix
    ("人民日报2号", "人民日报"),
    ("人民日报 ②", "人民日报"),
    ("王伟备用", "王伟"),  # a short name with a suffix is still associated
    ("nike official", "nike"),
    ("我是人民日报的朋友", "人民日报"),  # inside a longer name
    ("刷单小王子回来了", "刷单小王子"),
    ("sunny_nike", "nike"),  # a Latin name as a whole word after a separator
    ("sunny\u200bnike88", "nike"),  # after an invisible character, before a digit run
    ("i love Nike", "Nike"),
    ("爱Nike", "Nike"),
])
def test_suffix_or_inside_a_longer_name_reviews(snap, nickname: str, text: str) -> None:
    v = check(snap, nickname)
    assert v.decision == "review", registry_findings(v)
    assert [(t, a) for _, t, _, _, a in registry_findings(v)] == [(text, "review")]


@pytest.mark.parametrize("nickname", ["王伟的小店", "小王伟", "snikers", "nikestore", "sunny_nikestore",
                                      "ｓｎｉｋｅｒｓ"])
def test_short_names_inside_and_latin_inside_a_word_are_not_hits(snap, nickname: str) -> None:
    assert registry_findings(check(snap, nickname)) == []


def test_owner_exemption(snap) -> None:
    assert check(snap, "人民日报", account_id="acc-1").decision == "pass"
    assert check(snap, "人民日报小号", account_id="acc-1").decision == "pass"
    assert check(snap, "人民日报", account_id="acc-2").decision == "reject"  # somebody else's id
    assert check(snap, "香港电台", account_id="acc-1").decision == "reject"  # an entry without an owner


def test_only_names_by_default(snap) -> None:
    assert registry_findings(check(snap, "普通用户", bio="每天读人民日报")) == []


def test_account_id_limits() -> None:
    ValidateRequest(fields=AccountFields(nickname="x"), account_id="a" * 128)
    with pytest.raises(ValidationError):
        ValidateRequest(fields=AccountFields(nickname="x"), account_id="a" * 129)
    with pytest.raises(ValidationError):
        ValidateRequest(fields=AccountFields(nickname="x"), account_id="")


def test_registry_rule_category_and_missing_file(tmp_path: Path, artifacts: Path) -> None:
    root = write_rules(tmp_path / "r", ["甲乙丙"], ["丁戊己"])
    (root / "verified.yaml").write_text(VERIFIED_PACK.replace("protected_name", "strict_term"), encoding="utf-8")
    (root / "closed-accounts.txt.gz").unlink()
    with pytest.raises(PackSetError) as exc:
        build_snapshot(root)
    text = "\n".join(map(str, exc.value.issues))
    assert "a registry rule reports one of" in text and "registry file 'closed-accounts.txt.gz' not found" in text


@pytest.mark.slow
def test_unreadable_registry_is_refused(tmp_path: Path, artifacts: Path) -> None:
    root = write_rules(tmp_path / "r", ["甲乙丙"], ["丁戊己"])
    (root / "verified-accounts.txt").write_bytes("甲乙丙\n".encode() + b"\xff\xfe\n")
    (root / "closed-accounts.txt.gz").write_bytes(b"not gzip at all")
    with pytest.raises(PackSetError) as exc:
        build_snapshot(root)
    text = "\n".join(map(str, exc.value.issues))
    assert "verified-accounts.txt is not UTF-8" in text and "closed-accounts.txt.gz" in text


def test_artifact_is_content_addressed_and_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "names.txt"
    src.write_text("甲乙丙\nalpha\tid-1\n", encoding="utf-8")
    first, stats = compile_artifact(src, tmp_path / "out")
    assert stats.seconds > 0 and (stats.names, stats.keys) == (2, 2)
    again, stats2 = compile_artifact(src, tmp_path / "out")
    assert again == first and stats2.seconds == 0  # nothing recompiled
    monkeypatch.setattr(artifact.subprocess, "run", lambda *a, **k: pytest.fail("recompiled a warm artifact"))
    assert ensure_artifact(src, file_digest(src), tmp_path / "out") == first
    index = RegistryIndex(first)
    assert index.lookup("alpha") == [("alpha", "id-1")] and index.lookup("甲乙丙") == [("甲乙丙", "")]
    src.write_text("甲乙丙\nalpha\tid-2\n", encoding="utf-8")  # the same names, another owner
    third, _ = compile_artifact(src, tmp_path / "out")
    assert third != first
    with pytest.raises(SourceChanged):  # the writer replaced the file after the worker hashed it
        compile_artifact(src, tmp_path / "out", expected_digest="sha256:" + "0" * 64)


@pytest.mark.slow
def test_registry_only_change_reuses_the_bundled_automata(tmp_path: Path, artifacts: Path) -> None:
    root = write_rules(tmp_path / "r", ["甲乙丙丁"], ["丁戊己"])
    first = build_snapshot(root)
    (root / "verified-accounts.txt").write_text("甲乙丙丁\n庚辛壬癸\n", encoding="utf-8")
    second = build_snapshot(root, previous=first)
    assert second.skeleton_terms is first.skeleton_terms  # not rebuilt
    assert second.revision != first.revision
    assert check(second, "庚辛壬癸").decision == "reject" and check(first, "庚辛壬癸").decision == "pass"
    assert check(second, "外交部").decision == "reject"  # the bundled rules still apply
    (root / "mini.yaml").write_text((root / "mini.yaml").read_text().replace("国务院", "国务院, 教育部"))
    third = build_snapshot(root, previous=second)
    assert third.skeleton_terms is not second.skeleton_terms  # a pack changed: full build
    assert check(third, "教育部").decision == "reject" and check(third, "庚辛壬癸").decision == "reject"


def test_diff_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = tmp_path / "old.txt", tmp_path / "new.txt.gz"
    old.write_text("人民日报\tacc-1\n王小明\tacc-2\nNike\n", encoding="utf-8")
    new.write_bytes(gzip.compress("人民日报\tacc-1\n王小明\tacc-9\nNIKE\n李四\n\tx\n".encode()))
    assert main(["registry", "diff", str(old), str(new)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == ["- Nike", "- 王小明\tacc-2", "+ NIKE", "+ 李四", "+ 王小明\tacc-9"]
    assert "3 added, 2 removed, 1 unchanged, 1 unreadable line(s)" in err
    assert main(["registry", "diff", "--keys", str(old), str(new)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == ["+ 李四"] and "1 added, 0 removed, 3 unchanged" in err


def test_compile_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_rules(tmp_path / "r", ["甲乙丙丁", "\tbad"], ["丁戊己"])
    out = tmp_path / "artifacts"
    assert main(["compile", str(root), "--out", str(out)]) == 0
    text, err = capsys.readouterr()
    assert "verified-accounts.txt: 1 names, 1 keys, compiled in" in text and "closed-accounts.txt.gz: 1 names" in text
    assert "verified-accounts.txt:2: skipped: empty name" in err
    assert main(["compile", str(root), "--out", str(out)]) == 0
    assert capsys.readouterr()[0].count("already compiled") == 3  # two registries and the packs' snapshot
    assert len([p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]) == 2
    assert len(list(out.glob("snapshot-*.pickle"))) == 1


@pytest.mark.slow
def test_reload_on_two_workers_under_load(tmp_path: Path) -> None:
    """A registry replaced by an atomic rename, then rewritten in place, under light traffic on 2 workers:
    every request answers 200 and each version becomes active on both workers."""
    base = synthetic(10_000, seed=3)
    root = write_rules(tmp_path / "rules", base, CLOSED)
    cache = tmp_path / "artifacts"
    assert main(["compile", str(root), "--out", str(cache)]) == 0  # warm, as an image build would
    srv = Server(root, env={"ACCTCHECK_ARTIFACT_DIR": str(cache), "ACCTCHECK_RELOAD_POLL_S": "0.5",
                            "ACCTCHECK_LOG_DECISIONS": "false"}, workers=2)
    failures: list[str] = []
    stop = threading.Event()

    def load() -> None:
        names = ["普通用户", "人民日报", base[17].split("\t")[0]]
        i = 0
        while not stop.is_set():
            try:
                r = httpx.post(f"{srv.url}/validate", json={"fields": {"nickname": names[i % 3]}},
                               headers={"Connection": "close"}, timeout=10)
                if r.status_code != 200:
                    failures.append(f"{r.status_code} {r.text[:200]}")
            except httpx.HTTPError as exc:
                failures.append(repr(exc))
            i += 1
            time.sleep(0.01)

    def active_everywhere(nickname: str, decision: str) -> None:
        """20 requests in a row on new connections (both workers) see it; bounded to 90 s."""
        deadline = time.monotonic() + 90
        streak = 0
        while streak < 20:
            assert time.monotonic() < deadline, f"{nickname} never {decision} everywhere: {srv.stderr_tail()}"
            r = httpx.post(f"{srv.url}/validate", json={"fields": {"nickname": nickname}},
                           headers={"Connection": "close"}, timeout=10)
            streak = streak + 1 if r.json()["decision"] == decision else 0
            time.sleep(0.02 if streak else 0.2)

    try:
        srv.wait_ready(60)
        loader = threading.Thread(target=load, daemon=True)
        loader.start()
        active_everywhere("新认证账号甲", "pass")
        tmp = root / ".verified-accounts.txt.new"  # names starting with "." are ignored by the watcher
        tmp.write_text("\n".join(base + ["新认证账号甲\tnew-1"]) + "\n", encoding="utf-8")
        tmp.rename(root / "verified-accounts.txt")  # atomic swap
        active_everywhere("新认证账号甲", "reject")
        with (root / "verified-accounts.txt").open("w", encoding="utf-8") as f:  # rewritten in place
            f.write("\n".join(base[:5000] + ["新认证账号乙\tnew-2"]) + "\n")
        active_everywhere("新认证账号乙", "reject")
        active_everywhere("新认证账号甲", "pass")
        stop.set()
        loader.join(15)
        status = httpx.get(f"{srv.url}/status", timeout=5).json()
        regs = {r["rule"]: r for r in status["active"]["registries"]}
        assert regs["verified"]["names"] == 5001
    finally:
        stop.set()
        srv.stop()
    assert failures == []


def test_search_filters(tmp_path: Path) -> None:
    src = tmp_path / "names.txt"
    src.write_text("甲乙\n丙丁戊\nabc\nofficial\n", encoding="utf-8")
    index = RegistryIndex(compile_artifact(src, tmp_path / "out")[0])
    keys = lambda hits, text: sorted(text[s:e] for s, e, _ in hits)  # noqa: E731
    text = "子甲乙丙丁戊"
    assert keys(index.search(text, 3), text) == ["丙丁戊"]  # a two-character name never counts inside
    assert keys(index.search(text, 2), text) == ["丙丁戊", "甲乙"]  # unless the policy says so
    assert keys(index.search("甲乙", 3), "甲乙") == ["甲乙"]  # the whole name always
    assert keys(index.search("甲乙小号", 3, {"小号"}), "甲乙小号") == ["甲乙"]  # and before a suffix
    assert keys(index.search("xabcx", 3), "xabcx") == ["abc"]
    assert index.search("xabcx", 3, interiors=lambda: word_interiors("xabcx")) == []  # inside a Latin word…
    split = index.search("xabcx", 3, interiors=lambda: word_interiors("xabcx", {1}))
    assert keys(split, "xabcx") == ["abc"]  # …unless a separator was dropped there
    # the name before a suffix; `official` itself continues the word abc…
    assert keys(index.search("abcofficial", 3, {"official"}, lambda: word_interiors("abcofficial")),
                "abcofficial") == ["abc"]
    assert word_interiors("ab1c23") == {1, 5}


def test_a_replaced_registry_too_large_to_read_whole_is_a_change(tmp_path: Path, artifacts: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A registry over the rules reader's size limit (a daily file of millions of names) is not read into the
    file set; its replacement must still be seen. Its identity was once only "file larger than …", the same
    for every version, so a replaced 140 MB registry was never reloaded."""
    from acctcheck.packs import files
    from acctcheck.reload import RuleStore

    pad = ["# " + "x" * 98] * 2_000  # 200 kB of comment lines: over the limit below, the packs are not
    root = write_rules(tmp_path / "r", [*pad, "甲乙丙丁"], CLOSED)
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 100_000)
    store = RuleStore(root, settle_s=0)
    assert store.reload(force=True).ok
    first = store.snapshot.revision
    assert check(store.snapshot, "甲乙丙丁").decision == "reject"
    tmp = root / ".next.txt"
    tmp.write_text("\n".join([*pad, "戊己庚辛"]) + "\n", encoding="utf-8")
    tmp.rename(root / "verified-accounts.txt")  # the same size, another inode: a sync job's rename
    result = store.reload()
    assert result.ok and result.changed and store.snapshot.revision != first
    assert check(store.snapshot, "戊己庚辛").decision == "reject"
    assert check(store.snapshot, "甲乙丙丁").decision == "pass"
