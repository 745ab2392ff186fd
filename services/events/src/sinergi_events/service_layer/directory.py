"""Keeps the local projections of registry accounts, people and segments in step with the
registry's events. Erasure purges a person's personal data here too: the projection row
keeps only the id, and the person's invitations and walk-ins keep their counts without
anything that points at the person."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import update

from sinergi_events.adapters.tables import (
    directory_accounts,
    invitations,
    people,
    segments,
    walk_ins,
)
from sinergi_kit.contracts.registry import (
    AccountRegisteredV1,
    AccountRetiredV1,
    AccountState,
    AccountSuspendedV1,
    AccountUpdatedV1,
    AccountVerifiedV1,
    PersonErasedV1,
    PersonRegisteredV1,
    PersonState,
    PersonUpdatedV1,
)
from sinergi_kit.contracts.segments import (
    SegmentCreatedV1,
    SegmentDeletedV1,
    SegmentUpdatedV1,
)
from sinergi_kit.db import upsert_newer
from sinergi_kit.envelope import Envelope
from sinergi_kit.logging import get_logger
from sinergi_kit.messaging.consumer import BatchHandler, Subscription
from sinergi_kit.uow import UnitOfWork

log = get_logger(__name__)


def directory_row(account: AccountState) -> dict[str, object]:
    return {
        "id": account.id,
        "version": account.version,
        "platform": account.platform,
        "handle": account.handle,
        "display_name": account.display_name,
        "managed_by": account.managed_by,
        "category": account.category,
        "district": account.district,
        "state": account.model_dump(mode="json"),
        "updated_at": account.updated_at,
    }


async def on_accounts(uow: UnitOfWork, events: Sequence[tuple[Envelope, Any]]) -> None:
    await upsert_newer(
        uow.session, directory_accounts, [directory_row(event.account) for _, event in events]
    )
    log.info(
        "directory.accounts_projected",
        count=len(events),
        event_ids=[str(envelope.id) for envelope, _ in events],
        trace_ids=sorted({envelope.trace_id or "" for envelope, _ in events}),
    )


def person_row(person: PersonState) -> dict[str, object]:
    return {
        "id": person.id,
        "version": person.version,
        "name": person.name,
        "email": person.contact.email,
        "language": person.preferred_language,
        "state": person.model_dump(mode="json"),
        "erased_at": None,
    }


async def on_people(uow: UnitOfWork, events: Sequence[tuple[Envelope, Any]]) -> None:
    await upsert_newer(uow.session, people, [person_row(event.person) for _, event in events])
    log.info("directory.people_projected", count=len(events))


async def on_people_erased(
    uow: UnitOfWork, events: Sequence[tuple[Envelope, PersonErasedV1]]
) -> None:
    rows = [
        {
            "id": event.person_id,
            "version": event.version,
            "name": "",
            "email": None,
            "language": "id",
            "state": None,
            "erased_at": event.erased_at,
        }
        for _, event in events
    ]
    await upsert_newer(uow.session, people, rows)
    erased = [event.person_id for _, event in events]
    await uow.session.execute(
        update(invitations)
        .where(invitations.c.person_id.in_(erased))
        .values(person_id=None, erased=True, inside=False)
    )
    await uow.session.execute(
        update(walk_ins)
        .where(walk_ins.c.person_id.in_(erased))
        .values(person_id=None, name="", organization="")
    )
    log.info("directory.people_erased", count=len(events))


async def on_segments(uow: UnitOfWork, events: Sequence[tuple[Envelope, Any]]) -> None:
    rows = [
        {
            "id": event.segment.id,
            "version": event.segment.version,
            "name": event.segment.name,
            "state": event.segment.model_dump(mode="json"),
            "deleted_at": None,
        }
        for _, event in events
    ]
    await upsert_newer(uow.session, segments, rows)


async def on_segments_deleted(
    uow: UnitOfWork, events: Sequence[tuple[Envelope, SegmentDeletedV1]]
) -> None:
    rows = [
        {
            "id": event.segment_id,
            "version": event.version,
            "name": "",
            "state": None,
            "deleted_at": event.deleted_at,
        }
        for _, event in events
    ]
    await upsert_newer(uow.session, segments, rows)


_ACCOUNTS = (
    AccountRegisteredV1,
    AccountUpdatedV1,
    AccountVerifiedV1,
    AccountSuspendedV1,
    AccountRetiredV1,
)
_HANDLERS: dict[str, BatchHandler] = {
    **{contract.event_type: on_accounts for contract in _ACCOUNTS},
    PersonRegisteredV1.event_type: on_people,
    PersonUpdatedV1.event_type: on_people,
    PersonErasedV1.event_type: on_people_erased,
    SegmentCreatedV1.event_type: on_segments,
    SegmentUpdatedV1.event_type: on_segments,
    SegmentDeletedV1.event_type: on_segments_deleted,
}

REGISTRY_SUBSCRIPTION = Subscription(durable="events-registry", batch_handlers=_HANDLERS)
