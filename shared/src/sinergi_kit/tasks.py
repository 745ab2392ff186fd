"""Stopping background tasks for good.

On Python 3.11 ``asyncio.wait_for`` can swallow a cancellation that arrives just as the
awaited result does (fixed in 3.12), and nats-py waits for every pulled message with it: a
consumer cancelled at that moment carries on fetching as if nothing had happened. So a task
is cancelled again until it has stopped."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from typing import Any

RECANCEL_AFTER_S = 0.1


async def cancel_and_wait(tasks: Collection[asyncio.Task[Any]]) -> None:
    """Cancel ``tasks`` and wait until every one has finished, cancelling again any that is
    still running a moment later. Their results and errors are dropped."""
    pending = {task for task in tasks if not task.done()}
    while pending:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=RECANCEL_AFTER_S)
    for task in tasks:
        if not task.cancelled():
            task.exception()  # retrieved: asyncio would log it as never retrieved
