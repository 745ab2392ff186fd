"""A miniature service for the kit's tests and the bus benchmark: the messaging tables plus
one projection table, a relay and a consumer over the registry stream."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import nats
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from sqlalchemy import Column, Integer, String, Table, Uuid, func, select

from sinergi_kit.contracts.registry import AccountRegisteredV1, AccountState
from sinergi_kit.db import Database, make_metadata, upsert_newer
from sinergi_kit.envelope import Envelope
from sinergi_kit.ids import new_id
from sinergi_kit.messaging.consumer import Consumer, Handler, RetryPolicy, Subscription
from sinergi_kit.messaging.outbox import OutboxRelay
from sinergi_kit.messaging.tables import messaging_tables
from sinergi_kit.messaging.topology import STREAMS, ConsumerSpec
from sinergi_kit.uow import UnitOfWork, UnitOfWorkFactory

metadata = make_metadata()
tables = messaging_tables(metadata)
projection = Table(
    "projection",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("handle", String(200), nullable=False),
)
TEST_CONSUMER = ConsumerSpec(
    service="test",
    durable="test-registry",
    stream=STREAMS["registry"].name,
    filter_subjects=("sinergi.registry.>",),
)


def account_event(
    handle: str = "diskominfo.jombang", version: int = 1, account_id: UUID | None = None
) -> AccountRegisteredV1:
    now = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
    return AccountRegisteredV1(
        account=AccountState(
            id=account_id or new_id(),
            version=version,
            platform="instagram",
            handle=handle,
            display_name=handle,
            managed_by="government",
            category="government",
            created_at=now,
            updated_at=now,
        )
    )


async def eventually(check: Callable[[], Awaitable[bool]], timeout_s: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


@dataclass
class Harness:
    db: Database
    nc: NatsClient
    js: JetStreamContext
    relay: OutboxRelay
    uow: UnitOfWorkFactory
    applied: list[UUID] = field(default_factory=list)
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)

    def consumer(
        self,
        handlers: dict[str, Handler] | None = None,
        retry: RetryPolicy | None = None,
        batch_size: int = 64,
        *,
        batched: bool = False,
    ) -> Consumer:
        """Projects account events one by one, or in runs with ``batched``."""
        if batched:
            subscription = Subscription(
                TEST_CONSUMER.durable,
                batch_handlers={AccountRegisteredV1.event_type: self.project_batch},
            )
        else:
            subscription = Subscription(
                TEST_CONSUMER.durable,
                handlers=handlers or {AccountRegisteredV1.event_type: self.project},
            )
        return Consumer(
            TEST_CONSUMER,
            subscription,
            self.uow,
            batch_size=batch_size,
            retry=retry,
            fetch_timeout_s=0.2,
        )

    async def project_batch(self, uow: UnitOfWork, events: Sequence[tuple[Envelope, Any]]) -> None:
        self.applied.extend(envelope.id for envelope, _ in events)
        await upsert_newer(uow.session, projection, [_projection_row(e) for _, e in events])

    async def project(self, uow: UnitOfWork, envelope: Envelope, event: Any) -> None:
        self.applied.append(envelope.id)
        await upsert_newer(uow.session, projection, [_projection_row(event)])

    def run(self, coroutine: Awaitable[None]) -> None:
        self.tasks.append(asyncio.ensure_future(coroutine))

    async def count(self, table: Table) -> int:
        async with self.db.read() as session:
            return int(
                (await session.execute(select(func.count()).select_from(table))).scalar_one()
            )

    async def stream_messages(self) -> int:
        info = await self.js.stream_info(STREAMS["registry"].name)
        return int(info.state.messages)


def _projection_row(event: Any) -> dict[str, Any]:
    account = event.account
    return {"id": account.id, "version": account.version, "handle": account.handle}


async def connect(url: str) -> NatsClient:
    return await nats.connect(
        url, max_reconnect_attempts=-1, reconnect_time_wait=0.2, connect_timeout=2
    )
