"""Every example of every active pack, run against the active snapshot, for the console's packs page.

The snapshot keeps no pack sources, so the examples are read back from each pack file, and only when the file
still has the digest the snapshot was built from: a file edited since (a pending or refused change) is reported
as such instead of showing examples that are not the active ones. Results are cached per revision."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from acctcheck.packs.build import check_example
from acctcheck.packs.schema import Pack
from acctcheck.packs.snapshot import PackInfo, Snapshot


def pack_examples(snapshot: Snapshot, info: PackInfo) -> dict[str, Any]:
    """{"state": "checked", "items": [...]} or {"state": "changed" | "unreadable", "items": []}."""
    try:
        data = (Path(snapshot.root) / info.file).read_bytes()
    except OSError:
        return {"state": "unreadable", "items": []}
    if "sha256:" + hashlib.sha256(data).hexdigest() != info.digest:
        return {"state": "changed", "items": []}
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
    """The examples of the active snapshot's packs, computed once per revision (a few hundred validations) when
    every pack file still holds its active bytes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._revision: str | None = None
        self._packs: dict[str, dict[str, Any]] = {}

    def for_snapshot(self, snapshot: Snapshot) -> dict[str, dict[str, Any]]:
        with self._lock:
            if self._revision == snapshot.revision:
                return self._packs
            packs = {p.name: pack_examples(snapshot, p) for p in snapshot.packs}
            if all(p["state"] == "checked" for p in packs.values()):  # a changed file may come back: ask again
                self._revision, self._packs = snapshot.revision, packs
            return packs
