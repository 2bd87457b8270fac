"""Giving a refused build's memory back to the operating system.

A build of a very large pack allocates hundreds of MB of short-lived objects (parsed YAML, term keys,
automata). When it is refused nothing keeps them alive, but CPython's cyclic garbage may wait for a full
collection, and glibc keeps freed heap pages mapped (per-thread arenas: builds run in a worker thread), so the
process would stay hundreds of MB larger until the next successful reload. A collection and `malloc_trim`
return them at once; both cost milliseconds, paid only after a refusal.
"""

from __future__ import annotations

import ctypes
import gc
from collections.abc import Callable
from functools import cache


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL("libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_memory() -> None:
    """Collect cyclic garbage, then hand free heap pages back to the OS (glibc only)."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
