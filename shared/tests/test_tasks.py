"""A background task is stopped even when it swallows a cancellation, as ``asyncio.wait_for``
can on Python 3.11 (nats-py's pulls wait with it): alone, supervised together with others,
or started while its owner is being stopped."""

from __future__ import annotations

import asyncio

import pytest

from sinergi_kit.tasks import cancel_and_wait, run_until_one_fails
from sinergi_kit.testing.cancellation import SwallowsFirstCancel


async def failing() -> None:
    raise RuntimeError("gagal")


async def test_a_task_that_swallows_a_cancellation_is_cancelled_again() -> None:
    stubborn = SwallowsFirstCancel()
    tasks = [asyncio.create_task(stubborn()), asyncio.create_task(failing())]
    await asyncio.sleep(0)

    await asyncio.wait_for(cancel_and_wait(tasks), timeout=2)

    assert stubborn.swallowed == 1
    assert tasks[0].cancelled()
    assert isinstance(tasks[1].exception(), RuntimeError)


async def test_tasks_run_together_stop_with_their_owner_though_one_swallows_a_cancel() -> None:
    stubborn = SwallowsFirstCancel()
    together = [asyncio.create_task(stubborn()), asyncio.create_task(asyncio.sleep(10))]
    owner = asyncio.create_task(run_until_one_fails(together))
    await asyncio.sleep(0)

    await asyncio.wait_for(cancel_and_wait([owner, *together]), timeout=2)

    assert stubborn.swallowed == 1
    assert owner.cancelled()
    assert all(task.cancelled() for task in together)


async def test_when_one_task_run_together_fails_the_others_stop_and_its_error_is_raised() -> None:
    stubborn = SwallowsFirstCancel()
    survivor = asyncio.create_task(stubborn())
    together = [survivor, asyncio.create_task(failing())]

    with pytest.raises(RuntimeError, match="gagal"):
        await asyncio.wait_for(run_until_one_fails(together), timeout=2)

    assert stubborn.swallowed == 1
    assert survivor.cancelled()


async def test_a_task_started_while_its_owner_is_being_stopped_is_stopped_too() -> None:
    tasks: list[asyncio.Task[None]] = []
    late = SwallowsFirstCancel()

    async def owner() -> None:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            # As the runtime's messaging task would, had it swallowed the cancellation while
            # connecting: it goes on to start its runners.
            tasks.append(asyncio.create_task(late()))
            await asyncio.sleep(10)

    tasks.append(asyncio.create_task(owner()))
    await asyncio.sleep(0)

    await asyncio.wait_for(cancel_and_wait(tasks), timeout=2)

    assert len(tasks) == 2
    assert all(task.done() for task in tasks)
