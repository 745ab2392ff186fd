"""Events (meetups): details, the status machine, reschedule and cancel. Pure, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID

from sinergi_events.domain.errors import DomainError
from sinergi_kit.contracts.events import (
    EventKind,
    EventSnapshot,
    EventStatus,
    InvitationRole,
    LocalizedText,
    ReminderAudience,
    Venue,
)


def checkin_window(
    starts_at: datetime, ends_at: datetime, opens_before: timedelta
) -> tuple[datetime, datetime]:
    """When the door takes scans: from ``opens_before`` ahead of the start until the end."""
    return starts_at - opens_before, ends_at


TRANSITIONS: dict[str, tuple[frozenset[EventStatus], EventStatus]] = {
    "publish": (frozenset({"draft"}), "published"),
    "close_registration": (frozenset({"published"}), "registration_closed"),
    "reopen_registration": (frozenset({"registration_closed"}), "published"),
    "start": (frozenset({"published", "registration_closed"}), "in_progress"),
    "complete": (frozenset({"in_progress"}), "completed"),
}
CHANGEABLE: frozenset[EventStatus] = frozenset({"draft", "published", "registration_closed"})
"""Statuses in which an event can still be edited, moved or cancelled (before its start)."""


@dataclass(frozen=True)
class AgendaItem:
    starts_at: datetime
    ends_at: datetime
    title: LocalizedText
    speakers: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReminderRule:
    offset_minutes: int
    audiences: tuple[ReminderAudience, ...]


DEFAULT_REMINDERS: tuple[ReminderRule, ...] = (
    ReminderRule(3 * 24 * 60, ("unanswered", "accepted")),
    ReminderRule(24 * 60, ("unanswered", "accepted")),
    ReminderRule(2 * 60, ("accepted",)),
)
DEFAULT_SEATLESS_ROLES: tuple[InvitationRole, ...] = ("speaker", "guest_of_honour", "organiser")


@dataclass(frozen=True)
class Event:
    id: UUID
    kind: EventKind
    title: LocalizedText
    theme: LocalizedText
    venue: Venue
    starts_at: datetime
    ends_at: datetime
    created_at: datetime
    description: str = ""
    capacity: int | None = None
    rsvp_deadline: datetime | None = None
    organisers: tuple[str, ...] = ()
    organizer_email: str = ""
    agenda: tuple[AgendaItem, ...] = ()
    guests_of_honour: tuple[str, ...] = ()
    reminders: tuple[ReminderRule, ...] = DEFAULT_REMINDERS
    seatless_roles: tuple[InvitationRole, ...] = DEFAULT_SEATLESS_ROLES
    offer_ttl: timedelta = timedelta(hours=24)
    checkin_opens_before: timedelta = timedelta(hours=2)
    status: EventStatus = "draft"
    version: int = 1
    sequence: int = 0
    cancel_reason: LocalizedText | None = None

    def __post_init__(self) -> None:
        validate_times(self.starts_at, self.ends_at, self.rsvp_deadline)
        if self.capacity is not None and self.capacity < 0:
            raise DomainError("invalid_capacity")
        for item in self.agenda:
            if item.ends_at < item.starts_at:
                raise DomainError("invalid_agenda_item")
            if item.starts_at < self.starts_at or item.ends_at > self.ends_at:
                raise DomainError("agenda_outside_event")
        offsets = [rule.offset_minutes for rule in self.reminders]
        if any(o <= 0 for o in offsets) or len(set(offsets)) != len(offsets):
            raise DomainError("invalid_reminders")

    @property
    def calendar_uid(self) -> str:
        return f"{self.id}@events.sinergi.jombangkab.go.id"

    def rsvp_closes_at(self) -> datetime:
        return self.rsvp_deadline or self.starts_at

    def takes_seat(self, role: InvitationRole) -> bool:
        return role not in self.seatless_roles

    def accepts_responses(self, now: datetime) -> bool:
        return self.status == "published" and now < self.rsvp_closes_at()

    def checkin_window(self) -> tuple[datetime, datetime]:
        return checkin_window(self.starts_at, self.ends_at, self.checkin_opens_before)

    def transition(self, action: str, now: datetime) -> Event:
        allowed, target = TRANSITIONS[action]
        if self.status not in allowed:
            raise DomainError("illegal_transition", action=action, status=self.status)
        if action == "publish" and now >= self.starts_at:
            raise DomainError("event_in_past")
        if action == "start" and now < self.checkin_window()[0]:
            # An early start by mistake would close answers and stop the reminders.
            raise DomainError("too_early_to_start")
        return replace(self, status=target, version=self.version + 1)

    def _require_changeable(self, now: datetime) -> None:
        if self.status not in CHANGEABLE or now >= self.starts_at:
            raise DomainError("event_not_changeable", status=self.status)

    def edit(self, now: datetime, **changes: object) -> Event:
        """Details that do not move the event (time and venue move through reschedule)."""
        self._require_changeable(now)
        return replace(self, **changes, version=self.version + 1)  # type: ignore[arg-type]

    def reschedule(
        self,
        now: datetime,
        starts_at: datetime,
        ends_at: datetime,
        venue: Venue | None = None,
        rsvp_deadline: datetime | None = None,
    ) -> Event:
        """Move the event; an RSVP deadline not given moves with the start."""
        self._require_changeable(now)
        if starts_at <= now:
            raise DomainError("event_in_past")
        shift = starts_at - self.starts_at
        if rsvp_deadline is None and self.rsvp_deadline is not None:
            rsvp_deadline = self.rsvp_deadline + shift
        return replace(
            self,
            starts_at=starts_at,
            ends_at=ends_at,
            venue=venue or self.venue,
            rsvp_deadline=rsvp_deadline,
            agenda=tuple(
                replace(i, starts_at=i.starts_at + shift, ends_at=i.ends_at + shift)
                for i in self.agenda
            ),
            version=self.version + 1,
            sequence=self.sequence + 1,
        )

    def cancel(self, now: datetime, reason: LocalizedText | None) -> Event:
        self._require_changeable(now)
        return replace(
            self,
            status="cancelled",
            cancel_reason=reason,
            version=self.version + 1,
            sequence=self.sequence + 1,
        )

    def snapshot(self) -> EventSnapshot:
        return EventSnapshot(
            id=self.id,
            version=self.version,
            sequence=self.sequence,
            calendar_uid=self.calendar_uid,
            kind=self.kind,
            status=self.status,
            title=self.title,
            theme=self.theme,
            description=self.description,
            venue=self.venue,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            capacity=self.capacity,
            rsvp_deadline=self.rsvp_deadline,
            organizer_name=", ".join(self.organisers),
            organizer_email=self.organizer_email,
        )


def validate_times(starts_at: datetime, ends_at: datetime, rsvp_deadline: datetime | None) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise DomainError("naive_time")
    if ends_at <= starts_at:
        raise DomainError("ends_before_start")
    if rsvp_deadline is not None and rsvp_deadline > starts_at:
        raise DomainError("deadline_after_start")
