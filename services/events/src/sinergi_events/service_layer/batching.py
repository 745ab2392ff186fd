"""Group commit for a hot write path: concurrent requests queue here and one worker applies
whatever has gathered in one transaction, so the cost of a transaction is shared instead of
each request waiting for the one before it. Nothing waits on purpose: a batch is what
arrived while the previous one was being written."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Request = TypeVar("Request")
Result = TypeVar("Result")

Process = Callable[[Sequence[Request]], Awaitable[Sequence[Result | Exception]]]


class Batcher(Generic[Request, Result]):
    def __init__(self, max_batch: int = 256) -> None:
        self.max_batch = max_batch
        self._queue: asyncio.Queue[tuple[Request, asyncio.Future[Result]]] | None = None
        self._worker: asyncio.Task[None] | None = None
        self.batches = 0

    async def submit(self, request: Request, process: Process[Request, Result]) -> Result:
        """``process`` applies a batch in order and returns one result (or the exception for
        that request alone) per request; if it raises, every request is tried alone."""
        if self._queue is None:
            self._queue = asyncio.Queue()
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((request, future))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._drain(process))
        return await future

    async def _drain(self, process: Process[Request, Result]) -> None:
        """Runs while requests wait, then ends (the next request starts a new worker)."""
        assert self._queue is not None
        while not self._queue.empty():
            batch = [self._queue.get_nowait()]
            while not self._queue.empty() and len(batch) < self.max_batch:
                batch.append(self._queue.get_nowait())
            self.batches += 1
            try:
                results = await process([request for request, _ in batch])
            except Exception:
                results = [await self._alone(process, request) for request, _ in batch]
            for (_, future), result in zip(batch, results, strict=True):
                if future.done():
                    continue
                if isinstance(result, Exception):
                    future.set_exception(result)
                else:
                    future.set_result(result)

    @staticmethod
    async def _alone(process: Process[Request, Result], request: Request) -> Result | Exception:
        try:
            (result,) = await process([request])
        except Exception as exc:
            return exc
        return result
