"""Parsed pack files kept on disk by content, so a worker starting on unchanged packs does not parse YAML.

Why: parsing the bundled packs' YAML (~1 MB, allow lists and term lists in PyYAML's Python constructor) is
~0.1 s of every worker's start, more than loading the compiled snapshot. The parsed value of a file depends
only on its bytes and on the parser, so it is stored under a digest of both and read back with pickle (a
few ms). A missing, damaged or unwritable cache only means parsing again; a file that does not parse is
never stored (its error is reported as before).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable

import yaml

from acctcheck.stored import kept

FORMAT = "acctcheck-parsed/1"


def parsed(data: bytes, parse: Callable[[bytes], object]) -> object:
    """`parse(data)`, from the cache when this content was parsed before. `parse` raises on a bad file."""
    if os.environ.get("ACCTCHECK_SNAPSHOT_ARTIFACTS", "1") == "0":
        return parse(data)
    digest = hashlib.sha256(f"{FORMAT}\0{yaml.__version__}\0".encode() + data).hexdigest()[:40]
    return kept(".parsed", f"{digest}.pickle", lambda: parse(data))
