"""The active rule snapshot and how it is replaced.

Reload builds a complete snapshot aside (load → validate → compile → examples; the compile in a child process
that stores it as a shared artifact, artifact.snapshot_store) and only then swaps one reference. A failed
build leaves the previous snapshot serving and is recorded for /status and /metrics.
The rules directory is the source of truth: every worker process watches it and reloads itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from acctcheck.artifact.snapshot_store import load_or_compile
from acctcheck.normalize.normalizer import Normalizer, default_normalizer
from acctcheck.packs.errors import PackIssue, PackSetError
from acctcheck.packs.files import CHANGING, FileEntry, FileSet, read_entry, read_tree, source_dir
from acctcheck.packs.loader import end_marker_missing, marked_files
from acctcheck.packs.manifest import manifest_issues
from acctcheck.packs.memory import release_memory
from acctcheck.packs.snapshot import Snapshot

__all__ = ["ReloadResult", "RuleStore", "content_hash", "source_dir"]

SETTLE_S = 1.0
MAX_DEFER_S = 5.0
CACHE_FILE_BYTES = 1 << 20  # settled versions up to this size are kept in memory for a deferred build
ABSENT = ("absent",)


def content_hash(root: Path) -> str:
    """Identity of the directory's contents (names starting with '.' skipped; see packs.files)."""
    return read_tree(root).digest


@dataclass(frozen=True)
class ReloadResult:
    ok: bool
    changed: bool
    revision: str | None
    errors: list[dict[str, str | None]]
    pending: tuple[str, ...] = ()  # files still settling: nothing was built yet
    retry_in: float | None = None  # call reload() again after this many seconds


@dataclass
class _Seen:
    key: tuple[object, ...]  # this version of the file: stamp and digest (or ABSENT)
    since: float  # clock time since which it has been on disk unchanged


def is_pack_file(rel: str) -> bool:
    return "/" not in rel and rel.endswith((".yaml", ".yml"))


class RuleStore:
    """Holds the active snapshot. Readers take `store.snapshot` once per request.

    What gets built (docs/operations.md, "Consistency"):
    - a file is used once it has stayed unchanged (size, mtime, inode, SHA-256) for `settle_s`; a build waits
      until every file has settled, reads the directory once and compiles those bytes, re-reading each file
      afterwards so that one changed mid-read is not used;
    - with a manifest that every file matches, the set is complete by proof and is built at once;
    - while files keep changing, after `max_defer_s` a revision is built anyway from each file's latest
      complete version: packs whose YAML ends with `...` as they are now, other files as last settled.
    `clock`/`wall` are injectable so tests step time instead of sleeping.
    """

    def __init__(self, root: Path, normalizer: Normalizer | None = None, *, settle_s: float = SETTLE_S,
                 max_defer_s: float = MAX_DEFER_S, clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time) -> None:
        self.root = root
        self.normalizer = normalizer or default_normalizer()
        self.settle_s = settle_s
        self.max_defer_s = max_defer_s
        self._clock = clock
        self._wall = wall
        self.snapshot: Snapshot | None = None
        self.activated_at: datetime | None = None
        self.activated_from: str | None = None
        self.last_attempt: datetime | None = None
        self.last_error: list[dict[str, str | None]] | None = None
        self.successes = 0
        self.failures = 0
        self.settling: tuple[str, ...] = ()
        self._seen: dict[str, _Seen] = {}
        self._settled: dict[str, FileEntry] = {}  # each file's latest version that stayed unchanged for settle_s
        self._pending_since: float | None = None
        self._built: str | None = None  # FileSet.digest of the last build, activated or refused
        self._deferred_tried: str | None = None
        self._lock = threading.Lock()
        self._marked: frozenset[str] = frozenset()  # YAML files whose built version ended with `...`

    def reload(self, *, force: bool = False) -> ReloadResult:
        """Look at the directory once; build aside and swap when a complete set is there. Blocking (call it
        from a worker thread in async code). A result with `pending` asks to be called again after `retry_in`.
        `force` rebuilds even when the contents are those of the last build."""
        with self._lock:
            now = self._clock()
            fs = read_tree(self.root)
            unsettled = self._observe(fs, now)
            if not force and fs.digest == self._built:
                self._pending_since, self.settling = None, ()
                return self._current()
            mode = "forced" if force else "settled"
            if unsettled and manifest_issues(fs) == []:
                mode = "manifest"  # every digest proven: nothing is half-written
            elif unsettled:
                if self._pending_since is None:
                    self._pending_since = now
                if now - self._pending_since < self.max_defer_s:
                    return self._pending(unsettled, now)
                self._pending_since = now
                return self._deferred_build(fs, unsettled, now)
            moved = self._moved(fs)
            if moved:  # changed between the read and the re-check: it is not settled after all
                for rel in moved:
                    self._seen.pop(rel, None)
                return self._pending(self._observe(read_tree(self.root), self._clock()), self._clock())
            self._pending_since, self.settling = None, ()
            return self._build(fs, mode)

    def reload_settled(self, *, force: bool = False) -> ReloadResult:
        """`reload`, waiting (blocking, at most about max_defer_s + settle_s) while files settle: for startup
        and /admin/reload, whose caller wants an outcome, not "pending"."""
        deadline = self._clock() + self.max_defer_s + self.settle_s + 1.0
        while True:
            result = self.reload(force=force)
            if not result.pending or self._clock() >= deadline:
                return result
            time.sleep(min(result.retry_in or 0.05, max(0.0, deadline - self._clock())))

    def _observe(self, fs: FileSet, now: float) -> list[str]:
        """Record each file's current version and since when it has been there; return those not settled."""
        unsettled: list[str] = []
        for rel in sorted(set(self._seen) | set(fs.files)):
            entry = fs.files.get(rel)
            key: tuple[object, ...] = ABSENT if entry is None else (entry.stamp, entry.problem or entry.digest)
            if entry is not None and entry.changing:
                key = (CHANGING, now)  # never equal to a later observation
            seen = self._seen.get(rel)
            if seen is None or seen.key != key:
                since = now
                if seen is None and entry is not None and not entry.problem:
                    # first sight (startup, a new file): its mtime says how long it has been unchanged
                    since = now - min(max(0.0, self._wall() - entry.stamp[1] / 1e9), self.settle_s)
                self._seen[rel] = seen = _Seen(key, since)
            if now - seen.since < self.settle_s:
                unsettled.append(rel)
            elif entry is None:
                del self._seen[rel]
                self._settled.pop(rel, None)
            else:
                keep = entry.data is None or len(entry.data) <= CACHE_FILE_BYTES
                self._settled[rel] = entry if keep else entry.without_data()
        return unsettled

    def _moved(self, fs: FileSet) -> list[str]:
        """Files whose content on disk is no longer what was read (the re-check after reading)."""
        return [rel for rel, e in fs.files.items()
                if e.data is not None and read_entry(fs.root / rel, None).digest != e.digest]

    def _pending(self, unsettled: list[str], now: float) -> ReloadResult:
        self.settling = tuple(unsettled)
        if not unsettled:
            retry = 0.05
        else:
            waits = [self._seen[r].since + self.settle_s - now for r in unsettled if r in self._seen]
            retry = min([*waits, (self._pending_since or now) + self.max_defer_s - now])
        return replace(self._current(), pending=tuple(unsettled), retry_in=max(0.05, retry))

    def _deferred_build(self, fs: FileSet, unsettled: list[str], now: float) -> ReloadResult:
        """Files keep changing past max_defer_s: build from each file's latest complete version. A pack ends
        with `...` (loader.end_marker_missing), so one read whole is complete now; any other file is taken as
        it was when it last settled. Refusals here are not reported: the set is mid-change, and the settled
        build that follows reports what is really wrong."""
        files: dict[str, FileEntry] = {}
        for rel in sorted(set(fs.files) | set(self._settled)):
            cur, old = fs.files.get(rel), self._settled.get(rel)
            if cur is not None and cur.data is not None and is_pack_file(rel) and not end_marker_missing(cur.data):
                files[rel] = cur
            elif old is not None and old.data is None and cur is not None and cur.digest == old.digest:
                files[rel] = cur  # large file: its settled version is still what is on disk
            elif old is not None:
                files[rel] = old
        candidate = FileSet(fs.root, files, fs.dirs, fs.error)
        if candidate.digest in (self._built, self._deferred_tried) or self._moved_current(candidate, fs):
            return self._pending(unsettled, now)
        self._deferred_tried = candidate.digest
        result = self._build(candidate, "deferred", report_failure=False)
        if not result.ok:
            return self._pending(unsettled, now)
        return replace(result, pending=tuple(unsettled), retry_in=self._pending(unsettled, now).retry_in)

    def _moved_current(self, candidate: FileSet, fs: FileSet) -> bool:
        taken = FileSet(fs.root, {r: e for r, e in candidate.files.items() if fs.files.get(r) is e})
        return bool(self._moved(taken))

    def _build(self, fs: FileSet, mode: str, *, report_failure: bool = True) -> ReloadResult:
        """One build from contents already read; nothing on disk is looked at again."""
        if report_failure:
            self._built = fs.digest
        self.last_attempt = datetime.now(UTC)
        try:
            # compiled by a child process into a shared artifact, or read from it (artifact.snapshot_store)
            snapshot = load_or_compile(fs, self.normalizer, previous=self.snapshot, marked=self._marked)
            marked = marked_files(fs)
        except PackSetError as exc:
            errors = [i.as_dict() for i in exc.issues]
        except Exception as exc:
            errors = [PackIssue(str(self.root), None, None, f"{type(exc).__name__}: {exc}").as_dict()]
        else:
            errors = []
        del fs
        if errors:
            release_memory()  # a refused build's parse trees and automata: give the pages back
            if not report_failure:
                return ReloadResult(False, False, self.snapshot.revision if self.snapshot else None, errors)
            return self._failed(errors)
        changed = self.snapshot is None or snapshot.revision != self.snapshot.revision
        self._marked = marked
        if changed:
            self.snapshot = snapshot  # the single reference swap
            self.activated_at = datetime.now(UTC)
            self.activated_from = mode
        self.successes += 1
        self.last_error = None
        return ReloadResult(True, changed, snapshot.revision, [])

    def _current(self) -> ReloadResult:
        rev = self.snapshot.revision if self.snapshot else None
        return ReloadResult(self.last_error is None, False, rev, self.last_error or [])

    def _failed(self, errors: list[dict[str, str | None]]) -> ReloadResult:
        self.failures += 1
        self.last_error = errors
        rev = self.snapshot.revision if self.snapshot else None
        return ReloadResult(False, False, rev, errors)

    def status(self) -> dict[str, Any]:
        snap = self.snapshot
        return {
            "ready": snap is not None,
            "rules_dir": str(self.root),
            "active": snap.status() if snap else None,
            "activated_at": self.activated_at.isoformat() if self.activated_at else None,
            "activated_from": self.activated_from,
            "last_attempt": self.last_attempt.isoformat() if self.last_attempt else None,
            "last_error": self.last_error,
            "settling": list(self.settling[:50]),
            "settle_s": self.settle_s,
            "max_defer_s": self.max_defer_s,
            "reloads": {"ok": self.successes, "failed": self.failures},
        }
