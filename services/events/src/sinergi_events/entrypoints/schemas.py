"""Response bodies of the events service's HTTP API. Times are UTC; ``*_local`` repeats them
in the event's time zone (WIB) for display."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel

from sinergi_events.domain.events import Event
from sinergi_events.domain.invitations import Invitation
from sinergi_events.domain.reports import FunnelCounts, FunnelRow, rate
from sinergi_events.service_layer.checkin import ScanOutcome
from sinergi_events.service_layer.reports import EventAttendance
from sinergi_kit.clock import WIB, UtcDateTime
from sinergi_kit.contracts.events import (
    EventKind,
    EventStatus,
    InvitationRole,
    LocalizedText,
    ReminderAudience,
    RsvpResponse,
    SeatStatus,
    Venue,
)


def local(value: datetime) -> str:
    return value.astimezone(WIB).isoformat()


class AgendaItemOut(BaseModel):
    starts_at: UtcDateTime
    ends_at: UtcDateTime
    starts_at_local: str
    title: LocalizedText
    speakers: list[str]


class ReminderOut(BaseModel):
    offset_minutes: int
    audiences: list[ReminderAudience]


class EventOut(BaseModel):
    id: UUID
    version: int
    sequence: int
    status: EventStatus
    kind: EventKind
    title: LocalizedText
    theme: LocalizedText
    description: str
    venue: Venue
    starts_at: UtcDateTime
    ends_at: UtcDateTime
    starts_at_local: str
    ends_at_local: str
    timezone: str = "Asia/Jakarta"
    capacity: int | None
    rsvp_deadline: UtcDateTime | None
    organisers: list[str]
    organizer_email: str
    agenda: list[AgendaItemOut]
    guests_of_honour: list[str]
    reminders: list[ReminderOut]
    seatless_roles: list[InvitationRole]
    offer_ttl_hours: float
    checkin_opens_before_minutes: int
    cancel_reason: LocalizedText | None

    @classmethod
    def of(cls, event: Event) -> EventOut:
        return cls(
            id=event.id,
            version=event.version,
            sequence=event.sequence,
            status=event.status,
            kind=event.kind,
            title=event.title,
            theme=event.theme,
            description=event.description,
            venue=event.venue,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            starts_at_local=local(event.starts_at),
            ends_at_local=local(event.ends_at),
            capacity=event.capacity,
            rsvp_deadline=event.rsvp_deadline,
            organisers=list(event.organisers),
            organizer_email=event.organizer_email,
            agenda=[
                AgendaItemOut(
                    starts_at=i.starts_at,
                    ends_at=i.ends_at,
                    starts_at_local=local(i.starts_at),
                    title=i.title,
                    speakers=list(i.speakers),
                )
                for i in event.agenda
            ],
            guests_of_honour=list(event.guests_of_honour),
            reminders=[
                ReminderOut(offset_minutes=r.offset_minutes, audiences=list(r.audiences))
                for r in event.reminders
            ],
            seatless_roles=list(event.seatless_roles),
            offer_ttl_hours=event.offer_ttl.total_seconds() / 3600,
            checkin_opens_before_minutes=int(event.checkin_opens_before.total_seconds() // 60),
            cancel_reason=event.cancel_reason,
        )


class EventPage(BaseModel):
    items: list[EventOut]
    next_cursor: str | None


class InvitationOut(BaseModel):
    id: UUID
    event_id: UUID
    person_id: UUID | None
    role: InvitationRole
    segment_id: UUID | None
    response: RsvpResponse
    seat: SeatStatus
    waitlist_position: int | None
    offer_expires_at: UtcDateTime | None
    revoked_at: UtcDateTime | None
    erased: bool
    pass_version: int
    pass_revoked: bool
    inside: bool
    first_entry_at: UtcDateTime | None
    rsvp_path: str | None

    @classmethod
    def of(cls, invitation: Invitation, rsvp_path: str | None) -> InvitationOut:
        return cls(
            id=invitation.id,
            event_id=invitation.event_id,
            person_id=invitation.person_id,
            role=invitation.role,
            segment_id=invitation.segment_id,
            response=invitation.response,
            seat=invitation.seat,
            waitlist_position=invitation.waitlist_position,
            offer_expires_at=invitation.offer_expires_at,
            revoked_at=invitation.revoked_at,
            erased=invitation.erased,
            pass_version=invitation.pass_version,
            pass_revoked=invitation.pass_revoked,
            inside=invitation.inside,
            first_entry_at=invitation.first_entry_at,
            rsvp_path=rsvp_path if invitation.active else None,
        )


class InvitationPage(BaseModel):
    items: list[InvitationOut]
    next_cursor: str | None


class SegmentInvitationsOut(BaseModel):
    segment_id: UUID
    members: int
    invited: int
    already_invited: int


class PublicEvent(BaseModel):
    """What an invitee sees of the event."""

    title: LocalizedText
    theme: LocalizedText
    description: str
    kind: EventKind
    status: EventStatus
    venue: Venue
    starts_at: UtcDateTime
    ends_at: UtcDateTime
    starts_at_local: str
    ends_at_local: str
    rsvp_deadline: UtcDateTime | None
    agenda: list[AgendaItemOut]
    guests_of_honour: list[str]


class RsvpView(BaseModel):
    event: PublicEvent
    role: InvitationRole
    response: RsvpResponse
    seat: SeatStatus
    waitlist_position: int | None
    offer_expires_at: UtcDateTime | None
    answers_until: UtcDateTime
    message: str
    calendar_path: str
    pass_path: str | None

    @classmethod
    def of(cls, event: Event, invitation: Invitation, token: str, message: str) -> RsvpView:
        full = EventOut.of(event)
        return cls(
            event=PublicEvent.model_validate(full.model_dump()),
            role=invitation.role,
            response=invitation.response,
            seat=invitation.seat,
            waitlist_position=invitation.waitlist_position,
            offer_expires_at=invitation.offer_expires_at,
            answers_until=invitation.offer_expires_at or event.rsvp_closes_at(),
            message=message,
            calendar_path=f"/rsvp/{token}/invitation.ics",
            pass_path=f"/rsvp/{token}/pass"
            if invitation.response == "accepted" and invitation.has_seat
            else None,
        )


class PassOut(BaseModel):
    code: str
    invitation_id: UUID
    event_id: UUID
    qr_svg_path: str


class ScanOut(BaseModel):
    nonce: str
    accepted: bool
    reason: str | None
    message: str
    direction: str
    invitation_id: UUID | None
    person_id: UUID | None
    scanned_at: UtcDateTime
    replayed: bool

    @classmethod
    def of(cls, outcome: ScanOutcome, message: str) -> ScanOut:
        return cls(
            nonce=outcome.nonce,
            accepted=outcome.accepted,
            reason=outcome.reason,
            message=message,
            direction=outcome.direction,
            invitation_id=outcome.invitation_id,
            person_id=outcome.person_id,
            scanned_at=outcome.scanned_at,
            replayed=outcome.replayed,
        )


class WalkInOut(BaseModel):
    id: UUID


class FunnelOut(BaseModel):
    segment_id: UUID | None
    segment_name: str
    invited: int
    responded: int
    accepted: int
    declined: int
    tentative: int
    waitlisted: int
    checked_in: int
    no_show: int
    response_rate: float
    acceptance_rate: float
    attendance_rate: float

    @classmethod
    def of(cls, row: FunnelRow) -> FunnelOut:
        c: FunnelCounts = row.counts
        return cls(
            segment_id=row.segment_id,
            segment_name=row.segment_name,
            invited=c.invited,
            responded=c.responded,
            accepted=c.accepted,
            declined=c.declined,
            tentative=c.tentative,
            waitlisted=c.waitlisted,
            checked_in=c.checked_in,
            no_show=c.no_show,
            response_rate=rate(c.responded, c.invited),
            acceptance_rate=rate(c.accepted, c.invited),
            attendance_rate=rate(c.checked_in, c.accepted),
        )


class AttendanceOut(BaseModel):
    event_id: UUID
    title: LocalizedText
    status: EventStatus
    starts_at: UtcDateTime
    capacity: int | None
    walk_ins: int
    total: FunnelOut
    segments: list[FunnelOut]

    @classmethod
    def of(cls, report: EventAttendance) -> AttendanceOut:
        event = report.event
        total, *segments = report.rows()
        return cls(
            event_id=event.id,
            title=event.title,
            status=event.status,
            starts_at=event.starts_at,
            capacity=event.capacity,
            walk_ins=report.walk_ins,
            total=FunnelOut.of(total),
            segments=[FunnelOut.of(row) for row in segments],
        )
