"""Bounded condition waits: poll a probe until it holds or a deadline passes. For things that happen in another
thread or process (a server starting, a watcher reacting to a file), where no clock can be injected; a test
never sleeps a fixed time for a timer to expire."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from acctcheck.watch import RulesWatcher

T = TypeVar("T")


def wait_until(probe: Callable[[], T], what: str, timeout: float = 15.0, every: float = 0.05) -> T:
    """The first truthy result of `probe`; fails the test naming `what` when `timeout` passes first."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


async def await_until(probe: Callable[[], object], timeout: float) -> bool:
    """Whether `probe` held within `timeout` seconds, checked every event-loop 20 ms (the loop keeps running)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():
            return True
        await asyncio.sleep(0.02)
    return bool(probe())


async def watch_armed(watcher: RulesWatcher, root: Path, timeout: float = 10) -> None:
    """Wait until the watcher's inotify watch on `root` is live: touch a hidden probe file (ignored by the rules
    hash, so the reload it triggers is a no-op) until the watch pokes the debouncer. Replaces a fixed sleep
    for "the watch is armed", which a loaded machine may not honour."""
    seen = asyncio.Event()
    poke = watcher.debouncer.poke

    def spy() -> None:
        seen.set()
        poke()

    watcher.debouncer.poke = spy  # type: ignore[method-assign]
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        for n in itertools.count():
            (root / ".armed-probe").write_text(str(n), encoding="utf-8")
            try:
                await asyncio.wait_for(seen.wait(), 0.1)
                return
            except TimeoutError:
                assert loop.time() < deadline, f"the watch on {root} never saw a write"
    finally:
        watcher.debouncer.poke = poke  # type: ignore[method-assign]
