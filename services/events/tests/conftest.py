"""Fixtures for the events service: a migrated database of each backend, a context with a
clock the test moves, and the registry projections seeded through their handlers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select

from sinergi_events.adapters.tables import messaging
from sinergi_events.app import MIGRATIONS
from sinergi_events.domain.tokens import Signer
from sinergi_events.service_layer.context import EventsContext
from sinergi_events.service_layer.directory import on_people, on_segments
from sinergi_kit.contracts.base import EventContract
from sinergi_kit.contracts.registry import ContactPoints, PersonRegisteredV1, PersonState
from sinergi_kit.contracts.segments import SegmentCreatedV1, SegmentFilter, SegmentState
from sinergi_kit.db import Database
from sinergi_kit.envelope import Envelope
from sinergi_kit.ids import new_id
from sinergi_kit.migrations import upgrade
from sinergi_kit.uow import UnitOfWorkFactory

from .factories import NOW

SIGNING_KEYS = {"k1": "kunci-rahasia-untuk-pengujian-saja-0123456789"}


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


async def migrated(url: str) -> Database:
    await asyncio.to_thread(upgrade, MIGRATIONS, url)
    return Database(url)


def make_context(db: Database, clock: Callable[[], datetime]) -> EventsContext:
    return EventsContext(
        uow=UnitOfWorkFactory(db, messaging, lambda: None),
        signer=Signer(SIGNING_KEYS, "k1"),
        public_base_url="https://acara.jombangkab.go.id",
        clock=clock,
    )


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = await migrated(database_url)
    yield database
    await database.dispose()


@pytest.fixture
def ctx(db: Database, clock: Clock) -> EventsContext:
    return make_context(db, clock)


def person(name: str, roles: list[Any] | None = None, email: str | None = None) -> PersonState:
    return PersonState(
        id=new_id(),
        version=1,
        name=name,
        roles=roles or ["account_admin"],
        contact=ContactPoints(email=email),
        created_at=NOW,
        updated_at=NOW,
    )


async def project(ctx: EventsContext, *people: PersonState) -> list[UUID]:
    events = [(Envelope.wrap(e), e) for e in (PersonRegisteredV1(person=p) for p in people)]
    async with ctx.uow() as uow:
        await on_people(uow, events)
    return [p.id for p in people]


async def project_segment(
    ctx: EventsContext, name: str, segment_filter: SegmentFilter
) -> SegmentState:
    segment = SegmentState(
        id=new_id(),
        version=1,
        name=name,
        filter=segment_filter,
        created_at=NOW,
        updated_at=NOW,
    )
    event = SegmentCreatedV1(segment=segment)
    async with ctx.uow() as uow:
        await on_segments(uow, [(Envelope.wrap(event), event)])
    return segment


async def outbox(ctx: EventsContext, contract: type[EventContract]) -> list[dict[str, Any]]:
    table = messaging.outbox
    async with ctx.db.read() as session:
        rows = await session.execute(
            select(table.c.data)
            .where(table.c.event_type == contract.event_type)
            .order_by(table.c.seq)
        )
        return list(rows.scalars())
