"""The optional rules manifest: per-file SHA-256 digests of a complete rules directory (in the spirit of an
OPA bundle's `.manifest` and `.signatures.json`).

When `manifest.json` is present, nothing activates until every file of the directory matches it exactly: no
file missing, none unlisted, every digest equal. A copy still under way, a half-written term file or a pack
from another release can then never be served, whatever the writer's pauses. `acctcheck manifest DIR` writes
it (write the files first, the manifest last, or the manifest first: either way the set activates only when
both agree).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TypedDict

from acctcheck.packs.errors import PackIssue
from acctcheck.packs.files import FileSet, read_tree

MANIFEST_FILE = "manifest.json"
MAX_MANIFEST_BYTES = 4 << 20


class ManifestBody(TypedDict):
    schema_version: int
    files: dict[str, str]  # relative path -> digest


def manifest_body(fs: FileSet) -> ManifestBody:
    """The manifest describing `fs` (every file except the manifest itself)."""
    problems = [f"{rel}: {e.problem}" for rel, e in sorted(fs.files.items()) if e.problem and rel != MANIFEST_FILE]
    if fs.error or problems:
        raise ValueError("; ".join(([fs.error] if fs.error else []) + problems))
    return {"schema_version": 1,
            "files": {rel: e.digest for rel, e in sorted(fs.files.items()) if rel != MANIFEST_FILE}}


def write_manifest(root: Path) -> tuple[Path, int]:
    """Write DIR/manifest.json atomically (temp file + rename): readers see the old one or the new one."""
    fs = read_tree(root)
    body = manifest_body(fs)
    target = fs.root / MANIFEST_FILE
    tmp = fs.root / f".{MANIFEST_FILE}.tmp"
    tmp.write_text(json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, target)
    return target, len(body["files"])


def manifest_issues(fs: FileSet) -> list[PackIssue] | None:
    """None when the set has no manifest; [] when every file matches it; otherwise what differs."""
    entry = fs.files.get(MANIFEST_FILE)
    if entry is None:
        return None
    if entry.data is None:
        return [PackIssue(MANIFEST_FILE, None, None, entry.problem or "unreadable")]
    try:
        raw = json.loads(entry.data[:MAX_MANIFEST_BYTES + 1].decode("utf-8"))
        if len(entry.data) > MAX_MANIFEST_BYTES:
            raise ValueError(f"larger than {MAX_MANIFEST_BYTES} bytes")
        if not isinstance(raw, dict) or raw.get("schema_version") != 1 or not isinstance(raw.get("files"), dict):
            raise ValueError('expected {"schema_version": 1, "files": {"<path>": "sha256:<hex>", …}}')
        listed: dict[str, str] = {str(k): str(v) for k, v in raw["files"].items()}
    except (ValueError, UnicodeDecodeError) as exc:  # json.JSONDecodeError is a ValueError
        return [PackIssue(MANIFEST_FILE, None, None, f"not a valid manifest (cut short?): {exc}")]
    issues: list[PackIssue] = []
    for rel, want in sorted(listed.items()):
        got = fs.files.get(rel)
        if got is None:
            issues.append(PackIssue(rel, None, None, f"listed in {MANIFEST_FILE} but missing"))
        elif got.digest != want:
            issues.append(PackIssue(rel, None, None, f"content does not match {MANIFEST_FILE} "
                                    f"({got.problem or got.digest[:19]}…, manifest {want[:19]}…)"))
    for rel in sorted(set(fs.files) - set(listed) - {MANIFEST_FILE}):
        issues.append(PackIssue(rel, None, None, f"not listed in {MANIFEST_FILE}"))
    return issues
