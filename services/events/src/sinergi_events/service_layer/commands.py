"""The inputs of the use cases (also the HTTP request bodies)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from sinergi_kit.contracts.events import (
    EventKind,
    InvitationRole,
    LocalizedText,
    ReminderAudience,
    Venue,
)

_STRICT = ConfigDict(extra="forbid")


class AgendaItemIn(BaseModel):
    model_config = _STRICT

    starts_at: AwareDatetime
    ends_at: AwareDatetime
    title: LocalizedText
    speakers: list[str] = Field(default_factory=list, max_length=50)


class ReminderIn(BaseModel):
    model_config = _STRICT

    offset_minutes: int = Field(ge=1, le=60 * 24 * 60, examples=[4320, 1440, 120])
    audiences: list[ReminderAudience] = Field(min_length=1, max_length=2)


class CreateEvent(BaseModel):
    model_config = _STRICT

    kind: EventKind = "kopilaborasi"
    title: LocalizedText
    theme: LocalizedText
    description: str = Field(default="", max_length=10_000)
    venue: Venue
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    capacity: int | None = Field(default=None, ge=0, le=1_000_000)
    rsvp_deadline: AwareDatetime | None = None
    organisers: list[str] = Field(default_factory=list, max_length=50)
    organizer_email: str = Field(default="", max_length=254)
    agenda: list[AgendaItemIn] = Field(default_factory=list, max_length=200)
    guests_of_honour: list[str] = Field(default_factory=list, max_length=200)
    reminders: list[ReminderIn] | None = Field(
        default=None, max_length=10, description="Default: 3 days, 1 day and 2 hours before"
    )
    seatless_roles: list[InvitationRole] | None = Field(
        default=None, description="Roles that need no seat; default: speaker, guest, organiser"
    )
    offer_ttl_hours: float = Field(default=24.0, gt=0, le=24 * 30)
    checkin_opens_before_minutes: int = Field(default=120, ge=0, le=24 * 60)


class EditEvent(BaseModel):
    """Details that do not move the event; a field left out stays as it is."""

    model_config = _STRICT

    title: LocalizedText | None = None
    theme: LocalizedText | None = None
    description: str | None = Field(default=None, max_length=10_000)
    capacity: int | None = Field(default=None, ge=0, le=1_000_000)
    unlimited_capacity: bool = False
    rsvp_deadline: AwareDatetime | None = None
    organisers: list[str] | None = Field(default=None, max_length=50)
    agenda: list[AgendaItemIn] | None = Field(default=None, max_length=200)
    guests_of_honour: list[str] | None = Field(default=None, max_length=200)
    reminders: list[ReminderIn] | None = Field(default=None, max_length=10)
    offer_ttl_hours: float | None = Field(default=None, gt=0, le=24 * 30)


class Reschedule(BaseModel):
    model_config = _STRICT

    starts_at: AwareDatetime
    ends_at: AwareDatetime
    venue: Venue | None = None
    rsvp_deadline: AwareDatetime | None = Field(
        default=None, description="Default: moves with the start"
    )


class Cancel(BaseModel):
    model_config = _STRICT

    reason: LocalizedText | None = None


class InvitePerson(BaseModel):
    model_config = _STRICT

    person_id: UUID
    role: InvitationRole = "participant"


class InviteSegment(BaseModel):
    model_config = _STRICT

    segment_id: UUID
    role: InvitationRole = "participant"


class Answer(BaseModel):
    model_config = _STRICT

    response: Literal["accepted", "declined", "tentative"]


class Scan(BaseModel):
    model_config = _STRICT

    nonce: str = Field(min_length=8, max_length=100, description="Unique per scan, from the device")
    code: str = Field(max_length=300, description="The pass read from the QR code")
    direction: Literal["entry", "exit"] = "entry"
    device: str = Field(default="", max_length=100)


class OfflineScan(Scan):
    scanned_at: AwareDatetime


class OfflineUpload(BaseModel):
    model_config = _STRICT

    scans: list[OfflineScan] = Field(min_length=1, max_length=5_000)


class WalkIn(BaseModel):
    model_config = _STRICT

    name: str = Field(min_length=1, max_length=200)
    organization: str = Field(default="", max_length=200)
    person_id: UUID | None = None
