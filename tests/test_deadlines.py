"""Body deadlines: one sweeper per event loop instead of a timer per request (api/deadlines.py)."""

from __future__ import annotations

import asyncio
import time

import pytest

from acctcheck.api.deadlines import Deadlines


def test_a_late_awaitable_times_out_and_leaves_the_task_usable() -> None:
    d = Deadlines(resolution=0.05)

    async def main() -> float:
        t0 = time.monotonic()
        with pytest.raises(TimeoutError):
            await d.run(asyncio.sleep(30), 0.2)
        took = time.monotonic() - t0
        task = asyncio.current_task()
        assert task is not None and task.cancelling() == 0  # no cancellation left pending
        await asyncio.sleep(0.01)  # and the task can still await
        assert d._due == {} and d._expired == set()
        return took

    took = asyncio.run(main())
    assert 0.2 <= took < 5


def test_ready_awaitables_pass_through_and_other_cancellations_propagate() -> None:
    d = Deadlines(resolution=0.05)

    async def ready() -> int:
        return 7

    async def main() -> None:
        assert [await d.run(ready(), 1) for _ in range(100)] == [7] * 100
        victim = asyncio.create_task(d.run(asyncio.sleep(30), 10))
        await asyncio.sleep(0.05)
        victim.cancel()
        with pytest.raises(asyncio.CancelledError):
            await victim
        assert d._due == {}

    asyncio.run(main())
    asyncio.run(main())  # a second event loop gets its own sweeper
