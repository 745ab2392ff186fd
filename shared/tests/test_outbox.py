"""The transactional outbox and its relay against a real NATS and both databases."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from sinergi_kit.clock import utcnow
from sinergi_kit.db import Database
from sinergi_kit.messaging.outbox import (
    YIELD_EVERY,
    OutboxRelay,
    outbox_lag_seconds,
    replay_since,
)
from sinergi_kit.nats_server import EmbeddedNats
from sinergi_kit.testing.harness import Harness, account_event, eventually, tables
from sinergi_kit.uow import UnitOfWorkFactory


async def unpublished(harness: Harness) -> int:
    async with harness.db.read() as session:
        rows = await session.execute(
            select(tables.outbox.c.seq).where(tables.outbox.c.published_at.is_(None))
        )
        return len(rows.all())


async def test_state_and_event_roll_back_together(harness_factory, clean_nats) -> None:
    harness: Harness = await harness_factory(clean_nats)
    try:
        async with harness.uow() as uow:
            uow.emit(account_event())
            raise RuntimeError("use case failed after emitting")
    except RuntimeError:
        pass
    assert await harness.count(tables.outbox) == 0


async def test_outbox_waits_for_nats_and_publishes_when_it_returns(
    harness_factory, restartable_nats: EmbeddedNats
) -> None:
    harness: Harness = await harness_factory(restartable_nats.url)
    restartable_nats.stop()
    async with harness.uow() as uow:
        event = uow.emit(account_event())
    harness.run(harness.relay.run(harness.js))
    await asyncio.sleep(1.5)
    assert await unpublished(harness) == 1
    assert await outbox_lag_seconds(harness.db, tables) > 0

    restartable_nats.start()

    async def published() -> bool:
        return await unpublished(harness) == 0

    await eventually(published, timeout_s=20)
    assert await harness.stream_messages() == 1
    message = await harness.js.get_last_msg("SINERGI_REGISTRY", event.type)
    assert message.headers is not None
    assert message.headers["ce-id"] == str(event.id)
    assert message.headers["Nats-Msg-Id"] == str(event.id)


async def test_commits_during_a_relay_round_are_published_without_waiting_for_the_poll(
    harness_factory, clean_nats
) -> None:
    harness: Harness = await harness_factory(clean_nats)
    relay = OutboxRelay(harness.db, tables, "registry", batch_size=4, poll_interval_s=3600)
    units = UnitOfWorkFactory(harness.db, tables, relay.wake)
    harness.run(relay.run(harness.js))
    for n in range(40):
        async with units() as uow:
            uow.emit(account_event(handle=f"akun{n}"))
        await asyncio.sleep(0)

    async def published() -> bool:
        return await unpublished(harness) == 0

    await eventually(published, timeout_s=30)
    assert await harness.stream_messages() == 40


async def test_nothing_lost_or_doubled_across_a_relay_restart(harness_factory, clean_nats) -> None:
    harness: Harness = await harness_factory(clean_nats)
    async with harness.uow() as uow:
        for n in range(30):
            uow.emit(account_event(handle=f"akun{n}"))
    first = OutboxRelay(harness.db, tables, "registry", batch_size=10)
    # The first relay publishes one batch and "dies" before marking the rest.
    rows = await first.pending_rows()
    assert await first._publish_in_order(harness.js, rows) == 10  # acked, never marked
    second = OutboxRelay(harness.db, tables, "registry", batch_size=10)
    assert await second.publish_pending(harness.js) == 30
    assert await unpublished(harness) == 0
    assert await harness.stream_messages() == 30


async def test_duplicate_publish_is_dropped_and_replay_is_safe(harness_factory, clean_nats) -> None:
    harness: Harness = await harness_factory(clean_nats)
    async with harness.uow() as uow:
        envelope = uow.emit(account_event())
    assert await harness.relay.publish_pending(harness.js) == 1
    again = await harness.js.publish(
        envelope.type, envelope.body(), stream="SINERGI_REGISTRY", headers=envelope.headers()
    )
    assert again.duplicate is True
    assert await harness.stream_messages() == 1

    assert await replay_since(harness.db, tables, utcnow() - timedelta(minutes=5)) == 1
    assert await unpublished(harness) == 1
    assert await harness.relay.publish_pending(harness.js) == 1
    assert await harness.stream_messages() == 1


async def test_only_one_relay_per_database_publishes_and_another_takes_over(
    harness_factory, clean_nats
) -> None:
    harness: Harness = await harness_factory(clean_nats)
    if harness.db.is_sqlite:
        pytest.skip("one process owns a SQLite file; relay leadership is PostgreSQL's lock")
    first = OutboxRelay(harness.db, tables, "registry", poll_interval_s=0.05)
    second = OutboxRelay(harness.db, tables, "registry", poll_interval_s=0.05)
    first_task = asyncio.ensure_future(first.run(harness.js))

    async def first_leads() -> bool:
        return first.is_leader

    await eventually(first_leads)
    harness.run(second.run(harness.js))
    await asyncio.sleep(0.5)
    assert not second.is_leader

    first_task.cancel()
    await asyncio.gather(first_task, return_exceptions=True)

    async def second_leads() -> bool:
        return second.is_leader

    await eventually(second_leads)
    async with harness.uow() as uow:
        uow.emit(account_event())
    second.wake()

    async def published() -> bool:
        return await unpublished(harness) == 0

    await eventually(published)
    assert await harness.stream_messages() == 1


class _RecordingJetStream:
    """Takes every publish at once (acknowledged), noting it in ``steps``."""

    def __init__(self, steps: list[str]) -> None:
        self.steps = steps

    async def publish_async(self, subject: str, payload: bytes, **_: Any) -> asyncio.Future[Any]:
        self.steps.append("publish")
        acknowledged: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        acknowledged.set_result(None)
        return acknowledged


async def test_a_round_lets_other_work_run_while_it_sends(harness_factory, clean_nats) -> None:
    harness: Harness = await harness_factory(clean_nats)
    async with harness.uow() as uow:
        for n in range(4 * YIELD_EVERY):
            uow.emit(account_event(handle=f"akun{n}"))
    steps: list[str] = []

    async def other_work() -> None:
        while True:
            steps.append("other")
            await asyncio.sleep(0)

    harness.run(other_work())
    await asyncio.sleep(0)
    steps.clear()
    assert await harness.relay.publish_pending(_RecordingJetStream(steps)) == 4 * YIELD_EVERY
    sending = steps[steps.index("publish") : len(steps) - steps[::-1].index("publish")]
    assert sending.count("publish") == 4 * YIELD_EVERY
    assert sending.count("other") >= 3
    assert await unpublished(harness) == 0


def test_an_idle_relay_waits_longer_each_round_and_one_that_publishes_starts_over() -> None:
    db = Database("sqlite+aiosqlite:///:memory:")
    relay = OutboxRelay(db, tables, "registry", poll_interval_s=0.05, idle_poll_interval_s=0.4)
    waits = []
    for published in (0, 0, 0, 0, 0, 3, 0):
        relay.pace(published)
        waits.append(relay.next_poll_s)
    assert waits == [0.1, 0.2, 0.4, 0.4, 0.4, 0.05, 0.1]

    woken_by_commits = OutboxRelay(db, tables, "registry", poll_interval_s=1.0)
    woken_by_commits.pace(0)
    assert woken_by_commits.next_poll_s == 1.0
