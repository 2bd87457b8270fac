"""An asyncio event loop whose clock is virtual: when nothing is ready, time jumps to the next timer instead of
waiting for it. Code that reads time from its loop (`loop.time()`, `asyncio.sleep`, `asyncio.wait_for`) runs its
timers in no real time and to the exact instant, so a test asserts *when* a debounce or a deadline fired without
sleeping and without depending on the machine's load. Hand-written (twenty lines) because the packaged
equivalents (`looptime`) are not among the packages this project can install.

Only for code whose waiting is all on the loop: a real thread or process finishing is not a timer, and the
clock would race past it (use a bounded condition wait there, tests/support/waiting.py)."""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class _JumpingSelector(selectors.DefaultSelector):
    """Polls without blocking; when nothing is ready and the loop would sleep until its next timer, moves the
    loop's clock to that timer instead. With no timer at all (only I/O or threads to wait for), it blocks."""

    def __init__(self, loop: VirtualTimeLoop) -> None:
        super().__init__()
        self._loop = loop

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout is None:
            return super().select(None)
        ready = super().select(0)
        if not ready and timeout > 0:
            self._loop.now += timeout
        return ready


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        self.now = 0.0
        super().__init__(_JumpingSelector(self))

    def time(self) -> float:
        return self.now


def run_virtual(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(main)` on a VirtualTimeLoop; time starts at 0.0."""
    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        return runner.run(main)
