"""Invitations, RSVP, seats and the waiting list. Pure, no I/O.

A seat is held by a participant whose acceptance is ``confirmed`` or who holds an ``offered``
seat; roles the event lists as seatless (speakers, guests of honour, organisers by default)
never hold one. When the event is full an acceptance is ``waitlisted`` with the next position;
a freed seat is offered to the first in line until the offer expires. Free seats exist only
while nobody waits: every freed seat is offered at once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from sinergi_events.domain.errors import DomainError
from sinergi_events.domain.events import CHANGEABLE, Event
from sinergi_kit.contracts.events import (
    InvitationRole,
    InvitationSnapshot,
    RsvpResponse,
    SeatStatus,
)

HOLDS_SEAT: frozenset[SeatStatus] = frozenset({"confirmed", "offered"})
OFFER_STATUSES = frozenset({"published", "registration_closed"})


@dataclass(frozen=True)
class Invitation:
    id: UUID
    event_id: UUID
    person_id: UUID | None
    role: InvitationRole
    created_at: datetime
    segment_id: UUID | None = None
    response: RsvpResponse = "pending"
    seat: SeatStatus = "none"
    responded_at: datetime | None = None
    waitlist_position: int | None = None
    offered_at: datetime | None = None
    offer_expires_at: datetime | None = None
    revoked_at: datetime | None = None
    erased: bool = False
    pass_version: int = 1
    pass_revoked: bool = False
    inside: bool = False
    first_entry_at: datetime | None = None
    version: int = 1

    @property
    def active(self) -> bool:
        return self.revoked_at is None and not self.erased

    @property
    def has_seat(self) -> bool:
        return self.seat == "confirmed"

    def snapshot(self, rsvp_path: str) -> InvitationSnapshot:
        if self.person_id is None:
            raise DomainError("invitation_erased")
        return InvitationSnapshot(
            id=self.id,
            version=self.version,
            event_id=self.event_id,
            person_id=self.person_id,
            role=self.role,
            segment_id=self.segment_id,
            response=self.response,
            seat=self.seat,
            rsvp_path=rsvp_path,
            revoked=self.revoked_at is not None,
        )

    def _bump(self, **changes: object) -> Invitation:
        return replace(self, **changes, version=self.version + 1)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Seats:
    """The seat book of one event at the moment of a decision (read under the event lock)."""

    capacity: int | None
    held: int
    next_position: int

    def has_room(self) -> bool:
        return self.capacity is None or self.held < self.capacity

    def free(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.held)


def require_room_for_held(capacity: int | None, held: int) -> None:
    """A capacity never drops below the seats already held: nobody loses a seat."""
    if capacity is not None and capacity < held:
        raise DomainError("capacity_below_seats_held", held=held)


def frees_seat(event: Event, before: Invitation, after: Invitation) -> bool:
    return (
        event.takes_seat(before.role) and before.seat in HOLDS_SEAT and after.seat not in HOLDS_SEAT
    )


def respond(
    event: Event, invitation: Invitation, response: RsvpResponse, now: datetime, seats: Seats
) -> Invitation:
    """Record an answer. Raises when the invitation or the event no longer takes answers."""
    if response == "pending":
        raise DomainError("invalid_response")
    if not invitation.active:
        raise DomainError("invitation_revoked")
    if invitation.seat == "offered" and response == "accepted":
        assert invitation.offer_expires_at is not None
        if now >= invitation.offer_expires_at:
            raise DomainError("offer_expired")
        if event.status not in OFFER_STATUSES or now >= event.starts_at:
            raise DomainError("rsvp_closed")
    elif not event.accepts_responses(now):
        raise DomainError("rsvp_closed")

    seat: SeatStatus = "none"
    position: int | None = None
    if response == "accepted":
        if not event.takes_seat(invitation.role) or invitation.seat in ("offered", "confirmed"):
            seat = "confirmed"
        elif invitation.seat == "waitlisted":
            seat, position = "waitlisted", invitation.waitlist_position
        elif seats.has_room():
            seat = "confirmed"
        else:
            seat, position = "waitlisted", seats.next_position
    return invitation._bump(
        response=response,
        seat=seat,
        waitlist_position=position,
        offered_at=None,
        offer_expires_at=None,
        responded_at=now,
    )


def offer_seat(event: Event, invitation: Invitation, now: datetime) -> Invitation:
    """Hold a freed seat for a waitlisted invitee until the offer expires (never past the
    start)."""
    if invitation.seat != "waitlisted":
        raise DomainError("not_waitlisted")
    return invitation._bump(
        seat="offered",
        offered_at=now,
        offer_expires_at=min(now + event.offer_ttl, event.starts_at),
    )


def follow_reschedule(event: Event, invitation: Invitation) -> Invitation:
    """An open offer keeps its length but never outlives the (new) start."""
    if invitation.seat != "offered" or invitation.offered_at is None:
        return invitation
    expires = min(invitation.offered_at + event.offer_ttl, event.starts_at)
    if expires == invitation.offer_expires_at:
        return invitation
    return invitation._bump(offer_expires_at=expires)


def expire_offer(invitation: Invitation, now: datetime) -> Invitation:
    """The offer lapsed: the seat passes on; the invitee may accept again and queue anew."""
    if invitation.seat != "offered" or invitation.offer_expires_at is None:
        raise DomainError("no_offer")
    if now < invitation.offer_expires_at:
        raise DomainError("offer_still_open")
    return invitation._bump(seat="none", offered_at=None, offer_expires_at=None)


def release_for_cancel(invitation: Invitation) -> Invitation:
    """A cancelled event keeps answers for the record but holds no offers or queue."""
    if invitation.seat not in ("offered", "waitlisted"):
        return invitation
    return invitation._bump(
        seat="none", waitlist_position=None, offered_at=None, offer_expires_at=None
    )


def erase(event: Event, invitation: Invitation, now: datetime) -> Invitation:
    """The invitee was erased: the invitation keeps its answer, so the funnel still counts
    it, and loses who it was. Before the start the person can no longer come, so a held
    seat or a place in line is given up and passes to the waiting list; afterwards the
    record of what happened stays as it was."""
    changes: dict[str, object] = {"person_id": None, "erased": True, "inside": False}
    if event.status in CHANGEABLE and now < event.starts_at:
        changes |= {
            "seat": "none",
            "waitlist_position": None,
            "offered_at": None,
            "offer_expires_at": None,
        }
    return invitation._bump(**changes)


def revoke(invitation: Invitation, now: datetime) -> Invitation:
    if invitation.revoked_at is not None:
        raise DomainError("invitation_revoked")
    return invitation._bump(
        revoked_at=now,
        seat="none",
        waitlist_position=None,
        offered_at=None,
        offer_expires_at=None,
        inside=False,
    )


def rotate_pass(invitation: Invitation) -> Invitation:
    """A new pass; every earlier one stops working."""
    if not invitation.active:
        raise DomainError("invitation_revoked")
    return invitation._bump(pass_version=invitation.pass_version + 1, pass_revoked=False)


def revoke_pass(invitation: Invitation) -> Invitation:
    return invitation._bump(pass_revoked=True)
