"""Parsed pack files kept on disk by content, so a worker starting on unchanged packs does not parse YAML.

Why: parsing the bundled packs' YAML (~1 MB, allow lists and term lists in PyYAML's Python constructor) is
~0.1 s of every worker's start, more than loading the compiled snapshot. The parsed value of a file depends
only on its bytes and on the parser, so it is stored under a digest of both and read back with pickle (a
few ms). A missing, damaged or unwritable cache only means parsing again; a file that does not parse is
never stored (its error is reported as before).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from collections.abc import Callable
from pathlib import Path

import yaml

from acctcheck.registry.artifact import default_cache_dir

FORMAT = "acctcheck-parsed/1"


def _path(data: bytes) -> Path:
    digest = hashlib.sha256(f"{FORMAT}\0{yaml.__version__}\0".encode() + data).hexdigest()[:40]
    # a dot directory: registry.artifact.prune keeps only the newest artifact directories, dot ones aside
    return default_cache_dir() / ".parsed" / f"{digest}.pickle"


def parsed(data: bytes, parse: Callable[[bytes], object]) -> object:
    """`parse(data)`, from the cache when this content was parsed before. `parse` raises on a bad file."""
    if os.environ.get("ACCTCHECK_SNAPSHOT_ARTIFACTS", "1") == "0":
        return parse(data)
    path = _path(data)
    with contextlib.suppress(Exception):  # missing or damaged: parse again
        return pickle.loads(path.read_bytes())
    value = parse(data)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, path)
    return value
