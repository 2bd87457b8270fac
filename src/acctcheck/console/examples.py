"""Every example of every active pack, run against the active snapshot, for the console's packs page.

The snapshot keeps no pack sources, so the examples are read back from each pack file, and only when the file
still has the digest the snapshot was built from: a file edited since (a pending or refused change) is reported
as such instead of showing examples that are not the active ones. Results are cached per revision."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import yaml
from pydantic import ValidationError

from acctcheck.packs.schema import Pack
from acctcheck.packs.snapshot import PackInfo, Snapshot
from acctcheck.ruleset import check_example


def active_bytes(snapshot: Snapshot, info: PackInfo) -> bytes | str:
    """The pack file's bytes when they are still the ones the snapshot was built from, else why not:
    "changed" (edited since: pending or refused) or "unreadable"."""
    try:
        data = (Path(snapshot.root) / info.file).read_bytes()
    except OSError:
        return "unreadable"
    if "sha256:" + hashlib.sha256(data).hexdigest() != info.digest:
        return "changed"
    return data


def run_examples(snapshot: Snapshot, data: bytes) -> dict[str, object]:
    """Every example of the pack file `data` against the snapshot: {"state": "checked", "items": [...]}."""
    try:  # the bytes the snapshot was built from, so they did parse and validate then
        pack = Pack.model_validate(yaml.safe_load(data.decode("utf-8")))
    except (ValidationError, yaml.YAMLError, UnicodeDecodeError):  # pragma: no cover - digest matched
        return {"state": "unreadable", "items": []}
    items = []
    for i, ex in enumerate(pack.examples):
        verdict, problem = check_example(snapshot, ex)
        items.append({
            "index": i,
            "account_type": ex.account_type,
            "fields": ex.fields,
            "verified": ex.verified.model_dump(mode="json", exclude_none=True) if ex.verified else None,
            "expect": ex.expect if ex.expect == "pass" else [str(c) for c in ex.expect],
            "note": ex.note,
            "ok": problem is None,
            "problem": problem,
            "decision": verdict.decision,
            "found": [{"category": str(f.category), "field": f.field, "text": f.text, "rule": f"{f.pack}/{f.rule_id}"}
                      for f in verdict.findings],
        })
    return {"state": "checked", "items": items}


class ExampleBook:
    """The examples of the active snapshot's packs. Each pack's are run once per revision (a few hundred
    validations in all, ~0.7 s for the bundled rules); every call re-reads the files' digests (cheap), so a
    file edited on disk shows as "changed" at once and its examples again once it holds the active bytes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._revision: str | None = None
        self._checked: dict[str, dict[str, object]] = {}

    def for_snapshot(self, snapshot: Snapshot) -> dict[str, dict[str, object]]:
        with self._lock:
            if self._revision != snapshot.revision:
                self._revision, self._checked = snapshot.revision, {}
            out: dict[str, dict[str, object]] = {}
            for info in snapshot.packs:
                data = active_bytes(snapshot, info)
                if isinstance(data, str):
                    out[info.name] = {"state": data, "items": []}
                    continue
                if info.name not in self._checked:
                    self._checked[info.name] = run_examples(snapshot, data)
                out[info.name] = self._checked[info.name]
            return out
