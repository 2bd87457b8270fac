"""RuleStore and RulesWatcher on real files: debounce, hash no-op, keep-last-good, status, self-testing packs,
shadow rules, and a Kubernetes ConfigMap-style `..data` swap."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from acctcheck.contract import AccountFields, ValidateRequest
from acctcheck.engine import validate
from acctcheck.reload import RuleStore, content_hash, source_dir
from acctcheck.watch import Debouncer, RulesWatcher
from tests.support.rules import RULES, configmap, make_rules, tiny_pack, write_atomic
from tests.support.virtual_time import run_virtual
from tests.support.waiting import await_until, watch_armed


def request(nickname: str) -> ValidateRequest:
    return ValidateRequest(fields=AccountFields(nickname=nickname))


def test_hash_noop_and_ignored_files(tmp_path: Path) -> None:
    store = RuleStore(make_rules(tmp_path / "r"), settle_s=0)
    first = store.reload()
    assert first.ok and first.changed and first.revision
    attempt = store.last_attempt
    again = store.reload()
    assert again.ok and not again.changed and again.revision == first.revision
    assert store.last_attempt == attempt and store.successes == 1  # nothing was rebuilt
    os.utime(tmp_path / "r" / "tiny.yaml")  # mtime only
    (tmp_path / "r" / ".tiny.yaml.swp").write_bytes(b"editor junk")  # hidden: never a reason to rebuild
    assert not store.reload().changed and store.successes == 1
    write_atomic(tmp_path / "r" / "tiny.yaml", tiny_pack("v1"))
    third = store.reload()
    assert third.ok and third.changed and third.revision != first.revision and store.successes == 2


def test_keep_last_good_and_status(tmp_path: Path) -> None:
    root = make_rules(tmp_path / "r")
    store = RuleStore(root, settle_s=0)
    good = store.reload()
    snap = store.snapshot
    write_atomic(root / "tiny.yaml", tiny_pack("bad").replace("category: misleading_claim", "category: nonsense"))
    bad = store.reload()
    assert not bad.ok and not bad.changed and bad.revision == good.revision
    assert store.snapshot is snap  # the previous snapshot keeps serving, untouched
    assert validate(store.snapshot, request("马甲大王")).rules_revision == good.revision
    status = store.status()
    assert set(status) >= {"ready", "rules_dir", "active", "activated_at", "last_attempt", "last_error", "reloads"}
    assert status["ready"] and status["active"]["revision"] == good.revision
    assert status["reloads"] == {"ok": 1, "failed": 1}
    [issue] = status["last_error"]
    assert issue["file"] == "tiny.yaml" and issue["rule"] == "rule words" and issue["field"] == "category"
    assert status["last_attempt"] >= status["activated_at"]
    pack = next(p for p in status["active"]["packs"] if p["name"] == "tiny")
    assert pack["version"] == "v0" and pack["digest"].startswith("sha256:")
    # the same broken content is not rebuilt on every poll
    assert not store.reload().ok and store.failures == 1
    write_atomic(root / "tiny.yaml", tiny_pack("v2"))
    fixed = store.reload()
    assert fixed.ok and fixed.changed and store.status()["last_error"] is None


@pytest.mark.parametrize("broken", ["empty", "yaml", "unknown_key", "examples"])
def test_invalid_versions_are_refused(tmp_path: Path, broken: str) -> None:
    root = make_rules(tmp_path / "r")
    store = RuleStore(root, settle_s=0)
    good = store.reload().revision
    text = {
        "empty": "",
        "yaml": tiny_pack("x") + "  - [unclosed\n",
        "unknown_key": tiny_pack("x").replace("    action: reject\n", "    action: reject\n    actoin: review\n", 1),
        # the example expects a hit for a word the rule does not contain: a pack that fails its own tests
        "examples": tiny_pack("x", word="马甲大王", example="完全无关"),
    }[broken]
    write_atomic(root / "tiny.yaml", text)
    result = store.reload()
    assert not result.ok and result.revision == good and store.snapshot.revision == good
    assert result.errors and all(e["file"] == "tiny.yaml" for e in result.errors)
    if broken == "examples":
        assert result.errors[0]["field"] == "examples.0" and "完全无关" in result.errors[0]["message"]


def test_shadow_rule_reported_never_decides(tmp_path: Path) -> None:
    store = RuleStore(make_rules(tmp_path / "r"), settle_s=0)
    store.reload()
    verdict = validate(store.snapshot, request("影子部门"))
    assert verdict.decision == "pass" and verdict.findings == []
    [shadow] = verdict.shadow_findings
    assert shadow.rule_id == "shadow-words" and shadow.category == "official_impersonation"
    both = validate(store.snapshot, request("影子部门马甲大王"))
    assert both.decision == "reject" and [f.rule_id for f in both.findings] == ["words"]


def test_configmap_layout_hash_and_swap(tmp_path: Path) -> None:
    root = tmp_path / "cm"
    policy = (RULES / "policy.yaml").read_text(encoding="utf-8")
    configmap(root, {"policy.yaml": policy, "tiny.yaml": tiny_pack("v1")}, "2026_11_29_10_00_00.1")
    store = RuleStore(root, settle_s=0)
    first = store.reload()
    assert first.ok and source_dir(root).name.startswith("..2026")
    h1 = content_hash(root)
    configmap(root, {"policy.yaml": policy, "tiny.yaml": tiny_pack("v2")}, "2026_11_29_10_01_00.2")
    assert content_hash(root) != h1
    second = store.reload()
    assert second.ok and second.changed and second.revision != first.revision
    assert next(p for p in store.status()["active"]["packs"] if p["name"] == "tiny")["version"] == "v2"


def test_content_hash_follows_linked_subdirectory(tmp_path: Path) -> None:
    """A term directory published as `terms -> ..data/terms` (projected volume): a change inside it counts."""
    root = tmp_path / "cm"
    (root / "..v1" / "terms").mkdir(parents=True)
    (root / "..v1" / "terms" / "a.txt").write_text("甲\n", encoding="utf-8")
    os.symlink("..v1", root / "..data")
    os.symlink("..data/terms", root / "terms")
    h1 = content_hash(root)
    (root / "..v2" / "terms").mkdir(parents=True)
    (root / "..v2" / "terms" / "a.txt").write_text("乙\n", encoding="utf-8")
    os.symlink("..v2", root / "..data_tmp")
    os.replace(root / "..data_tmp", root / "..data")
    assert content_hash(root) != h1


def test_debouncer_fires_once_after_quiet() -> None:
    """A 0.3 s burst of pokes fires once, exactly `quiet_s` after the last poke (virtual time: exact)."""

    async def main() -> tuple[list[float], float]:
        loop = asyncio.get_running_loop()
        deb = Debouncer(0.15, max_wait_s=5)
        fired: list[float] = []

        async def waiter() -> None:
            while True:
                await deb.wait()
                fired.append(loop.time())

        task = asyncio.create_task(waiter())
        last_poke = loop.time()
        for _ in range(10):  # a 0.3 s burst
            deb.poke()
            last_poke = loop.time()
            await asyncio.sleep(0.03)
        await asyncio.sleep(5)
        task.cancel()
        return fired, last_poke

    fired, last_poke = run_virtual(main())
    assert fired == [pytest.approx(last_poke + 0.15)]


def test_debouncer_max_wait_bounds_endless_writes() -> None:
    """Pokes every 20 ms that never stop: the wait ends `max_wait_s` after the first poke, not never."""

    async def main() -> float:
        loop = asyncio.get_running_loop()
        deb = Debouncer(0.2, max_wait_s=0.3)

        async def waited() -> float:
            await deb.wait()
            return loop.time()

        task = asyncio.create_task(waited())
        while not task.done() and loop.time() < 10:
            deb.poke()
            await asyncio.sleep(0.02)
        return task.result()  # InvalidStateError if the writes outlasted 10 s without it returning

    assert run_virtual(main()) == pytest.approx(0.3)


async def test_watcher_burst_compiles_once(tmp_path: Path) -> None:
    root = make_rules(tmp_path / "r")
    store = RuleStore(root, settle_s=0)
    store.reload()
    watcher = RulesWatcher(store, poll_s=60, debounce_ms=400)  # no poll during the test: the watch alone
    task = asyncio.create_task(watcher.run())
    await watch_armed(watcher, root)
    for i in range(1, 11):
        write_atomic(root / "tiny.yaml", tiny_pack(f"burst{i}"))
    assert await await_until(lambda: store.snapshot.packs[-1].version == "burst10", 5)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    # initial load + exactly one build for the burst: a build of any earlier version would have counted, and a
    # later reload of the same content is a hash no-op, so nothing can change this count after this point
    assert store.successes == 2 and store.failures == 0


async def test_watcher_sees_configmap_swap_and_poll_fallback(tmp_path: Path) -> None:
    root = tmp_path / "cm"
    policy = (RULES / "policy.yaml").read_text(encoding="utf-8")
    configmap(root, {"policy.yaml": policy, "tiny.yaml": tiny_pack("v1")}, "2026_01")
    store = RuleStore(root, settle_s=0)
    store.reload()
    watcher = RulesWatcher(store, poll_s=60, debounce_ms=50)
    task = asyncio.create_task(watcher.run())
    await watch_armed(watcher, root)
    configmap(root, {"policy.yaml": policy, "tiny.yaml": tiny_pack("v2")}, "2026_02")
    tiny = lambda: next(p.version for p in store.snapshot.packs if p.name == "tiny")  # noqa: E731
    assert await await_until(lambda: tiny() == "v2", 3)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    # poll only (no inotify event reaches it: the watcher is stopped, a short poll runs instead)
    poller = RulesWatcher(store, poll_s=0.2, debounce_ms=50)
    poller._watch = lambda: asyncio.sleep(3600)  # type: ignore[method-assign]
    task = asyncio.create_task(poller.run())
    configmap(root, {"policy.yaml": policy, "tiny.yaml": tiny_pack("v3")}, "2026_03")
    assert await await_until(lambda: tiny() == "v3", 3)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
