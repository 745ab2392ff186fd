"""Seat bookkeeping inside a unit of work that holds the event's lock."""

from __future__ import annotations

from datetime import datetime

from sinergi_events.adapters.repository import InvitationRepository
from sinergi_events.domain.events import Event
from sinergi_events.domain.invitations import OFFER_STATUSES, Seats, offer_seat
from sinergi_events.domain.tokens import Signer
from sinergi_events.service_layer.context import invitation_snapshot
from sinergi_kit.contracts.events import WaitlistOfferedV1
from sinergi_kit.uow import UnitOfWork

UNLIMITED_BATCH = 10_000


async def seat_book(invitations: InvitationRepository, event: Event) -> Seats:
    return Seats(
        capacity=event.capacity,
        held=await invitations.seats_held(event),
        next_position=await invitations.next_waitlist_position(event.id),
    )


async def offer_free_seats(signer: Signer, uow: UnitOfWork, event: Event, now: datetime) -> int:
    """Offer every free seat to the head of the waiting list, in order."""
    if event.status not in OFFER_STATUSES or now >= event.starts_at:
        return 0
    invitations = InvitationRepository(uow.session)
    free = (await seat_book(invitations, event)).free()
    count = UNLIMITED_BATCH if free is None else free
    if count == 0:
        return 0
    snapshot = event.snapshot()
    offered = 0
    for waiting in await invitations.waitlist_head(event.id, count):
        invitation = offer_seat(event, waiting, now)
        await invitations.save(invitation)
        assert invitation.offer_expires_at is not None
        uow.emit(
            WaitlistOfferedV1(
                invitation=invitation_snapshot(signer, invitation),
                event=snapshot,
                offer_expires_at=invitation.offer_expires_at,
            )
        )
        offered += 1
    return offered
