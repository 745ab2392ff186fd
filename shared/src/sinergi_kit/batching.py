"""Group commit for a hot write path: concurrent requests queue here and one worker applies
whatever has gathered in one transaction, so the cost of a transaction is shared instead of
each request waiting for the one before it. Nothing waits on purpose: a batch is what
arrived while the previous one was being written.

A batch that fails as a whole is applied again one request at a time, so one bad request
never costs the others their answer."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sinergi_kit.logging import get_logger

log = get_logger(__name__)

Request = TypeVar("Request")
Result = TypeVar("Result")

Process = Callable[[Sequence[Request]], Awaitable[Sequence[Result | Exception]]]
"""Applies a batch in order and returns one result per request, or the exception for that
request alone; if it raises, every request of the batch is applied alone."""


@dataclass
class _Waiting(Generic[Request, Result]):
    request: Request
    answer: asyncio.Future[Result]


class Batcher(Generic[Request, Result]):
    """One batcher serves one kind of write: the ``process`` given with the request that
    starts the worker applies every batch until the queue is empty."""

    def __init__(
        self,
        max_batch: int = 256,
        *,
        name: str = "batcher",
        on_idle: Callable[[], None] | None = None,
    ) -> None:
        """``on_idle`` is called each time the queue has drained and the worker ends."""
        self.max_batch = max_batch
        self.name = name
        self._on_idle = on_idle
        self._queue: list[_Waiting[Request, Result]] = []
        self._worker: asyncio.Task[None] | None = None

    async def submit(self, request: Request, process: Process[Request, Result]) -> Result:
        answer: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._queue.append(_Waiting(request, answer))
        if self._worker is None:
            self._worker = asyncio.create_task(self._drain(process), name=self.name)
            self._worker.add_done_callback(self._cancelled_before_start)
        return await answer

    def _cancelled_before_start(self, worker: asyncio.Task[None]) -> None:
        """A worker cancelled before its first step never reaches ``_drain``'s cleanup."""
        if self._worker is worker:
            self._stop()

    async def _drain(self, process: Process[Request, Result]) -> None:
        """Runs while requests wait, then ends (the next request starts a new worker). If the
        worker itself is stopped, every request still waiting is answered with an error."""
        try:
            while self._queue:
                batch = self._queue[: self.max_batch]
                del self._queue[: self.max_batch]
                try:
                    results = await self._apply(process, [w.request for w in batch])
                    for waiting, result in zip(batch, results, strict=True):
                        _settle(waiting.answer, result)
                except BaseException as exc:
                    failure = exc if isinstance(exc, Exception) else RuntimeError(f"{exc!r}")
                    for waiting in batch:
                        _settle(waiting.answer, failure)
                    raise
        finally:
            self._stop()

    def _stop(self) -> None:
        for waiting in self._queue:
            _settle(waiting.answer, RuntimeError(f"{self.name} stopped"))
        self._queue.clear()
        self._worker = None
        if self._on_idle is not None:
            self._on_idle()

    async def _apply(
        self, process: Process[Request, Result], requests: list[Request]
    ) -> Sequence[Result | Exception]:
        try:
            return await process(requests)
        except Exception as exc:
            if len(requests) == 1:
                return [exc]
            log.warning("batch_split", batcher=self.name, requests=len(requests), error=repr(exc))
        return [result for request in requests for result in await self._apply(process, [request])]


def _settle(answer: asyncio.Future[Result], result: Result | Exception) -> None:
    if answer.done():
        return
    if isinstance(result, Exception):
        answer.set_exception(result)
    else:
        answer.set_result(result)
