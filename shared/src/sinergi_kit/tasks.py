"""Stopping background tasks for good.

On Python 3.11 ``asyncio.wait_for`` can swallow a cancellation that arrives just as the
awaited result does (fixed in 3.12), and nats-py waits for every pulled message with it: a
consumer cancelled at that moment carries on fetching as if nothing had happened. So a task
is cancelled again until it has stopped, and tasks that run together are supervised here
rather than by an ``asyncio.TaskGroup``: a group cancelled from outside cancels its tasks
once, then waits for ever on one that swallowed that cancellation, however often its own
task is cancelled again."""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from typing import Any

RECANCEL_AFTER_S = 0.1


async def cancel_and_wait(tasks: Collection[asyncio.Task[Any]]) -> None:
    """Cancel ``tasks`` and wait until every one has finished, cancelling again any that is
    still running a moment later; a task added to ``tasks`` meanwhile is stopped too. Their
    results and errors are dropped."""
    while pending := {task for task in tasks if not task.done()}:
        for task in pending:
            task.cancel()
        await asyncio.wait(pending, timeout=RECANCEL_AFTER_S)
    for task in tasks:
        if not task.cancelled():
            task.exception()  # retrieved: asyncio would log it as never retrieved


async def run_until_one_fails(tasks: Sequence[asyncio.Task[Any]]) -> None:
    """Wait while ``tasks`` run. When one fails, stop the others and raise its error.

    Cancelling the caller leaves ``tasks`` running: the caller keeps them where it stops its
    tasks (see :func:`cancel_and_wait`)."""
    done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    errors = [task.exception() for task in done if not task.cancelled()]
    await cancel_and_wait(tasks)
    for error in errors:
        if error is not None:
            raise error
