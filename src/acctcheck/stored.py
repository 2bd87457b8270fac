"""Values derived from file contents, kept in the artifact directory by a digest of those contents, so that a
start on unchanged inputs reads them back instead of deriving them again (parsed pack YAML, the pinyin
table). A missing, damaged or unwritable copy only means deriving again; a copy is written to a temporary name
and renamed, so a reader sees all of it or none. A value whose derivation raises is never stored."""

from __future__ import annotations

import contextlib
import os
import pickle
from collections.abc import Callable
from typing import TypeVar

from acctcheck import artifact_dir

T = TypeVar("T")


def _pickle(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def kept(directory: str, name: str, derive: Callable[[], T], *, dumps: Callable[[T], bytes] = _pickle,
         loads: Callable[[bytes], T] = pickle.loads, valid: Callable[[T], bool] = lambda value: True) -> T:
    """`derive()`, or the copy kept as artifact_dir()/directory/name (a dot directory: registry.artifact.prune
    keeps only the newest artifact directories, dot ones aside). `name` must hold a digest of every input."""
    path = artifact_dir() / directory / name
    with contextlib.suppress(Exception):  # missing or damaged: derive again
        value = loads(path.read_bytes())
        if valid(value):
            return value
    value = derive()
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_bytes(dumps(value))
        os.replace(tmp, path)
    return value
