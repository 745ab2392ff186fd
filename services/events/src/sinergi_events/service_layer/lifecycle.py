"""Event use cases: create, edit, the status transitions, reschedule and cancel. Each is one
unit of work: the state change and its events commit together."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import delete

from sinergi_events.adapters.repository import (
    EventRepository,
    InvitationRepository,
    ReminderRepository,
)
from sinergi_events.adapters.tables import due_reminders
from sinergi_events.domain import reminders
from sinergi_events.domain.calendar import event_calendar
from sinergi_events.domain.errors import DomainError
from sinergi_events.domain.events import (
    DEFAULT_REMINDERS,
    DEFAULT_SEATLESS_ROLES,
    AgendaItem,
    Event,
    ReminderRule,
)
from sinergi_events.domain.invitations import (
    follow_reschedule,
    release_for_cancel,
    require_room_for_held,
)
from sinergi_events.service_layer.commands import (
    AgendaItemIn,
    Cancel,
    CreateEvent,
    EditEvent,
    ReminderIn,
    Reschedule,
)
from sinergi_events.service_layer.context import EventsContext
from sinergi_events.service_layer.reports import event_attendance
from sinergi_events.service_layer.seats import offer_free_seats
from sinergi_kit.contracts.events import (
    EventCancelledV1,
    EventCompletedV1,
    EventPublishedV1,
    EventRescheduledV1,
)
from sinergi_kit.ids import new_id
from sinergi_kit.uow import UnitOfWork


def _agenda(items: Sequence[AgendaItemIn]) -> tuple[AgendaItem, ...]:
    return tuple(
        AgendaItem(i.starts_at, i.ends_at, i.title, tuple(i.speakers))
        for i in sorted(items, key=lambda i: i.starts_at)
    )


def _reminders(items: Sequence[ReminderIn] | None) -> tuple[ReminderRule, ...]:
    if items is None:
        return DEFAULT_REMINDERS
    return tuple(
        ReminderRule(r.offset_minutes, tuple(dict.fromkeys(r.audiences)))
        for r in sorted(items, key=lambda r: -r.offset_minutes)
    )


async def create_event(ctx: EventsContext, command: CreateEvent) -> Event:
    now = ctx.clock()
    event = Event(
        id=new_id(),
        kind=command.kind,
        title=command.title,
        theme=command.theme,
        description=command.description,
        venue=command.venue,
        starts_at=command.starts_at,
        ends_at=command.ends_at,
        created_at=now,
        capacity=command.capacity,
        rsvp_deadline=command.rsvp_deadline,
        organisers=tuple(command.organisers),
        organizer_email=command.organizer_email,
        agenda=_agenda(command.agenda),
        guests_of_honour=tuple(command.guests_of_honour),
        reminders=_reminders(command.reminders),
        seatless_roles=tuple(command.seatless_roles)
        if command.seatless_roles is not None
        else DEFAULT_SEATLESS_ROLES,
        offer_ttl=timedelta(hours=command.offer_ttl_hours),
        checkin_opens_before=timedelta(minutes=command.checkin_opens_before_minutes),
    )
    async with ctx.uow() as uow:
        await EventRepository(uow.session).add(event, now)
    return event


async def _locked(uow: UnitOfWork, event_id: UUID) -> Event:
    event = await EventRepository(uow.session).get(event_id, lock=True)
    if event is None:
        raise DomainError("event_not_found")
    return event


async def _replan_reminders(
    uow: UnitOfWork, event: Event, now: datetime, *, keep_done: bool
) -> None:
    """Plan the reminders of the event's current sequence. With ``keep_done`` (an edit of the
    rules), reminders already sent or skipped at this sequence stay; pending ones are
    re-planned."""
    repository = ReminderRepository(uow.session)
    planned = reminders.plan(event, now)
    if keep_done:
        await uow.session.execute(
            delete(due_reminders).where(
                due_reminders.c.event_id == event.id,
                due_reminders.c.sequence == event.sequence,
                due_reminders.c.status == "pending",
            )
        )
        done = {
            row.offset_minutes
            for row in await repository.for_event(event.id)
            if row.sequence == event.sequence
        }
        planned = [r for r in planned if r.offset_minutes not in done]
    else:
        await repository.close_pending(event.id, "superseded")
    await repository.add_many(planned)


async def edit_event(ctx: EventsContext, event_id: UUID, command: EditEvent) -> Event:
    now = ctx.clock()
    changes: dict[str, object] = {
        name: getattr(command, name)
        for name in ("title", "theme", "description", "organisers", "guests_of_honour")
        if getattr(command, name) is not None
    }
    if "organisers" in changes:
        changes["organisers"] = tuple(command.organisers or ())
    if "guests_of_honour" in changes:
        changes["guests_of_honour"] = tuple(command.guests_of_honour or ())
    if command.capacity is not None or command.unlimited_capacity:
        changes["capacity"] = None if command.unlimited_capacity else command.capacity
    if command.rsvp_deadline is not None:
        changes["rsvp_deadline"] = command.rsvp_deadline
    if command.agenda is not None:
        changes["agenda"] = _agenda(command.agenda)
    if command.reminders is not None:
        changes["reminders"] = _reminders(command.reminders)
    if command.offer_ttl_hours is not None:
        changes["offer_ttl"] = timedelta(hours=command.offer_ttl_hours)
    async with ctx.uow() as uow:
        event = (await _locked(uow, event_id)).edit(now, **changes)
        if "capacity" in changes:
            held = await InvitationRepository(uow.session).seats_held(event)
            require_room_for_held(event.capacity, held)
        await EventRepository(uow.session).save(event, now)
        if event.status != "draft" and command.reminders is not None:
            await _replan_reminders(uow, event, now, keep_done=True)
        if "capacity" in changes:
            await offer_free_seats(ctx.signer, uow, event, now)
    return event


async def transition(ctx: EventsContext, event_id: UUID, action: str) -> Event:
    """publish, close_registration, reopen_registration, start or complete."""
    now = ctx.clock()
    async with ctx.uow() as uow:
        event = (await _locked(uow, event_id)).transition(action, now)
        await EventRepository(uow.session).save(event, now)
        snapshot = event.snapshot()
        if action == "publish":
            await _replan_reminders(uow, event, now, keep_done=False)
            uow.emit(
                EventPublishedV1(
                    event=snapshot, ics=event_calendar(snapshot, now, ctx.event_url(event))
                )
            )
        elif action == "reopen_registration":
            await offer_free_seats(ctx.signer, uow, event, now)
        elif action == "complete":
            report = await event_attendance(uow.session, event)
            uow.emit(EventCompletedV1(event=snapshot, attendance=report.attendance()))
    return event


async def reschedule(ctx: EventsContext, event_id: UUID, command: Reschedule) -> Event:
    now = ctx.clock()
    async with ctx.uow() as uow:
        before = await _locked(uow, event_id)
        event = before.reschedule(
            now, command.starts_at, command.ends_at, command.venue, command.rsvp_deadline
        )
        await EventRepository(uow.session).save(event, now)
        invitations = InvitationRepository(uow.session)
        for offered in await invitations.page(event.id, seats=("offered",)):
            moved = follow_reschedule(event, offered)
            if moved is not offered:
                await invitations.save(moved)
        if event.status != "draft":
            await _replan_reminders(uow, event, now, keep_done=False)
        snapshot = event.snapshot()
        uow.emit(
            EventRescheduledV1(
                event=snapshot,
                previous_starts_at=before.starts_at,
                previous_ends_at=before.ends_at,
                previous_venue=before.venue,
                ics=event_calendar(snapshot, now, ctx.event_url(event)),
            )
        )
    return event


async def cancel(ctx: EventsContext, event_id: UUID, command: Cancel) -> Event:
    now = ctx.clock()
    async with ctx.uow() as uow:
        event = (await _locked(uow, event_id)).cancel(now, command.reason)
        await EventRepository(uow.session).save(event, now)
        invitations = InvitationRepository(uow.session)
        for held in await invitations.page(event.id, seats=("offered", "waitlisted")):
            await invitations.save(release_for_cancel(held))
        await ReminderRepository(uow.session).close_pending(event.id, "cancelled")
        snapshot = event.snapshot()
        uow.emit(
            EventCancelledV1(
                event=snapshot,
                reason=command.reason,
                ics=event_calendar(snapshot, now, ctx.event_url(event)),
            )
        )
    return event
