"""Fixtures for the kit's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from sinergi_kit.db import Database
from sinergi_kit.messaging.outbox import OutboxRelay
from sinergi_kit.messaging.topology import STREAMS, provision
from sinergi_kit.tasks import cancel_and_wait
from sinergi_kit.testing.harness import TEST_CONSUMER, Harness, connect, metadata, tables
from sinergi_kit.uow import UnitOfWorkFactory


@pytest.fixture
async def harness_factory(
    database_url: str,
) -> AsyncIterator[Callable[[str], Awaitable[Harness]]]:
    made: list[Harness] = []
    db = Database(database_url)
    async with db.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)

    async def make(url: str) -> Harness:
        nc = await connect(url)
        js = nc.jetstream()
        await provision(js, streams=[STREAMS["registry"]], consumers=[TEST_CONSUMER])
        relay = OutboxRelay(
            db,
            tables,
            "registry",
            batch_size=64,
            poll_interval_s=0.1,
            max_backoff_s=0.5,
            publish_timeout_s=2.0,
        )
        harness = Harness(db, nc, js, relay, UnitOfWorkFactory(db, tables, relay.wake))
        made.append(harness)
        return harness

    yield make
    for harness in made:
        await cancel_and_wait(harness.tasks)
        await harness.nc.close()
    await db.dispose()
