"""Operators' API: events, their lifecycle and their invitations (bearer token required)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from sinergi_events.adapters.repository import (
    EventRepository,
    InvitationRepository,
    ReminderRepository,
)
from sinergi_events.domain.calendar import event_calendar
from sinergi_events.domain.errors import DomainError
from sinergi_events.domain.events import Event
from sinergi_events.entrypoints.deps import Context
from sinergi_events.entrypoints.errors import DomainRoute
from sinergi_events.entrypoints.schemas import (
    EventOut,
    EventPage,
    InvitationOut,
    InvitationPage,
    SegmentInvitationsOut,
)
from sinergi_events.service_layer import invitations, lifecycle
from sinergi_events.service_layer.commands import (
    Cancel,
    CreateEvent,
    EditEvent,
    InvitePerson,
    InviteSegment,
    Reschedule,
)
from sinergi_kit.auth import Reader, Writer
from sinergi_kit.clock import as_utc
from sinergi_kit.contracts.events import SeatStatus
from sinergi_kit.http.problems import PROBLEM_RESPONSES

router = APIRouter(
    prefix="/events", tags=["events"], responses=PROBLEM_RESPONSES, route_class=DomainRoute
)
ICS = "text/calendar; charset=utf-8"


async def _event(ctx: Context, event_id: UUID) -> Event:
    async with ctx.db.read() as session:
        event = await EventRepository(session).get(event_id)
    if event is None:
        raise DomainError("event_not_found")
    return event


@router.post("", status_code=201, response_model=EventOut, summary="Create an event (draft)")
async def create_event(
    command: CreateEvent, ctx: Context, response: Response, _: Writer
) -> EventOut:
    event = await lifecycle.create_event(ctx, command)
    response.headers["Location"] = f"/events/{event.id}"
    return EventOut.of(event)


@router.get("", response_model=EventPage, summary="List events (cursor pagination)")
async def list_events(
    ctx: Context,
    _: Reader,
    cursor: Annotated[UUID | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> EventPage:
    async with ctx.db.read() as session:
        found = await EventRepository(session).page(limit=limit + 1, after=cursor)
    items = found[:limit]
    return EventPage(
        items=[EventOut.of(e) for e in items],
        next_cursor=str(items[-1].id) if len(found) > limit and items else None,
    )


@router.get("/{event_id}", response_model=EventOut, summary="Get one event")
async def get_event(event_id: UUID, ctx: Context, _: Reader) -> EventOut:
    return EventOut.of(await _event(ctx, event_id))


@router.patch("/{event_id}", response_model=EventOut, summary="Edit details (not the time)")
async def edit_event(event_id: UUID, command: EditEvent, ctx: Context, _: Writer) -> EventOut:
    return EventOut.of(await lifecycle.edit_event(ctx, event_id, command))


@router.post("/{event_id}/reschedule", response_model=EventOut, summary="Move the event")
async def reschedule(event_id: UUID, command: Reschedule, ctx: Context, _: Writer) -> EventOut:
    return EventOut.of(await lifecycle.reschedule(ctx, event_id, command))


@router.post("/{event_id}/cancel", response_model=EventOut, summary="Cancel before the start")
async def cancel(event_id: UUID, command: Cancel, ctx: Context, _: Writer) -> EventOut:
    return EventOut.of(await lifecycle.cancel(ctx, event_id, command))


def _status_route(action: str, summary: str) -> None:
    async def change_status(event_id: UUID, ctx: Context, _: Writer) -> EventOut:
        return EventOut.of(await lifecycle.transition(ctx, event_id, action))

    router.add_api_route(
        f"/{{event_id}}/{action.replace('_', '-')}",
        change_status,
        methods=["POST"],
        response_model=EventOut,
        summary=summary,
        name=action,
    )


for _action, _summary in (
    ("publish", "Publish a draft (reminders are planned)"),
    ("close_registration", "Close registration"),
    ("reopen_registration", "Reopen registration"),
    ("start", "Mark the event in progress"),
    ("complete", "Complete the event (the funnel is final)"),
):
    _status_route(_action, _summary)


@router.get(
    "/{event_id}/calendar.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
    summary="The event as an iCalendar file",
)
async def event_ics(event_id: UUID, ctx: Context, _: Reader) -> Response:
    event = await _event(ctx, event_id)
    ics = event_calendar(event.snapshot(), ctx.clock(), ctx.event_url(event))
    return Response(ics, media_type=ICS)


@router.post(
    "/{event_id}/invitations",
    status_code=201,
    response_model=InvitationOut,
    summary="Invite one person",
)
async def invite_person(
    event_id: UUID, command: InvitePerson, ctx: Context, _: Writer
) -> InvitationOut:
    invitation = await invitations.invite_person(ctx, event_id, command)
    return InvitationOut.of(invitation, ctx.rsvp_path(invitation))


@router.post(
    "/{event_id}/invitations/segment",
    status_code=201,
    response_model=SegmentInvitationsOut,
    summary="Invite a segment's members as of now",
)
async def invite_segment(
    event_id: UUID, command: InviteSegment, ctx: Context, _: Writer
) -> SegmentInvitationsOut:
    result = await invitations.invite_segment(ctx, event_id, command)
    return SegmentInvitationsOut(
        segment_id=result.segment_id,
        members=result.members,
        invited=result.invited,
        already_invited=result.already_invited,
    )


@router.get("/{event_id}/invitations", response_model=InvitationPage, summary="Invitations")
async def list_invitations(
    event_id: UUID,
    ctx: Context,
    _: Reader,
    seat: Annotated[list[SeatStatus] | None, Query()] = None,
    cursor: Annotated[UUID | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> InvitationPage:
    await _event(ctx, event_id)
    async with ctx.db.read() as session:
        found = await InvitationRepository(session).page(
            event_id, seats=seat or (), limit=limit + 1, after=cursor
        )
    items = found[:limit]
    return InvitationPage(
        items=[InvitationOut.of(i, ctx.rsvp_path(i)) for i in items],
        next_cursor=str(items[-1].id) if len(found) > limit and items else None,
    )


@router.post(
    "/{event_id}/invitations/{invitation_id}/revoke",
    response_model=InvitationOut,
    summary="Withdraw an invitation (its seat passes on)",
)
async def revoke_invitation(
    event_id: UUID, invitation_id: UUID, ctx: Context, _: Writer
) -> InvitationOut:
    invitation = await invitations.revoke_invitation(ctx, event_id, invitation_id)
    return InvitationOut.of(invitation, None)


@router.post(
    "/{event_id}/invitations/{invitation_id}/pass/{change}",
    response_model=InvitationOut,
    summary="Rotate (new pass, old ones void) or revoke an invitee's pass",
)
async def change_pass(
    event_id: UUID,
    invitation_id: UUID,
    change: Literal["rotate", "revoke"],
    ctx: Context,
    _: Writer,
) -> InvitationOut:
    invitation = await invitations.change_pass(
        ctx, event_id, invitation_id, revoke=change == "revoke"
    )
    return InvitationOut.of(invitation, ctx.rsvp_path(invitation))


class ReminderStatusOut(BaseModel):
    id: UUID
    sequence: int
    offset_minutes: int
    audiences: list[str]
    due_at: datetime
    status: str
    processed_at: datetime | None
    recipients: int | None


@router.get(
    "/{event_id}/reminders",
    response_model=list[ReminderStatusOut],
    summary="Due reminders and what became of them",
)
async def list_reminders(event_id: UUID, ctx: Context, _: Reader) -> list[ReminderStatusOut]:
    await _event(ctx, event_id)
    async with ctx.db.read() as session:
        rows = await ReminderRepository(session).for_event(event_id)
    return [
        ReminderStatusOut(
            id=row.id,
            sequence=row.sequence,
            offset_minutes=row.offset_minutes,
            audiences=list(row.audiences),
            due_at=as_utc(row.due_at),
            status=row.status,
            processed_at=as_utc(row.processed_at) if row.processed_at else None,
            recipients=row.recipients,
        )
        for row in rows
    ]
