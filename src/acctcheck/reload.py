"""The active rule snapshot and how it is replaced.

Reload builds a complete snapshot aside (load → validate → compile → examples) and only then swaps one
reference. A failed build leaves the previous snapshot serving and is recorded for /status and /metrics.
The rules directory is the source of truth: every worker process watches it and reloads itself.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from acctcheck.normalize.normalizer import Normalizer, default_normalizer
from acctcheck.packs.build import build_snapshot
from acctcheck.packs.errors import PackIssue, PackSetError
from acctcheck.packs.snapshot import Snapshot

MOVED_RETRIES = 5  # builds per reload() while the directory keeps changing under the reader
MOVED_PAUSE_S = 0.2


@dataclass(frozen=True)
class ReloadResult:
    ok: bool
    changed: bool
    revision: str | None
    errors: list[dict[str, str | None]]


def source_dir(root: Path) -> Path:
    """The directory to read one consistent set from. A Kubernetes ConfigMap/Secret volume publishes each
    version in an immutable `..<timestamp>` directory and swaps the `..data` link to it atomically, so reading
    through the resolved `..data` never mixes two versions; any other directory is read as is."""
    data = root / "..data"
    try:
        if data.is_dir():
            return data.resolve(strict=True)
    except OSError:
        pass
    return root


def content_hash(root: Path) -> str:
    """Hash of every regular file under root, following symlinks (ConfigMap links, linked sub-directories).
    Names starting with '.' are skipped: ConfigMap internals (`..data`, `..2026_…`; read through
    `source_dir` instead) and editor droppings (`.pack.yaml.swp`) — so they never trigger a rebuild."""
    h = hashlib.sha256()
    seen_dirs: set[tuple[int, int]] = set()

    def walk(d: Path, rel: str) -> None:
        try:
            st = d.stat()
            if (st.st_dev, st.st_ino) in seen_dirs:  # a symlink loop
                return
            seen_dirs.add((st.st_dev, st.st_ino))
            names = sorted(os.listdir(d))
        except OSError as exc:
            h.update(f"unreadable:{rel}:{exc.strerror or exc}\0".encode())
            return
        for name in names:
            if name.startswith("."):
                continue
            p, r = d / name, f"{rel}{name}"
            try:
                if p.is_dir():
                    walk(p, r + "/")
                elif p.is_file():
                    h.update(r.encode() + b"\0" + hashlib.sha256(p.read_bytes()).digest())
            except OSError as exc:
                h.update(f"unreadable:{r}:{exc.strerror or exc}\0".encode())

    walk(source_dir(root), "")
    return h.hexdigest()


class RuleStore:
    """Holds the active snapshot. Readers take `store.snapshot` once per request."""

    def __init__(self, root: Path, normalizer: Normalizer | None = None) -> None:
        self.root = root
        self.normalizer = normalizer or default_normalizer()
        self.snapshot: Snapshot | None = None
        self.activated_at: datetime | None = None
        self.last_attempt: datetime | None = None
        self.last_error: list[dict[str, str | None]] | None = None
        self.successes = 0
        self.failures = 0
        self._seen_hash: str | None = None
        self._lock = threading.Lock()

    def reload(self, *, force: bool = False) -> ReloadResult:
        """Build aside and swap. Blocking (call it from a worker thread in async code)."""
        with self._lock:
            digest = content_hash(self.root)
            if not force and digest == self._seen_hash:
                rev = self.snapshot.revision if self.snapshot else None
                return ReloadResult(self.last_error is None, False, rev, self.last_error or [])
            for _ in range(MOVED_RETRIES):
                result = self._build(digest)
                if result is not None:
                    return result
                time.sleep(MOVED_PAUSE_S)  # files changed while we read them: let the writer finish
                digest = content_hash(self.root)
            self._seen_hash = None  # not an operator error: not counted, retried on the next change or poll
            rev = self.snapshot.revision if self.snapshot else None
            return ReloadResult(False, False, rev, [PackIssue(str(self.root), None, None,
                                                              "rules kept changing while being read").as_dict()])

    def _build(self, digest: str) -> ReloadResult | None:
        """One build from a directory that hashed to `digest`; None when it changed meanwhile (maybe torn)."""
        self._seen_hash = digest
        self.last_attempt = datetime.now(UTC)
        try:
            snapshot = build_snapshot(source_dir(self.root), self.normalizer, previous=self.snapshot)
        except PackSetError as exc:
            errors = [i.as_dict() for i in exc.issues]
        except Exception as exc:  # noqa: BLE001 - an operator mistake must never take the service down
            errors = [PackIssue(str(self.root), None, None, f"{type(exc).__name__}: {exc}").as_dict()]
        else:
            errors = []
        if content_hash(self.root) != digest:
            return None
        if errors:
            return self._failed(errors)
        changed = self.snapshot is None or snapshot.revision != self.snapshot.revision
        if changed:
            self.snapshot = snapshot  # the single reference swap
            self.activated_at = datetime.now(UTC)
        self.successes += 1
        self.last_error = None
        return ReloadResult(True, changed, snapshot.revision, [])

    def _failed(self, errors: list[dict[str, str | None]]) -> ReloadResult:
        self.failures += 1
        self.last_error = errors
        rev = self.snapshot.revision if self.snapshot else None
        return ReloadResult(False, False, rev, errors)

    def status(self) -> dict:
        snap = self.snapshot
        return {
            "ready": snap is not None,
            "rules_dir": str(self.root),
            "active": snap.status() if snap else None,
            "activated_at": self.activated_at.isoformat() if self.activated_at else None,
            "last_attempt": self.last_attempt.isoformat() if self.last_attempt else None,
            "last_error": self.last_error,
            "reloads": {"ok": self.successes, "failed": self.failures},
        }
