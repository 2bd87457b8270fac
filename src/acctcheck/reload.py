"""The active rule snapshot and how it is replaced.

Reload builds a complete snapshot aside (load → validate → compile → examples) and only then swaps one
reference. A failed build leaves the previous snapshot serving and is recorded for /status and /metrics.
The rules directory is the source of truth: every worker process watches it and reloads itself.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from acctcheck.normalize.normalizer import Normalizer, default_normalizer
from acctcheck.packs.build import build_snapshot
from acctcheck.packs.errors import PackIssue, PackSetError
from acctcheck.packs.snapshot import Snapshot


@dataclass(frozen=True)
class ReloadResult:
    ok: bool
    changed: bool
    revision: str | None
    errors: list[dict[str, str | None]]


def content_hash(root: Path) -> str:
    """Hash of every regular file under root (following symlinks, as a ConfigMap's ..data link is).
    Directories whose names start with '..' are ConfigMap internals and are skipped except through links."""
    h = hashlib.sha256()
    try:
        paths = sorted(p for p in root.rglob("*") if not any(part.startswith("..") for part in p.relative_to(root).parts))
    except OSError as exc:
        return f"unreadable:{exc}"
    for p in paths:
        try:
            if p.is_file():
                h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes() + b"\0")
        except OSError as exc:
            h.update(f"unreadable:{p}:{exc}".encode())
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
            self._seen_hash = digest
            self.last_attempt = datetime.now(UTC)
            try:
                snapshot = build_snapshot(self.root, self.normalizer)
            except PackSetError as exc:
                return self._failed([i.as_dict() for i in exc.issues])
            except Exception as exc:  # noqa: BLE001 - an operator mistake must never take the service down
                return self._failed([PackIssue(str(self.root), None, None, f"{type(exc).__name__}: {exc}").as_dict()])
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
