"""A compiled snapshot of the packs (everything but the registries) stored as one content-addressed file.

Why: compiling the bundled packs costs seconds (sound/pinyin keys, one-edit halves, automata: ~5 s here,
docs/performance.md) and holds the GIL; done in every worker it delayed start and stalled requests on reload.
Now the set is pickled once compiled (the automata as daachorse's serialised bytes, match/automaton.py): at a
start without an artifact by the workers themselves, before they serve anything (the first one done stores it);
on a reload by one child process that serves nothing. Every other worker unpickles it in a fraction of a second.

The file `snapshot-<key>.pickle` sits in the registry artifact directory (registry.artifact.default_cache_dir,
ACCTCHECK_ARTIFACT_DIR). The key digests FORMAT, the code (every module and data file of the acctcheck package
and the versions of the libraries that shape a snapshot) and the packs' base revision (every input but the
registry files), so a changed rule or a new release never reuses an old file. Registries are left out and
opened again by the loading worker (packs.registries.rebase); examples are run again only when registries are
present (their names may change an example's verdict). A missing, unreadable or foreign file is compiled
again; when the child cannot build, the worker compiles in process as before. Never a failed start.

ACCTCHECK_SNAPSHOT_ARTIFACTS=0 turns this off (every worker compiles for itself); rule sets under
ACCTCHECK_SNAPSHOT_MIN_BYTES (64 KiB of pack, term and policy files) compile in process in milliseconds.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import importlib.metadata
import os
import pickle
import subprocess
import sys
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from acctcheck.normalize.normalizer import Normalizer, default_normalizer
from acctcheck.packs import registries as registry_layer
from acctcheck.packs.errors import PackIssue, PackSetError
from acctcheck.packs.files import FileSet
from acctcheck.packs.loader import LoadedSet, load_files
from acctcheck.packs.snapshot import Snapshot
from acctcheck.registry.artifact import _locked, default_cache_dir

FORMAT = "acctcheck-snapshot/1"
KEEP = 4  # snapshot files kept per directory, newest first
COMPILE_TIMEOUT_S = 1800
COMPILE_NICENESS = 10  # of the compile child while the worker serves
REFUSED = 2  # exit code of the compile child: the packs are refused; stdout is the pickled PackSetError
STALE = 3  # exit code of the compile child: what it built does not have the key it was asked for
SMALL_SET_BYTES = 64 << 10  # the bundled packs are ~900 kB (seconds to compile); a test's pack a few kB (ms)
LIBRARIES = ("daachorse", "pypinyin", "opencc", "pydantic", "google-re2", "marisa-trie")


def enabled(normalizer: Normalizer) -> bool:
    """Only snapshots of the process-wide normaliser are shared (a test's own normaliser is not)."""
    return os.environ.get("ACCTCHECK_SNAPSHOT_ARTIFACTS", "1") != "0" and normalizer is default_normalizer()


def small_set_bytes() -> int:
    """Rule sets smaller than this (pack, term and policy files) are compiled in process."""
    return int(os.environ.get("ACCTCHECK_SNAPSHOT_MIN_BYTES", SMALL_SET_BYTES))


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Digest of everything besides the rules that decides a compiled snapshot."""
    import acctcheck

    root = Path(acctcheck.__file__).parent
    h = hashlib.sha256(f"{FORMAT}\0{sys.version}\0".encode())
    for lib in LIBRARIES:
        try:
            h.update(f"{lib}={importlib.metadata.version(lib)}\0".encode())
        except importlib.metadata.PackageNotFoundError:
            h.update(f"{lib}=-\0".encode())
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.suffix not in (".pyc",) and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def snapshot_key(loaded: LoadedSet) -> str:
    return hashlib.sha256(f"{code_fingerprint()}\0{loaded.base_revision}".encode()).hexdigest()[:32]


def artifact_path(cache_dir: Path, key: str) -> Path:
    return cache_dir / f"snapshot-{key}.pickle"


class _Pickler(pickle.Pickler):
    """The normaliser is the process's own (persistent id). Payloads (match.entries) and RE2 sets
    (match.patterns) say themselves how they are pickled."""

    def __init__(self, f: IO[bytes], snapshot: Snapshot) -> None:
        super().__init__(f, protocol=pickle.HIGHEST_PROTOCOL)
        self.normalizer = snapshot.normalizer

    def persistent_id(self, obj: Any) -> str | None:  # noqa: ANN401 (pickle's protocol)
        return "normalizer" if obj is self.normalizer else None


class _Unpickler(pickle.Unpickler):
    def __init__(self, f: IO[bytes], normalizer: Normalizer) -> None:
        super().__init__(f)
        self.normalizer = normalizer

    def persistent_load(self, pid: Any) -> Normalizer:  # noqa: ANN401 (pickle's protocol)
        if pid != "normalizer":
            raise pickle.UnpicklingError(f"unknown persistent id {pid!r}")
        return self.normalizer


def write_artifact(snapshot: Snapshot, cache_dir: Path, key: str) -> Path:
    """Pickle `snapshot` without its registries, atomically (a reader sees a whole file or none)."""
    bare = dataclasses.replace(snapshot, families={k: v for k, v in snapshot.families.items()
                                                   if k not in registry_layer.OPENED})
    cache_dir.mkdir(parents=True, exist_ok=True)
    final = artifact_path(cache_dir, key)
    tmp = final.with_name(f".{final.name}.{os.getpid()}")
    try:
        with tmp.open("wb") as f:
            f.write(f"{FORMAT}\n{key}\n".encode())
            _Pickler(f, bare).dump(bare)
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _prune(cache_dir, keep=final)
    return final


def read_artifact(path: Path, normalizer: Normalizer) -> Snapshot | None:
    """The stored snapshot, or None when the file is missing, foreign or damaged (then it is removed, so the
    next compile writes it again)."""
    try:
        f = path.open("rb")
    except OSError:  # missing, or the directory is unusable: compiled (and stored if it can be)
        return None
    try:
        with f:
            head = f.readline().decode().strip(), f.readline().decode().strip()
            if head != (FORMAT, path.stem.removeprefix("snapshot-")):
                raise ValueError(f"not a {FORMAT} file for this key")
            # hundreds of thousands of new containers: without this the cyclic GC walks them again and again
            enabled_gc = gc.isenabled()
            gc.disable()
            try:
                snapshot = _Unpickler(f, normalizer).load()
                # frozen before the collector runs again: enabled with a million new young objects it would walk
                # them all at once (~60 ms of a start) only to find nothing to free
                gc.freeze()
            finally:
                if enabled_gc:
                    gc.enable()
        if not isinstance(snapshot, Snapshot):
            raise ValueError("not a snapshot")
        return snapshot
    except Exception as exc:  # a damaged artifact of any kind is compiled again, never fatal
        print(f"acctcheck: ignoring snapshot artifact {path}: {exc}", file=sys.stderr)
        with contextlib.suppress(OSError):
            path.unlink()
        return None


def _prune(cache_dir: Path, keep: Path) -> None:
    files = sorted(cache_dir.glob("snapshot-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[KEEP:]:
        if old != keep:
            old.unlink(missing_ok=True)
            (cache_dir / f".{old.stem}.lock").unlink(missing_ok=True)


def compile_in_child(fs: FileSet, marked: frozenset[str], cache_dir: Path, key: str, *, serving: bool) -> bool:
    """Have a child process build and store the snapshot of `fs` (the contents this worker read, passed on
    stdin, so both build the same thing). The worker waits without the GIL. Raises PackSetError when the
    child refused the packs; False when it failed otherwise (the caller compiles in process). `serving`: a
    snapshot is active, so the child runs at low priority (at start nothing is waiting on the cores but this)."""
    cmd = [sys.executable, "-m", "acctcheck.artifact.compile_process", str(cache_dir), key,
           str(COMPILE_NICENESS if serving else 0)]
    try:
        proc = subprocess.run(cmd, input=pickle.dumps((fs, marked), protocol=pickle.HIGHEST_PROTOCOL),
                              capture_output=True, timeout=COMPILE_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"acctcheck: snapshot compile child failed: {exc}", file=sys.stderr)
        return False
    if proc.returncode == REFUSED:
        try:
            issues = pickle.loads(proc.stdout)
        except Exception:  # not what the child writes: compile in process
            return False
        if isinstance(issues, list) and all(isinstance(i, PackIssue) for i in issues):
            raise PackSetError(issues)
        return False
    if proc.returncode != 0:
        print(f"acctcheck: snapshot compile child exited {proc.returncode}: "
              f"{proc.stderr.decode(errors='replace').strip()[-500:]}", file=sys.stderr)
        return False
    return True


def load_or_compile(fs: FileSet, normalizer: Normalizer, *, previous: Snapshot | None,
                    marked: frozenset[str], run_examples: bool = True) -> Snapshot:
    """What ruleset.build_from_files returns for `fs`, through the artifact: read it, or compile it first
    (at start, before anything is served, in this process and store it; while serving, in a child). Falls back to the
    in-process build for a registry-only change (which reuses `previous`), a small set, a custom normaliser,
    or any artifact failure. Without `run_examples` a stored artifact is still read (it was stored by a build
    whose examples passed), but what is compiled here is not stored."""
    from acctcheck.ruleset import build_from_files, example_failures

    def in_process() -> Snapshot:
        return build_from_files(fs, normalizer, run_examples=run_examples, previous=previous, marked=marked)

    if not enabled(normalizer):
        return in_process()
    loaded = load_files(fs, marked)  # a pack that does not parse is refused here, as by the build
    if not loaded.base_revision or (previous is not None
                                    and previous.families.get(registry_layer.BASE) == loaded.base_revision):
        return in_process()  # only registry files changed: the bundled automata of `previous` are reused
    registries = {ref for lp in loaded.packs for ref in lp.registries}
    if sum(len(e.data) for rel, e in fs.files.items() if e.data and rel not in registries) < small_set_bytes():
        return in_process()  # compiles in milliseconds: a child process would cost more than it saves
    cache_dir = default_cache_dir()
    key = snapshot_key(loaded)
    path = artifact_path(cache_dir, key)
    snapshot = read_artifact(path, normalizer)
    if snapshot is None and previous is None:
        # at start nothing is served yet: every worker without the artifact compiles in process, side by side
        # as before the artifact (no child to start, no lock to queue on), and the first one done stores it.
        # Only a build that ran the packs' examples is stored: a stored snapshot is loaded without running them
        # (unless registries are present), so one built without them (`acctcheck check`) is never stored.
        built = in_process()
        if run_examples and not path.is_file():
            try:
                write_artifact(built, cache_dir, key)
            except OSError as exc:  # a full or read-only directory: serve what was built anyway
                print(f"acctcheck: cannot store the snapshot artifact in {cache_dir}: {exc}", file=sys.stderr)
        return built
    if snapshot is None:
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            with _locked(cache_dir / f".snapshot-{key}.lock"):  # the workers of a machine compile it once
                snapshot = read_artifact(path, normalizer)
                if snapshot is None and compile_in_child(fs, marked, cache_dir, key, serving=True):
                    snapshot = read_artifact(path, normalizer)
        except OSError as exc:
            print(f"acctcheck: snapshot artifact directory {cache_dir}: {exc}", file=sys.stderr)
    if snapshot is None:
        return in_process()
    snapshot = dataclasses.replace(snapshot, root=str(loaded.root), loaded_at=datetime.now(UTC))
    try:
        rebased = registry_layer.rebase(snapshot, loaded)
    except registry_layer.RegistryFileError as exc:
        raise PackSetError([PackIssue(str(loaded.root), None, "registry", str(exc))]) from None
    if rebased is None:  # cannot happen for a matching key; never serve a snapshot of other inputs
        return in_process()
    snapshot = rebased
    if run_examples and snapshot.families.get(registry_layer.FAMILY):
        files = {lp.pack.name: lp.file for lp in loaded.packs}
        examples = {lp.pack.name: list(lp.pack.examples) for lp in loaded.packs}
        issues = example_failures(snapshot, files, examples)
        if issues:
            raise PackSetError(issues)
    gc.freeze()  # as packs.build does: the long-lived snapshot stays out of the cyclic collector's walks
    return snapshot


def load_dir(root: Path, *, run_examples: bool) -> Snapshot:
    """A rules directory's snapshot for a command that serves nothing (`acctcheck check`, `eval`, `scan`): the
    stored artifact when there is one for these contents and this code (~2 s for the bundled packs instead of
    a ~20 s compile on a 2-core machine), else compiled in process, exactly as ruleset.build_snapshot does, and
    stored only when the examples ran. Raises PackSetError as build_snapshot does."""
    from acctcheck.packs.files import read_tree

    return load_or_compile(read_tree(root), default_normalizer(), previous=None, marked=frozenset(),
                           run_examples=run_examples)
