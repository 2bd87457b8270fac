"""Compiled snapshots as shared artifacts (acctcheck.artifact): compiled at start in process, on a reload by a
real child process, stored under a content key, loaded by the next worker without compiling, identical
verdicts, a damaged file compiled again, a pack set the child refuses reported with the same issues as an
in-process build, and the switches."""

from __future__ import annotations

from pathlib import Path

import pytest

from acctcheck.artifact import snapshot_store
from acctcheck.contract import AccountFields, ValidateRequest
from acctcheck.engine import validate
from acctcheck.packs.errors import PackSetError
from acctcheck.packs.files import FileSet
from acctcheck.packs.snapshot import Snapshot
from acctcheck.reload import RuleStore
from acctcheck.ruleset import build_snapshot
from tests.conftest import write_small_rules

NICKS = ["外交部发言人", "中央小助手", "普通用户", "国务院"]


def verdicts(snapshot: Snapshot) -> list[tuple[str, list[tuple[str, str, str]]]]:
    out = []
    for nick in NICKS:
        v = validate(snapshot, ValidateRequest(fields=AccountFields(nickname=nick)), decision_id="t")
        out.append((v.decision, [(f.category, f.text, f.method) for f in v.findings]))
    return out


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    out = tmp_path / "artifacts"
    monkeypatch.setenv("ACCTCHECK_ARTIFACT_DIR", str(out))
    monkeypatch.setenv("ACCTCHECK_SNAPSHOT_MIN_BYTES", "0")  # the small test packs through the artifact too
    return out


def test_compiled_once_then_loaded_without_compiling(tmp_path: Path, cache: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    rules = write_small_rules(tmp_path / "rules")
    first = RuleStore(rules, settle_s=0)
    assert first.reload(force=True).ok
    stored = list(cache.glob("snapshot-*.pickle"))
    assert len(stored) == 1
    assert verdicts(first.snapshot) == verdicts(build_snapshot(rules))

    def no_compile(*_a: object, **_k: object) -> bool:
        raise AssertionError("a warm artifact must not be compiled again")

    monkeypatch.setattr(snapshot_store, "compile_in_child", no_compile)
    monkeypatch.setattr(snapshot_store, "build_from_files", no_compile, raising=False)
    second = RuleStore(rules, settle_s=0)
    assert second.reload(force=True).ok
    assert second.snapshot.revision == first.snapshot.revision
    assert second.snapshot.root == str(rules)
    assert verdicts(second.snapshot) == verdicts(first.snapshot)


def test_a_changed_pack_gets_a_new_artifact(tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rules = write_small_rules(tmp_path / "rules")
    store = RuleStore(rules, settle_s=0)
    assert store.reload(force=True).ok  # at start: compiled in process and stored
    children: list[bool] = []
    real = snapshot_store.compile_in_child

    def counted(fs: FileSet, marked: frozenset[str], cache_dir: Path, key: str, *, serving: bool) -> bool:
        children.append(serving)
        return real(fs, marked, cache_dir, key, serving=serving)

    monkeypatch.setattr(snapshot_store, "compile_in_child", counted)
    pack = rules / "mini.yaml"
    pack.write_text(pack.read_text(encoding="utf-8").replace("[中央]", "[中央, 普通]"), encoding="utf-8")
    assert store.reload(force=True).ok
    assert len(list(cache.glob("snapshot-*.pickle"))) == 2
    assert children == [True]  # while serving, a niced child compiled the new version
    assert store.snapshot is not None
    assert verdicts(store.snapshot)[2][0] == "review"  # 普通用户 now holds a strict term


def test_a_damaged_artifact_is_compiled_again(tmp_path: Path, cache: Path) -> None:
    rules = write_small_rules(tmp_path / "rules")
    assert RuleStore(rules, settle_s=0).reload(force=True).ok
    (path,) = cache.glob("snapshot-*.pickle")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])  # a torn copy
    store = RuleStore(rules, settle_s=0)
    assert store.reload(force=True).ok
    assert verdicts(store.snapshot) == verdicts(build_snapshot(rules))
    assert snapshot_store.read_artifact(path, store.normalizer) is not None  # written again whole


def test_refused_packs_report_the_in_process_issues(tmp_path: Path, cache: Path) -> None:
    rules = write_small_rules(tmp_path / "rules")
    store = RuleStore(rules, settle_s=0)
    assert store.reload(force=True).ok  # serving: the next build is a child's
    pack = rules / "mini.yaml"
    # parses, but an example fails: refused at compile time, in the child
    pack.write_text(pack.read_text(encoding="utf-8").replace(
        "...\n", "examples:\n  - fields: {nickname: 普通用户}\n    expect: [official_impersonation]\n...\n"),
        encoding="utf-8")
    with pytest.raises(PackSetError) as in_process:
        build_snapshot(rules)
    result = store.reload(force=True)
    assert not result.ok
    assert result.errors == [i.as_dict() for i in in_process.value.issues]
    assert len(list(cache.glob("snapshot-*.pickle"))) == 1  # the first version's only


def test_commands_load_the_stored_artifact(tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """`acctcheck check` (and eval, scan: snapshot_store.load_dir) loads what a service's start stored instead of
    compiling; with nothing stored it compiles in process and stores nothing (it runs no examples)."""
    import json

    from acctcheck import ruleset
    from acctcheck.cli import main

    rules = write_small_rules(tmp_path / "rules")
    assert main(["check", "--nickname", "外交部", "--rules", str(rules)]) == 1
    assert not list(cache.glob("snapshot-*.pickle"))
    assert RuleStore(rules, settle_s=0).reload(force=True).ok  # a service's start stores it
    capsys.readouterr()

    def no_compile(*_a: object, **_k: object) -> None:
        raise AssertionError("a stored artifact must not be compiled again")

    monkeypatch.setattr(ruleset, "compile_files", no_compile)
    assert main(["check", "--nickname", "外交部", "--rules", str(rules)]) == 1
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["decision"] == "reject" and verdict["findings"][0]["matched"] == "外交部"


def test_a_build_without_examples_is_never_stored(tmp_path: Path, cache: Path) -> None:
    """A stored snapshot is loaded without running the packs' examples: one that `acctcheck check` compiled
    without them must not be there for a service to serve a pack whose examples fail."""
    from acctcheck.cli import main

    rules = write_small_rules(tmp_path / "rules")
    pack = rules / "mini.yaml"
    pack.write_text(pack.read_text(encoding="utf-8").replace(
        "...\n", "examples:\n  - fields: {nickname: 普通用户}\n    expect: [official_impersonation]\n...\n"),
        encoding="utf-8")
    assert main(["check", "--nickname", "外交部", "--rules", str(rules)]) == 1  # check runs no examples
    assert not list(cache.glob("snapshot-*.pickle"))
    result = RuleStore(rules, settle_s=0).reload(force=True)
    assert not result.ok and "examples.0" in str(result.errors)


def test_switched_off(tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCTCHECK_SNAPSHOT_ARTIFACTS", "0")
    rules = write_small_rules(tmp_path / "rules")
    store = RuleStore(rules, settle_s=0)
    assert store.reload(force=True).ok
    assert not cache.exists() or not list(cache.glob("snapshot-*.pickle"))


def test_a_small_set_compiles_in_process(tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCTCHECK_SNAPSHOT_MIN_BYTES", str(64 << 10))
    monkeypatch.setattr(snapshot_store, "compile_in_child", lambda *_a, **_k: pytest.fail("no child for a few kB"))
    store = RuleStore(write_small_rules(tmp_path / "rules"), settle_s=0)
    assert store.reload(force=True).ok
    assert not list(cache.glob("snapshot-*.pickle"))


def test_an_unusable_artifact_directory_still_starts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x", encoding="utf-8")
    monkeypatch.setenv("ACCTCHECK_ARTIFACT_DIR", str(not_a_dir))
    monkeypatch.setenv("ACCTCHECK_SNAPSHOT_MIN_BYTES", "0")
    rules = write_small_rules(tmp_path / "rules")
    store = RuleStore(rules, settle_s=0)
    assert store.reload(force=True).ok
    assert verdicts(store.snapshot) == verdicts(build_snapshot(rules))


def test_bundled_artifact_decodes_payloads_on_first_sight(snapshot: Snapshot, tmp_path: Path) -> None:
    """The bundled packs written and read back: no term payload is decoded by loading (that is what makes a
    warm start cheap), the keys a request finds are decoded by the search, and verdicts equal the in-process
    snapshot's on real table cases."""
    import yaml

    path = snapshot_store.write_artifact(snapshot, tmp_path, "k" * 32)
    loaded = snapshot_store.read_artifact(path, snapshot.normalizer)
    assert loaded is not None
    terms = loaded.one_edit_terms
    assert terms.size and all(p is None for p in terms.payloads)
    cases = yaml.safe_load((Path(__file__).parent / "data" / "blind6_must_flag.yaml").read_text(encoding="utf-8"))
    for case in cases[:150]:
        req = ValidateRequest.model_validate({"account_type": case.get("account_type", "personal"),
                                              "fields": case["fields"]})
        assert validate(loaded, req, decision_id="t") == validate(snapshot, req, decision_id="t"), case["id"]
    decoded = sum(p is not None for p in terms.payloads)
    assert 0 < decoded < terms.size // 10  # what the cases found, not every key


def test_payloads_pickle_every_field() -> None:
    """TermEntry and Half pickle positionally (their own __reduce__): a field added later and left out of it
    would come back as its default from every artifact."""
    import dataclasses
    import pickle

    from acctcheck.match.entries import TermEntry
    from acctcheck.match.fuzzy import Half

    for cls in (TermEntry, Half):
        values = {f.name: (f"x{i}" if f.type in ("str", str) else (i + 2 if f.type in ("int", int) else
                  (True if f.type in ("bool", bool) else (i,)))) for i, f in enumerate(dataclasses.fields(cls))}
        obj = cls(**values)
        back = pickle.loads(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
        assert {f: getattr(back, f) for f in values} == values
