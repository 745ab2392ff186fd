"""Group commit: requests that arrive together go in one batch, each gets its own answer, and
one bad request in a batch costs the others nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from sinergi_kit.batching import Batcher


class Recorder:
    """A process that doubles numbers, refuses negatives alone and fails a whole batch that
    holds a 13; it records every batch it was given."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self, batch: Sequence[int]) -> Sequence[int | Exception]:
        self.batches.append(list(batch))
        await self.release.wait()
        if 13 in batch:
            raise RuntimeError("unlucky batch")
        return [ValueError(f"negative {n}") if n < 0 else n * 2 for n in batch]


async def test_requests_arriving_during_a_write_share_the_next_batch() -> None:
    process = Recorder()
    process.release.clear()
    batcher: Batcher[int, int] = Batcher()
    first = asyncio.create_task(batcher.submit(1, process))
    await asyncio.sleep(0)
    others = [asyncio.create_task(batcher.submit(n, process)) for n in (2, 3, 4)]
    await asyncio.sleep(0)
    process.release.set()
    assert await first == 2
    assert await asyncio.gather(*others) == [4, 6, 8]
    assert process.batches == [[1], [2, 3, 4]]


async def test_a_batch_is_no_larger_than_its_limit() -> None:
    process = Recorder()
    batcher: Batcher[int, int] = Batcher(max_batch=2)
    results = await asyncio.gather(*(batcher.submit(n, process) for n in range(5)))
    assert results == [0, 2, 4, 6, 8]
    assert process.batches == [[0, 1], [2, 3], [4]]


async def test_a_refusal_is_its_requests_alone() -> None:
    process = Recorder()
    batcher: Batcher[int, int] = Batcher()
    results = await asyncio.gather(
        *(batcher.submit(n, process) for n in (1, -1, 2)), return_exceptions=True
    )
    assert results[0] == 2 and results[2] == 4
    assert isinstance(results[1], ValueError)
    assert process.batches == [[1, -1, 2]]


async def test_a_failed_batch_is_applied_again_one_request_at_a_time() -> None:
    process = Recorder()
    batcher: Batcher[int, int] = Batcher()
    results = await asyncio.gather(
        *(batcher.submit(n, process) for n in (5, 13, 6)), return_exceptions=True
    )
    assert results[0] == 10 and results[2] == 12
    assert isinstance(results[1], RuntimeError)
    assert process.batches == [[5, 13, 6], [5], [13], [6]]


async def test_idle_is_announced_once_the_queue_has_drained() -> None:
    process = Recorder()
    idle: list[int] = []
    batcher: Batcher[int, int] = Batcher(max_batch=1, on_idle=lambda: idle.append(1))
    await asyncio.gather(*(batcher.submit(n, process) for n in range(3)))
    assert len(process.batches) == 3
    assert idle == [1]
    assert await batcher.submit(7, process) == 14
    assert idle == [1, 1]


@pytest.mark.parametrize("started", [True, False])
async def test_a_stopped_worker_answers_every_waiting_request(started: bool) -> None:
    process = Recorder()
    process.release.clear()
    batcher: Batcher[int, int] = Batcher(max_batch=1, name="door")
    waiting = [asyncio.create_task(batcher.submit(n, process)) for n in (1, 2)]
    await asyncio.sleep(0)
    if started:
        await asyncio.sleep(0)
        assert process.batches == [[1]]
    worker = next(t for t in asyncio.all_tasks() if t.get_name() == "door")
    worker.cancel()
    results = await asyncio.gather(*waiting, return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    assert "door stopped" in str(results[1])
    with pytest.raises(asyncio.CancelledError):
        await worker
    assert await batcher.submit(3, _instant) == 6


async def _instant(batch: Sequence[int]) -> Sequence[int | Exception]:
    return [n * 2 for n in batch]
