"""Persistence of events, invitations and due reminders (rows ↔ domain objects)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, fields
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Row, and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sinergi_events.adapters.tables import due_reminders, events, invitations, people
from sinergi_events.domain.events import AgendaItem, Event, ReminderRule
from sinergi_events.domain.invitations import Invitation
from sinergi_events.domain.reminders import DueReminder
from sinergi_kit.clock import as_utc
from sinergi_kit.contracts.events import LocalizedText, Venue


def _utc(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


def _details(event: Event) -> dict[str, Any]:
    return {
        "title": event.title.model_dump(),
        "theme": event.theme.model_dump(),
        "description": event.description,
        "venue": event.venue.model_dump(),
        "organisers": list(event.organisers),
        "organizer_email": event.organizer_email,
        "agenda": [
            {
                "starts_at": item.starts_at.isoformat(),
                "ends_at": item.ends_at.isoformat(),
                "title": item.title.model_dump(),
                "speakers": list(item.speakers),
            }
            for item in event.agenda
        ],
        "guests_of_honour": list(event.guests_of_honour),
        "reminders": [
            {"offset_minutes": r.offset_minutes, "audiences": list(r.audiences)}
            for r in event.reminders
        ],
        "seatless_roles": list(event.seatless_roles),
        "offer_ttl_s": event.offer_ttl.total_seconds(),
        "checkin_opens_before_s": event.checkin_opens_before.total_seconds(),
        "cancel_reason": event.cancel_reason.model_dump() if event.cancel_reason else None,
    }


def event_row(event: Event, now: datetime) -> dict[str, Any]:
    return {
        "id": event.id,
        "version": event.version,
        "sequence": event.sequence,
        "status": event.status,
        "kind": event.kind,
        "title_id": event.title.id,
        "title_en": event.title.en,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "rsvp_deadline": event.rsvp_deadline,
        "capacity": event.capacity,
        "details": _details(event),
        "created_at": event.created_at,
        "updated_at": now,
    }


def event_from_row(row: Row[Any]) -> Event:
    d = row.details
    return Event(
        id=row.id,
        kind=row.kind,
        title=LocalizedText.model_validate(d["title"]),
        theme=LocalizedText.model_validate(d["theme"]),
        description=d["description"],
        venue=Venue.model_validate(d["venue"]),
        starts_at=as_utc(row.starts_at),
        ends_at=as_utc(row.ends_at),
        created_at=as_utc(row.created_at),
        capacity=row.capacity,
        rsvp_deadline=_utc(row.rsvp_deadline),
        organisers=tuple(d["organisers"]),
        organizer_email=d["organizer_email"],
        agenda=tuple(
            AgendaItem(
                starts_at=datetime.fromisoformat(item["starts_at"]),
                ends_at=datetime.fromisoformat(item["ends_at"]),
                title=LocalizedText.model_validate(item["title"]),
                speakers=tuple(item["speakers"]),
            )
            for item in d["agenda"]
        ),
        guests_of_honour=tuple(d["guests_of_honour"]),
        reminders=tuple(
            ReminderRule(r["offset_minutes"], tuple(r["audiences"])) for r in d["reminders"]
        ),
        seatless_roles=tuple(d["seatless_roles"]),
        offer_ttl=timedelta(seconds=d["offer_ttl_s"]),
        checkin_opens_before=timedelta(seconds=d["checkin_opens_before_s"]),
        status=row.status,
        version=row.version,
        sequence=row.sequence,
        cancel_reason=LocalizedText.model_validate(d["cancel_reason"])
        if d["cancel_reason"]
        else None,
    )


_INVITATION_FIELDS = tuple(f.name for f in fields(Invitation))
_INVITATION_TIMES = frozenset(
    {"created_at", "responded_at", "offered_at", "offer_expires_at", "revoked_at", "first_entry_at"}
)


def invitation_row(invitation: Invitation) -> dict[str, Any]:
    return asdict(invitation)


def invitation_from_row(row: Row[Any]) -> Invitation:
    mapping = row._mapping
    values: dict[str, Any] = {
        name: _utc(mapping[name]) if name in _INVITATION_TIMES else mapping[name]
        for name in _INVITATION_FIELDS
    }
    return Invitation(**values)


class EventRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, event: Event, now: datetime) -> None:
        await self.session.execute(events.insert().values(**event_row(event, now)))

    async def get(self, event_id: UUID, *, lock: bool = False) -> Event | None:
        """With ``lock`` the row stays locked until the transaction ends (PostgreSQL
        ``FOR UPDATE``; SQLite's write transactions already exclude each other)."""
        query = select(events).where(events.c.id == event_id)
        if lock:
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        return event_from_row(row) if row else None

    async def save(self, event: Event, now: datetime) -> None:
        row = event_row(event, now)
        del row["id"], row["created_at"]
        await self.session.execute(update(events).where(events.c.id == event.id).values(**row))

    async def page(self, *, limit: int, after: UUID | None) -> list[Event]:
        query = select(events).order_by(events.c.id).limit(limit)
        if after is not None:
            query = query.where(events.c.id > after)
        return [event_from_row(r) for r in (await self.session.execute(query)).all()]


class InvitationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, invitation_id: UUID) -> Invitation | None:
        row = (
            await self.session.execute(select(invitations).where(invitations.c.id == invitation_id))
        ).first()
        return invitation_from_row(row) if row else None

    async def for_person(self, event_id: UUID, person_id: UUID) -> Invitation | None:
        row = (
            await self.session.execute(
                select(invitations).where(
                    invitations.c.event_id == event_id, invitations.c.person_id == person_id
                )
            )
        ).first()
        return invitation_from_row(row) if row else None

    async def of_people(self, person_ids: Sequence[UUID]) -> list[Invitation]:
        query = (
            select(invitations)
            .where(invitations.c.person_id.in_(list(person_ids)))
            .order_by(invitations.c.event_id, invitations.c.id)
        )
        return [invitation_from_row(r) for r in (await self.session.execute(query)).all()]

    async def invited_people(self, event_id: UUID) -> set[UUID]:
        rows = await self.session.execute(
            select(invitations.c.person_id).where(
                invitations.c.event_id == event_id, invitations.c.person_id.is_not(None)
            )
        )
        return set(rows.scalars())

    async def add_many(self, items: Sequence[Invitation]) -> None:
        if items:
            await self.session.execute(invitations.insert(), [invitation_row(i) for i in items])

    async def save(self, invitation: Invitation) -> None:
        row = invitation_row(invitation)
        del row["id"]
        await self.session.execute(
            update(invitations).where(invitations.c.id == invitation.id).values(**row)
        )

    async def page(
        self,
        event_id: UUID,
        *,
        seats: Iterable[str] = (),
        limit: int | None = None,
        after: UUID | None = None,
    ) -> list[Invitation]:
        query = select(invitations).where(invitations.c.event_id == event_id)
        if seats:
            query = query.where(invitations.c.seat.in_(list(seats)))
        if after is not None:
            query = query.where(invitations.c.id > after)
        query = query.order_by(invitations.c.id)
        if limit is not None:
            query = query.limit(limit)
        return [invitation_from_row(r) for r in (await self.session.execute(query)).all()]

    async def seats_held(self, event: Event) -> int:
        query = select(func.count()).where(
            invitations.c.event_id == event.id,
            invitations.c.seat.in_(["confirmed", "offered"]),
            invitations.c.role.not_in(list(event.seatless_roles)),
        )
        return int((await self.session.execute(query)).scalar_one())

    async def next_waitlist_position(self, event_id: UUID) -> int:
        query = select(func.max(invitations.c.waitlist_position)).where(
            invitations.c.event_id == event_id
        )
        return int((await self.session.execute(query)).scalar_one() or 0) + 1

    async def waitlist_head(self, event_id: UUID, count: int) -> list[Invitation]:
        query = (
            select(invitations)
            .where(invitations.c.event_id == event_id, invitations.c.seat == "waitlisted")
            .order_by(invitations.c.waitlist_position)
            .limit(count)
        )
        return [invitation_from_row(r) for r in (await self.session.execute(query)).all()]

    async def events_with_lapsed_offers(self, now: datetime) -> list[UUID]:
        query = (
            select(invitations.c.event_id)
            .where(invitations.c.seat == "offered", invitations.c.offer_expires_at <= now)
            .distinct()
        )
        return list((await self.session.execute(query)).scalars())

    async def lapsed_offers(self, event_id: UUID, now: datetime) -> list[Invitation]:
        query = (
            select(invitations)
            .where(
                invitations.c.event_id == event_id,
                invitations.c.seat == "offered",
                invitations.c.offer_expires_at <= now,
            )
            .order_by(invitations.c.offer_expires_at)
        )
        return [invitation_from_row(r) for r in (await self.session.execute(query)).all()]

    async def reminder_targets(
        self, event_id: UUID, *, after: UUID | None, limit: int
    ) -> list[Invitation]:
        """Active invitations that answered ``accepted`` with a seat, or have not answered."""
        query = (
            select(invitations)
            .where(
                invitations.c.event_id == event_id,
                invitations.c.revoked_at.is_(None),
                invitations.c.erased.is_(False),
                (
                    and_(invitations.c.response == "accepted", invitations.c.seat == "confirmed")
                    | (invitations.c.response == "pending")
                ),
            )
            .order_by(invitations.c.id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(invitations.c.id > after)
        return [invitation_from_row(r) for r in (await self.session.execute(query)).all()]


class ReminderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_many(self, items: Sequence[DueReminder]) -> None:
        if items:
            await self.session.execute(
                due_reminders.insert(),
                [
                    {
                        "id": r.id,
                        "event_id": r.event_id,
                        "sequence": r.sequence,
                        "offset_minutes": r.offset_minutes,
                        "audiences": list(r.audiences),
                        "due_at": r.due_at,
                        "status": r.status,
                    }
                    for r in items
                ],
            )

    async def close_pending(self, event_id: UUID, status: str) -> None:
        await self.session.execute(
            update(due_reminders)
            .where(due_reminders.c.event_id == event_id, due_reminders.c.status == "pending")
            .values(status=status)
        )

    async def next_due(self, now: datetime, *, skip_locked: bool) -> DueReminder | None:
        """The oldest due reminder, locked for this transaction; replicas skip it."""
        query = (
            select(due_reminders)
            .where(due_reminders.c.status == "pending", due_reminders.c.due_at <= now)
            .order_by(due_reminders.c.due_at)
            .limit(1)
        )
        if skip_locked:
            query = query.with_for_update(skip_locked=True)
        row = (await self.session.execute(query)).first()
        if row is None:
            return None
        return DueReminder(
            id=row.id,
            event_id=row.event_id,
            sequence=row.sequence,
            offset_minutes=row.offset_minutes,
            audiences=tuple(row.audiences),
            due_at=as_utc(row.due_at),
            status=row.status,
        )

    async def finish(
        self, reminder_id: UUID, status: str, now: datetime, recipients: int | None
    ) -> None:
        await self.session.execute(
            update(due_reminders)
            .where(due_reminders.c.id == reminder_id)
            .values(status=status, processed_at=now, recipients=recipients)
        )

    async def for_event(self, event_id: UUID) -> list[Row[Any]]:
        query = (
            select(due_reminders)
            .where(due_reminders.c.event_id == event_id)
            .order_by(due_reminders.c.sequence, due_reminders.c.due_at)
        )
        return list((await self.session.execute(query)).all())


async def contact_of(session: AsyncSession, person_id: UUID | None) -> tuple[str, str | None]:
    """The projected name and e-mail of a person (empty once erased or not yet known)."""
    if person_id is None:
        return "", None
    row = (
        await session.execute(select(people.c.name, people.c.email).where(people.c.id == person_id))
    ).first()
    return (row.name, row.email) if row else ("", None)
