"""Events the events service publishes.

Each carries what notify needs to write to a person without calling back: the event's
calendar snapshot (titles in Indonesian and English, venue, start and end in UTC, the
calendar UID and SEQUENCE) and, for messages to one invitee, the invitation (person id, role,
RSVP state and the path of the RSVP link). Event-wide messages carry a ready ``.ics``;
per-invitee calendar files are built from ``event`` and ``invitation`` (attendee = the person,
PARTSTAT from ``invitation.response``), or fetched from the RSVP link's ``/invitation.ics``.
Times are UTC; people see them in ``event.timezone``.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from sinergi_kit.contracts.base import EventContract

EventKind = Literal["kopilaborasi", "workshop", "literacy_session", "dialogue", "training", "other"]
EventStatus = Literal[
    "draft", "published", "registration_closed", "in_progress", "completed", "cancelled"
]
InvitationRole = Literal["participant", "speaker", "guest_of_honour", "organiser"]
RsvpResponse = Literal["pending", "accepted", "declined", "tentative"]
SeatStatus = Literal["none", "confirmed", "waitlisted", "offered"]
"""``confirmed``: holds a seat (or needs none); ``waitlisted``: accepted while full, in line;
``offered``: a freed seat is held for this person until the offer expires."""
ReminderAudience = Literal["accepted", "unanswered"]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalizedText(_Frozen):
    id: str = Field(description="Indonesian (the default language)")
    en: str = Field(description="English")


class Venue(_Frozen):
    name: str
    address: str = ""
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class EventSnapshot(_Frozen):
    """An event as the events service knows it at ``version``."""

    id: UUID
    version: int = Field(ge=1, description="Increases with every change of the event.")
    sequence: int = Field(
        ge=0, description="The calendar SEQUENCE: bumped when the time or venue changes."
    )
    calendar_uid: str = Field(description="The calendar UID shared by every .ics of the event")
    kind: EventKind
    status: EventStatus
    title: LocalizedText
    theme: LocalizedText
    description: str = ""
    venue: Venue
    starts_at: datetime = Field(description="UTC")
    ends_at: datetime = Field(description="UTC")
    timezone: str = "Asia/Jakarta"
    capacity: int | None = Field(default=None, description="Participant seats; none: unlimited")
    rsvp_deadline: datetime | None = None
    organizer_name: str = ""
    organizer_email: str = ""


class InvitationSnapshot(_Frozen):
    """One person's invitation to one event."""

    id: UUID
    version: int = Field(ge=1)
    event_id: UUID
    person_id: UUID
    role: InvitationRole
    segment_id: UUID | None = Field(default=None, description="The segment it was sent through")
    response: RsvpResponse
    seat: SeatStatus
    rsvp_path: str = Field(
        description="Path of the personal RSVP link (no login), to join to the events "
        "service's public base URL; its /invitation.ics is the personal calendar file"
    )
    revoked: bool = False


class AttendanceCounts(_Frozen):
    invited: int = 0
    responded: int = 0
    accepted: int = 0
    checked_in: int = 0
    no_show: int = 0
    walk_ins: int = 0


class EventPublishedV1(EventContract):
    event_type: ClassVar[str] = "sinergi.events.event.published.v1"
    summary: ClassVar[str] = "An event was published; invitations may follow."

    event: EventSnapshot
    ics: str = Field(description="METHOD:PUBLISH calendar of the event")

    def subject_id(self) -> str:
        return str(self.event.id)


class EventRescheduledV1(EventContract):
    event_type: ClassVar[str] = "sinergi.events.event.rescheduled.v1"
    summary: ClassVar[str] = (
        "An event moved (time or venue); the SEQUENCE is bumped and every invitee is to be told."
    )

    event: EventSnapshot
    previous_starts_at: datetime
    previous_ends_at: datetime
    previous_venue: Venue
    ics: str = Field(description="METHOD:PUBLISH calendar with the new SEQUENCE")

    def subject_id(self) -> str:
        return str(self.event.id)


class EventCancelledV1(EventContract):
    event_type: ClassVar[str] = "sinergi.events.event.cancelled.v1"
    summary: ClassVar[str] = (
        "An event was cancelled before its start; every invitee is to be told (urgent)."
    )

    event: EventSnapshot
    reason: LocalizedText | None = None
    ics: str = Field(description="METHOD:CANCEL calendar with the new SEQUENCE")

    def subject_id(self) -> str:
        return str(self.event.id)


class EventCompletedV1(EventContract):
    event_type: ClassVar[str] = "sinergi.events.event.completed.v1"
    summary: ClassVar[str] = (
        "An event ended, with its attendance funnel at that moment (scans a door device took "
        "offline and uploads later still count in the reports)."
    )

    event: EventSnapshot
    attendance: AttendanceCounts

    def subject_id(self) -> str:
        return str(self.event.id)


class InvitationIssuedV1(EventContract):
    event_type: ClassVar[str] = "sinergi.events.invitation.issued.v1"
    summary: ClassVar[str] = "A person was invited to an event; send the invitation."

    invitation: InvitationSnapshot
    event: EventSnapshot
    expires_at: datetime = Field(description="Do not deliver after this (the event's start)")

    def subject_id(self) -> str:
        return str(self.invitation.id)


class InvitationRevokedV1(EventContract):
    event_type: ClassVar[str] = "sinergi.events.invitation.revoked.v1"
    summary: ClassVar[str] = "An invitation was withdrawn; its RSVP link and pass stop working."

    invitation: InvitationSnapshot
    event: EventSnapshot

    def subject_id(self) -> str:
        return str(self.invitation.id)


class RsvpRecordedV1(EventContract):
    event_type: ClassVar[str] = "sinergi.events.rsvp.recorded.v1"
    summary: ClassVar[str] = (
        "An invitee answered (or changed the answer); confirm it, with the seat status."
    )

    invitation: InvitationSnapshot
    event: EventSnapshot
    previous_response: RsvpResponse
    previous_seat: SeatStatus
    ics: str = Field(description="METHOD:REQUEST calendar for this attendee with PARTSTAT")

    def subject_id(self) -> str:
        return str(self.invitation.id)


class WaitlistOfferedV1(EventContract):
    event_type: ClassVar[str] = "sinergi.events.waitlist.offered.v1"
    summary: ClassVar[str] = (
        "A freed seat is offered to the next person on the waiting list until it expires."
    )

    invitation: InvitationSnapshot
    event: EventSnapshot
    offer_expires_at: datetime = Field(description="The offer passes on after this")

    def subject_id(self) -> str:
        return str(self.invitation.id)


class WaitlistOfferExpiredV1(EventContract):
    event_type: ClassVar[str] = "sinergi.events.waitlist.offer_expired.v1"
    summary: ClassVar[str] = (
        "A seat offer lapsed unanswered and passed to the next in line; the invitee may "
        "accept again to rejoin the waiting list."
    )

    invitation: InvitationSnapshot = Field(description="After the lapse: the seat is 'none'")
    event: EventSnapshot
    offered_at: datetime
    offer_expired_at: datetime = Field(description="When the offer ran out")
    expires_at: datetime = Field(description="Do not deliver after this (the event's start)")

    def subject_id(self) -> str:
        return str(self.invitation.id)


class AttendeeCheckedInV1(EventContract):
    event_type: ClassVar[str] = "sinergi.events.attendee.checked_in.v1"
    summary: ClassVar[str] = "Someone entered an event at the door (invitee or walk-in)."

    event_id: UUID
    attendance_id: UUID = Field(description="The invitation, or the walk-in record")
    person_id: UUID | None = Field(default=None, description="None for an anonymous walk-in")
    walk_in: bool
    scanned_at: datetime
    first_entry: bool = Field(description="False when re-entering after an exit")

    def subject_id(self) -> str:
        return str(self.attendance_id)


class ReminderDueV1(EventContract):
    event_type: ClassVar[str] = "sinergi.events.reminder.due.v1"
    summary: ClassVar[str] = (
        "A reminder for one invitee is due: nudge an unanswered invitation or remind an "
        "accepted one."
    )

    reminder_id: UUID
    offset_minutes: int = Field(ge=1, description="How long before the start it is due")
    audience: ReminderAudience
    invitation: InvitationSnapshot
    event: EventSnapshot
    expires_at: datetime = Field(description="Never deliver after this (the event's start)")

    def subject_id(self) -> str:
        return str(self.invitation.id)
