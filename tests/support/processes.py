"""Loopback ports and uvicorn's worker processes: shared by the test server helper (tests/conftest.py) and the
benches that start servers of their own."""

from __future__ import annotations

import socket
from pathlib import Path


def free_port() -> int:
    """A loopback port nothing listens on now (the kernel's choice)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def worker_pids(parent: int) -> set[int]:
    """uvicorn's worker processes under `parent`: forked from it (the same command line: `acctcheck serve`
    forks its workers) or spawned (multiprocessing's spawn_main); not multiprocessing's resource tracker."""
    out: set[int] = set()
    try:
        own = Path(f"/proc/{parent}/cmdline").read_bytes()
    except OSError:
        return out
    for task in Path(f"/proc/{parent}/task").iterdir():
        for pid in (task / "children").read_text().split():
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if b"spawn_main" in cmdline or cmdline == own:
                out.add(int(pid))
    return out
