"""Reminders relative to the start. Pure, no I/O.

Each rule of an event becomes one due reminder per calendar sequence, so moving the event
re-plans every reminder for the new time: one whose new due time is still ahead fires again
(even if it fired for the old time), one whose due time has passed is skipped. A reminder
never goes out at or after the start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

from sinergi_events.domain.events import Event
from sinergi_events.domain.invitations import Invitation
from sinergi_kit.contracts.events import ReminderAudience
from sinergi_kit.ids import new_id

ReminderStatus = Literal["pending", "sent", "skipped", "superseded", "cancelled"]


@dataclass(frozen=True)
class DueReminder:
    id: UUID
    event_id: UUID
    sequence: int
    offset_minutes: int
    audiences: tuple[ReminderAudience, ...]
    due_at: datetime
    status: ReminderStatus


def plan(event: Event, now: datetime) -> list[DueReminder]:
    """The reminders of a published event at its current sequence."""
    planned = []
    for rule in event.reminders:
        due_at = event.starts_at - timedelta(minutes=rule.offset_minutes)
        planned.append(
            DueReminder(
                id=new_id(),
                event_id=event.id,
                sequence=event.sequence,
                offset_minutes=rule.offset_minutes,
                audiences=rule.audiences,
                due_at=due_at,
                status="pending" if due_at > now else "skipped",
            )
        )
    return planned


def audience_of(invitation: Invitation) -> ReminderAudience | None:
    """Who a reminder speaks to: those who accepted (with a seat) are reminded, those who
    have not answered are nudged; the others get nothing."""
    if not invitation.active:
        return None
    if invitation.response == "accepted" and invitation.has_seat:
        return "accepted"
    if invitation.response == "pending":
        return "unanswered"
    return None


def still_due(reminder: DueReminder, event: Event, now: datetime) -> bool:
    """False when the reminder must be skipped instead of sent."""
    return (
        event.status in ("published", "registration_closed")
        and reminder.sequence == event.sequence
        and now < event.starts_at
    )
