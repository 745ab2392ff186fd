"""A background task is stopped even when it swallows a cancellation, as ``asyncio.wait_for``
can on Python 3.11 (nats-py's pulls wait with it)."""

from __future__ import annotations

import asyncio

from sinergi_kit.tasks import cancel_and_wait


async def test_a_task_that_swallows_a_cancellation_is_cancelled_again() -> None:
    swallowed = 0

    async def stubborn() -> None:
        nonlocal swallowed
        while True:
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                if swallowed:
                    raise
                swallowed += 1

    async def failing() -> None:
        raise RuntimeError("gagal")

    tasks = [asyncio.create_task(stubborn()), asyncio.create_task(failing())]
    await asyncio.sleep(0)

    await asyncio.wait_for(cancel_and_wait(tasks), timeout=2)

    assert swallowed == 1
    assert tasks[0].cancelled()
    assert isinstance(tasks[1].exception(), RuntimeError)
