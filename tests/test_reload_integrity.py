"""Pack-set integrity on real files, with the store's clock injected (no sleeping on timers): a pack or term
file written with a pause at every line boundary is never served half-written; truncation cannot drop rules or
examples; the manifest; policy.yaml is required; a revision still activates while files keep changing; the
watch survives the directory being replaced; a refused very large pack gives its memory back."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from acctcheck.cli import main as cli
from acctcheck.contract import AccountFields, ValidateRequest
from acctcheck.engine import validate
from acctcheck.packs.loader import load_dir
from acctcheck.reload import RuleStore
from acctcheck.watch import RulesWatcher
from tests.support.rules import RULES, make_rules, tiny_pack, write_atomic
from tests.support.waiting import await_until, watch_armed

SETTLE = 60.0  # fake seconds: the real time a test takes never counts as settling


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def store_for(root: Path, clock: Clock, **kw: float) -> RuleStore:
    # wall=0: a file seen for the first time counts as just written (its real mtime says nothing here)
    return RuleStore(root, settle_s=kw.get("settle_s", SETTLE), max_defer_s=kw.get("max_defer_s", 10 * SETTLE),
                     clock=clock, wall=lambda: 0.0)


def settle(store: RuleStore, clock: Clock) -> None:
    """Look (the files are seen), let the settle period pass, look again: the set is built."""
    store.reload()
    clock.t += store.settle_s
    result = store.reload()
    assert not result.pending, result


def revision(files: dict[str, str], scratch: Path) -> str:
    scratch.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (scratch / name).parent.mkdir(parents=True, exist_ok=True)
        (scratch / name).write_text(text, encoding="utf-8")
    return load_dir(scratch).revision


def cuts(text: str) -> list[str]:
    """Every prefix of text that ends at a line boundary, shortest first (the full text excluded)."""
    lines = text.splitlines(keepends=True)
    return ["".join(lines[:k]) for k in range(1, len(lines))]


@pytest.mark.parametrize("pack", ["tiny.yaml", "contact.yaml"])
@pytest.mark.slow
def test_pack_written_with_pauses_at_every_line_is_never_served_partial(tmp_path: Path, pack: str) -> None:
    """The writer stops at each line boundary: first for less than the settle period (nothing is even
    built), then for longer (the prefix is built and refused: it lacks the closing `...`). Only the old and
    the complete new revision are ever active."""
    clock = Clock()
    root = make_rules(tmp_path / "r")
    shutil.copy(RULES / "contact.yaml", root / "contact.yaml")
    store = store_for(root, clock)
    settle(store, clock)
    old = store.snapshot.revision
    base = {n: (root / n).read_text(encoding="utf-8") for n in ("policy.yaml", "tiny.yaml", "contact.yaml")}
    full = tiny_pack("v2", word="新马甲") if pack == "tiny.yaml" else base[pack].replace(
        "\nversion: ", "\nversion: 2-", 1)
    new = revision({**base, pack: full}, tmp_path / "new")
    builds = 0
    for prefix in cuts(full):
        with open(root / pack, "w", encoding="utf-8") as fh:  # in place, as an editor or `cat >` writes
            fh.write(prefix)
        clock.t += store.settle_s / 2
        assert store.reload().pending  # a short pause: not settled, nothing read into a build
        assert store.snapshot.revision == old
        clock.t += store.settle_s
        attempt = store.last_attempt
        result = store.reload()  # a long pause: settled, built, refused
        builds += store.last_attempt != attempt
        assert not result.ok and store.snapshot.revision == old, prefix[-80:]
        assert any(e["file"] == pack for e in result.errors)
    assert builds == len(cuts(full))
    (root / pack).write_text(full, encoding="utf-8")
    settle(store, clock)
    assert store.snapshot.revision == new and store.last_error is None


def test_truncated_examples_are_refused_even_unsettled(tmp_path: Path) -> None:
    """Cut after the last rule, a pack is valid YAML with every example gone. Once its built version ended with
    `...`, the cut version is refused by the missing marker alone (settle 0), so its examples cannot be
    defeated by truncation; the complete file activates again."""
    root = make_rules(tmp_path / "r")
    text = tiny_pack("v1")
    (root / "tiny.yaml").write_text(text, encoding="utf-8")
    store = RuleStore(root, settle_s=0)
    assert store.reload().ok and cli(["lint", str(root)]) == 0
    good = store.snapshot.revision
    (root / "tiny.yaml").write_text(text.split("examples:")[0], encoding="utf-8")
    result = store.reload()
    assert not result.ok and store.snapshot.revision == good
    [issue] = result.errors
    assert issue["file"] == "tiny.yaml" and "`...`" in issue["message"]
    (root / "tiny.yaml").write_text(text, encoding="utf-8")
    assert store.reload(force=True).ok and store.snapshot.revision == good


def test_a_pack_that_never_had_the_marker_is_accepted(tmp_path: Path) -> None:
    """The marker is required only of a file whose built version had it: a pack written without it (the minimal
    registry pack of the docs, a hand-written one) still loads."""
    root = make_rules(tmp_path / "r")
    (root / "tiny.yaml").write_text(tiny_pack("v1").rstrip().removesuffix("...").rstrip() + "\n", encoding="utf-8")
    store = RuleStore(root, settle_s=0)
    assert store.reload().ok and cli(["lint", str(root)]) == 0


def test_term_file_with_pauses_is_never_served_partial_under_a_manifest(tmp_path: Path) -> None:
    """A term file has no end marker: the settle period covers pauses shorter than it, the manifest covers
    any pause. Written line by line with pauses longer than the settle period, the set is refused (digest
    mismatch) until the last line lands; with shorter pauses nothing is built at all."""
    clock = Clock()
    root = make_rules(tmp_path / "r")
    terms = "".join(f"马甲{i}号\n" for i in range(1, 9))
    (root / "words").mkdir()
    (root / "words" / "list.txt").write_text("马甲1号\n", encoding="utf-8")
    pack = tiny_pack("v1", word="马甲1号").replace("    terms: [马甲1号]", "    terms_file: words/list.txt")
    (root / "tiny.yaml").write_text(pack, encoding="utf-8")
    assert cli(["manifest", str(root)]) == 0
    store = store_for(root, clock)
    assert store.reload().ok and store.activated_from == "manifest"  # proven complete: no settle wait
    old = store.snapshot.revision
    (root / "words" / "list.txt").write_text(terms, encoding="utf-8")
    assert cli(["manifest", str(root)]) == 0  # the manifest first, then the file is rewritten slowly
    for prefix in cuts(terms):
        (root / "words" / "list.txt").write_text(prefix, encoding="utf-8")
        clock.t += store.settle_s / 2
        assert store.reload().pending and store.snapshot.revision == old
        clock.t += store.settle_s
        result = store.reload()
        assert not result.ok and store.snapshot.revision == old
        assert any(e["file"] == "words/list.txt" and "manifest.json" in e["message"] for e in result.errors)
    (root / "words" / "list.txt").write_text(terms, encoding="utf-8")
    result = store.reload()
    assert result.ok and result.changed and store.activated_from == "manifest"
    assert validate(store.snapshot, ValidateRequest(fields=AccountFields(nickname="马甲8号"))).decision == "reject"
    assert cli(["manifest", "--check", str(root)]) == 0
    (root / "extra.txt").write_text("不在清单里\n", encoding="utf-8")
    settle(store, clock)
    assert any(e["file"] == "extra.txt" and "not listed" in e["message"] for e in store.last_error or [])
    assert cli(["manifest", "--check", str(root)]) == 1 and cli(["lint", str(root)]) == 1


def test_deleted_policy_is_refused_not_defaulted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_rules(tmp_path / "r")
    store = RuleStore(root, settle_s=0)
    good = store.reload()
    (root / "policy.yaml").unlink()
    result = store.reload()
    assert not result.ok and store.snapshot.revision == good.revision
    [issue] = store.status()["last_error"]
    assert issue["file"] == "policy.yaml" and "missing" in issue["message"]
    capsys.readouterr()
    assert cli(["lint", str(root)]) == 1
    assert "policy.yaml: missing" in capsys.readouterr().out


def test_continuous_rewrites_activate_at_a_bounded_interval(tmp_path: Path) -> None:
    """A pack rewritten every settle/2 never settles. Every max_defer_s a revision of the latest complete
    versions is built anyway; the term file it references, rewritten as often, is taken as last settled."""
    clock = Clock()
    root = make_rules(tmp_path / "r")
    (root / "words.txt").write_text("旧词\n", encoding="utf-8")
    pack = tiny_pack("v0").replace("shadow\n    message: 影子词：{text}\n    terms: [影子部门]",
                                   "shadow\n    message: 影子词：{text}\n    terms_file: words.txt")
    (root / "tiny.yaml").write_text(pack, encoding="utf-8")
    store = store_for(root, clock, settle_s=1.0, max_defer_s=5.0)
    settle(store, clock)
    activations: list[tuple[float, str]] = []
    start = clock.t
    for i in range(1, 41):  # 20 fake seconds of a write every 0.5 s
        write_atomic(root / "tiny.yaml", pack.replace('version: "v0"', f'version: "v{i}"'))
        (root / "words.txt").write_text("新词\n" * i if i % 2 else "", encoding="utf-8")  # never settles either
        clock.t += 0.5
        result = store.reload()
        assert result.pending and result.retry_in is not None and result.retry_in <= 5.0
        if result.changed:
            activations.append((clock.t, store.snapshot.packs[-1].version))
            assert store.activated_from == "deferred"
            snap = store.snapshot
            assert validate(snap, ValidateRequest(fields=AccountFields(nickname="旧词"))).shadow_findings
    times = [start, *(t for t, _ in activations)]
    assert len(activations) >= 3 and max(b - a for a, b in zip(times, times[1:], strict=False)) <= 5.5, activations
    clock.t += 1.0
    result = store.reload()  # the writer stopped: the last versions settle and activate
    assert result.ok and result.changed and store.activated_from == "settled"
    assert store.snapshot.packs[-1].version == "v40"


@contextlib.asynccontextmanager
async def watched(root: Path) -> AsyncIterator[tuple[Callable[[], str], RulesWatcher]]:
    """A store on `root` built once, its watch running (watch only: a one-hour poll), and the tiny pack's
    active version; the watch is stopped on the way out."""
    store = RuleStore(root, settle_s=0)
    store.reload()
    watcher = RulesWatcher(store, poll_s=3600, debounce_ms=50)
    task = asyncio.create_task(watcher.run())
    try:
        yield (lambda: next(p.version for p in store.snapshot.packs if p.name == "tiny")), watcher
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@pytest.mark.slow
async def test_watch_survives_directory_replacement_and_symlink_swap(tmp_path: Path) -> None:
    """`rm -rf rules && cp -r new rules`, then an edit inside the new directory; then the rules path as a
    symlink swapped to another directory (how a ConfigMap's `..data` or a deploy tool's `current` link
    moves), then an edit there. The watch alone (no poll) must see every step."""
    policy = (RULES / "policy.yaml").read_text(encoding="utf-8")
    staged = make_rules(tmp_path / "staged", "replaced")
    root = make_rules(tmp_path / "rules")
    async with watched(root) as (version, watcher):
        await watch_armed(watcher, root)
        shutil.rmtree(root)
        shutil.copytree(staged, root)
        assert await await_until(lambda: version() == "replaced", 10)
        await watch_armed(watcher, root)  # re-armed on the new directory
        write_atomic(root / "tiny.yaml", tiny_pack("edited-after-replace"))
        assert await await_until(lambda: version() == "edited-after-replace", 10)

    link = tmp_path / "current"
    make_rules(tmp_path / "v1", "link-v1")
    make_rules(tmp_path / "v2", "link-v2")
    link.symlink_to(tmp_path / "v1")
    async with watched(link) as (v2, watcher2):
        await watch_armed(watcher2, link)
        (tmp_path / "next").symlink_to(tmp_path / "v2")
        os.replace(tmp_path / "next", link)
        assert await await_until(lambda: v2() == "link-v2", 10)
        await watch_armed(watcher2, link)  # re-armed on the directory the link now names
        (tmp_path / "v2" / "policy.yaml").write_text(policy, encoding="utf-8")
        write_atomic(tmp_path / "v2" / "tiny.yaml", tiny_pack("edited-in-v2"))
        assert await await_until(lambda: v2() == "edited-in-v2", 10)


REFUSED_BIG_PACK = textwrap.dedent("""
    import random, shutil, sys
    from pathlib import Path
    from acctcheck.reload import RuleStore
    from tests.support.rules import make_rules

    def rss_mb():
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

    root = make_rules(Path(sys.argv[1]))
    store = RuleStore(root, settle_s=0)
    assert store.reload().ok
    rng = random.Random(1)
    han = [chr(c) for c in range(0x4E00, 0x9FA6)]
    terms = ", ".join("".join(rng.choice(han) for _ in range(6)) for _ in range(600_000))
    (root / "big.yaml").write_text(
        "schema_version: 1\\nname: big\\nversion: '1'\\ndescription: d\\nrules:\\n  - id: b\\n    kind: terms\\n"
        "    category: misleading_claim\\n    article: x\\n    action: reject\\n    message: m\\n"
        "    colour: red\\n    terms: [" + terms + "]\\n...\\n", encoding="utf-8")
    del terms
    before = rss_mb()
    result = store.reload()
    assert not result.ok and result.errors[0]["field"] == "colour", result.errors[:1]
    print(round(rss_mb() - before, 1))
""")


@pytest.mark.slow
def test_refused_big_pack_gives_its_memory_back(tmp_path: Path) -> None:
    """An 11 MB pack refused by its schema: its parse tree must not stay in the process (held references,
    allocator pages never returned). Measured in a fresh process; a bound on memory, not on time."""
    out = subprocess.run([sys.executable, "-c", REFUSED_BIG_PACK, str(tmp_path / "r")], capture_output=True,
                         text=True, timeout=300, cwd=Path(__file__).resolve().parents[1], check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    grown = float(out.stdout.strip().splitlines()[-1])
    # what stays is the normaliser's per-character cache for the ~21,000 CJK characters seen (bounded, ~9 MB)
    assert grown < 20, f"RSS grew {grown} MB after the refusal"
