"""Request-body arrival deadlines with one timer per event loop instead of one per request.

`asyncio.timeout` arms a timer for every request (~5 µs under uvloop: more than parsing the body of a
/validate request) although almost every body has already arrived with the headers. Here a request registers
its task and deadline in a dict, and one sweep every `resolution` seconds cancels the tasks whose deadline
has passed; the guard turns that cancellation into TimeoutError. A deadline fires up to `resolution` late.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

T = TypeVar("T")


class Deadlines:
    def __init__(self, resolution: float = 0.25) -> None:
        self._resolution = resolution
        self._due: dict[asyncio.Task[Any], float] = {}
        self._expired: set[asyncio.Task[Any]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sweeper: asyncio.Task[None] | None = None

    async def run(self, awaitable: Awaitable[T], seconds: float) -> T:
        """Await `awaitable`; TimeoutError if it is still waiting after `seconds` (up to `resolution` late).
        Any other cancellation of the caller propagates as usual."""
        task = self._register(seconds)
        try:
            return await awaitable
        except asyncio.CancelledError as exc:
            if task in self._expired:
                task.uncancel()
                raise TimeoutError from exc
            raise
        finally:
            self._due.pop(task, None)
            self._expired.discard(task)

    def _register(self, seconds: float) -> asyncio.Task[Any]:
        loop = asyncio.get_running_loop()
        if loop is not self._loop or self._sweeper is None or self._sweeper.done():
            self._loop = loop  # a new loop (tests run several): start over with a sweeper on it
            self._due, self._expired = {}, set()
            self._sweeper = loop.create_task(self._sweep(), name="body-deadlines")
        task = asyncio.current_task(loop)
        assert task is not None
        self._due[task] = loop.time() + seconds
        return task

    async def _sweep(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self._resolution)
            now = loop.time()
            late = [task for task, due in self._due.items() if due <= now]
            for task in late:
                del self._due[task]
                self._expired.add(task)
                task.cancel()


BODY_DEADLINES = Deadlines()  # one per process; follows the running event loop
