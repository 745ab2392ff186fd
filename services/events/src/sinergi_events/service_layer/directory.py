"""Keeps the local projections of registry accounts, people and segments in step with the
registry's events. Erasure purges a person's personal data here too: the projection row
keeps only the id, and the person's invitations and walk-ins keep their counts without
anything that points at the person; a seat the person held before the start passes on."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cache
from typing import Any
from uuid import UUID

from sqlalchemy import update

from sinergi_events.adapters.repository import EventRepository, InvitationRepository
from sinergi_events.adapters.tables import directory_accounts, people, segments, walk_ins
from sinergi_events.domain.invitations import erase, frees_seat
from sinergi_events.domain.tokens import Signer
from sinergi_events.service_layer.seats import offer_free_seats
from sinergi_kit.clock import utcnow
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


async def erase_people(
    uow: UnitOfWork, signer: Signer, events: Sequence[PersonErasedV1], now: datetime
) -> None:
    """Purge erased people: the projection row keeps only the id, walk-ins lose the name,
    and each invitation keeps its counts without the person (see ``invitations.erase``).
    A seat given up before the start is offered to the waiting list at once."""
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
        for event in events
    ]
    await upsert_newer(uow.session, people, rows)
    erased = [event.person_id for event in events]
    repository = InvitationRepository(uow.session)
    affected = await repository.of_people(erased)
    by_event: dict[UUID, list[UUID]] = {}
    for invitation in affected:
        by_event.setdefault(invitation.event_id, []).append(invitation.id)
    for event_id, invitation_ids in by_event.items():
        event = await EventRepository(uow.session).get(event_id, lock=True)
        assert event is not None
        freed = False
        for invitation_id in invitation_ids:
            before = await repository.get(invitation_id)  # read again under the event's lock
            assert before is not None
            after = erase(event, before, now)
            await repository.save(after)
            freed = freed or frees_seat(event, before, after)
        if freed:
            await offer_free_seats(signer, uow, event, now)
    await uow.session.execute(
        update(walk_ins)
        .where(walk_ins.c.person_id.in_(erased))
        .values(person_id=None, name="", organization="")
    )
    log.info("directory.people_erased", count=len(events), invitations=len(affected))


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


_HANDLERS: dict[str, BatchHandler] = {
    **{contract.event_type: on_accounts for contract in ACCOUNT_STATE_EVENTS},
    PersonRegisteredV1.event_type: on_people,
    PersonUpdatedV1.event_type: on_people,
    SegmentCreatedV1.event_type: on_segments,
    SegmentUpdatedV1.event_type: on_segments,
    SegmentDeletedV1.event_type: on_segments_deleted,
}


def registry_subscription(
    signer: Callable[[], Signer], clock: Callable[[], datetime] = utcnow
) -> Subscription:
    """The events service's consumer of registry events. ``signer`` signs the RSVP links of
    seats offered when an erasure frees one (read once, on first use)."""
    signer_once = cache(signer)

    async def on_people_erased(
        uow: UnitOfWork, events: Sequence[tuple[Envelope, PersonErasedV1]]
    ) -> None:
        await erase_people(uow, signer_once(), [event for _, event in events], clock())

    handlers: dict[str, BatchHandler] = {
        **_HANDLERS,
        PersonErasedV1.event_type: on_people_erased,
    }
    return Subscription(durable="events-registry", batch_handlers=handlers)
