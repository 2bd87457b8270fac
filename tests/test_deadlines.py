"""Body deadlines: one sweeper per event loop instead of a timer per request (api/deadlines.py). The sweeper
reads its loop's clock, so these run on a virtual-time loop: to the exact instant, in no real time."""

from __future__ import annotations

import asyncio

import pytest

from acctcheck.api.deadlines import Deadlines
from tests.support.virtual_time import run_virtual

RESOLUTION = 0.05


def test_a_late_awaitable_times_out_and_leaves_the_task_usable() -> None:
    d = Deadlines(resolution=RESOLUTION)

    async def main() -> float:
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        with pytest.raises(TimeoutError):
            await d.run(asyncio.sleep(30), 0.2)
        took = loop.time() - t0
        task = asyncio.current_task()
        assert task is not None and task.cancelling() == 0  # no cancellation left pending
        await asyncio.sleep(0.01)  # and the task can still await
        assert d._due == {} and d._expired == set()
        return took

    took = run_virtual(main())
    # due at 0.2, fired by the first sweep at or after it: never early, at most one resolution late
    assert 0.2 <= took <= 0.2 + RESOLUTION + 1e-9, took


def test_ready_awaitables_pass_through_and_other_cancellations_propagate() -> None:
    d = Deadlines(resolution=RESOLUTION)

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

    run_virtual(main())
    run_virtual(main())  # a second event loop gets its own sweeper
