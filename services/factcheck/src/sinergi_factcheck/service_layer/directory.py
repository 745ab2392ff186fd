"""Factcheck's projection of the registry — accounts, people, segments — kept in step with the
registry's events (consumer ``factcheck-registry``), so a campaign can aim at a segment while
the registry is down. Erasure purges a person's data here too: only the id is kept."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sinergi_factcheck.adapters.tables import registry_accounts, registry_people, registry_segments
from sinergi_kit.contracts.registry import (
    ACCOUNT_STATE_EVENTS,
    AccountState,
    PersonErasedV1,
    PersonRegisteredV1,
    PersonState,
    PersonUpdatedV1,
)
from sinergi_kit.contracts.segments import (
    SegmentCreatedV1,
    SegmentDeletedV1,
    SegmentState,
    SegmentUpdatedV1,
)
from sinergi_kit.db import upsert_newer
from sinergi_kit.envelope import Envelope
from sinergi_kit.logging import get_logger
from sinergi_kit.messaging.consumer import BatchHandler, Subscription
from sinergi_kit.uow import UnitOfWork

log = get_logger(__name__)

Batch = Sequence[tuple[Envelope, Any]]


def _state_row(item: AccountState | PersonState | SegmentState) -> dict[str, object]:
    return {"id": item.id, "version": item.version, "state": item.model_dump(mode="json")}


async def on_accounts(uow: UnitOfWork, events: Batch) -> None:
    await upsert_newer(uow.session, registry_accounts, [_state_row(e.account) for _, e in events])
    log.info("factcheck.accounts_projected", event_ids=[str(env.id) for env, _ in events])


async def on_people(uow: UnitOfWork, events: Batch) -> None:
    rows = [{**_state_row(e.person), "erased_at": None} for _, e in events]
    await upsert_newer(uow.session, registry_people, rows)


async def on_people_erased(
    uow: UnitOfWork, events: Sequence[tuple[Envelope, PersonErasedV1]]
) -> None:
    rows = [
        {"id": e.person_id, "version": e.version, "state": None, "erased_at": e.erased_at}
        for _, e in events
    ]
    await upsert_newer(uow.session, registry_people, rows)
    log.info("factcheck.people_erased", count=len(rows))


async def on_segments(uow: UnitOfWork, events: Batch) -> None:
    rows = [{**_state_row(e.segment), "deleted_at": None} for _, e in events]
    await upsert_newer(uow.session, registry_segments, rows)


async def on_segments_deleted(
    uow: UnitOfWork, events: Sequence[tuple[Envelope, SegmentDeletedV1]]
) -> None:
    rows = [
        {"id": e.segment_id, "version": e.version, "state": None, "deleted_at": e.deleted_at}
        for _, e in events
    ]
    await upsert_newer(uow.session, registry_segments, rows)


_HANDLERS: dict[str, BatchHandler] = {
    **{contract.event_type: on_accounts for contract in ACCOUNT_STATE_EVENTS},
    PersonRegisteredV1.event_type: on_people,
    PersonUpdatedV1.event_type: on_people,
    PersonErasedV1.event_type: on_people_erased,
    SegmentCreatedV1.event_type: on_segments,
    SegmentUpdatedV1.event_type: on_segments,
    SegmentDeletedV1.event_type: on_segments_deleted,
}

REGISTRY_SUBSCRIPTION = Subscription(durable="factcheck-registry", batch_handlers=_HANDLERS)


async def segment(session: AsyncSession, segment_id: UUID) -> SegmentState | None:
    query = select(registry_segments.c.state).where(
        registry_segments.c.id == segment_id, registry_segments.c.deleted_at.is_(None)
    )
    state = (await session.execute(query)).scalar_one_or_none()
    return SegmentState.model_validate(state) if state is not None else None


async def accounts(session: AsyncSession) -> list[AccountState]:
    rows = await session.execute(select(registry_accounts.c.state))
    return [AccountState.model_validate(state) for state in rows.scalars()]


async def people(session: AsyncSession) -> list[PersonState]:
    rows = await session.execute(
        select(registry_people.c.state).where(registry_people.c.erased_at.is_(None))
    )
    return [PersonState.model_validate(state) for state in rows.scalars()]
