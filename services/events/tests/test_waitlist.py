"""Capacity, the waiting list and timed offers; concurrent acceptances for the last seat."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from uuid import UUID

import pytest

from sinergi_events.adapters.repository import InvitationRepository
from sinergi_events.domain.errors import DomainError
from sinergi_events.service_layer import invitations, lifecycle, scheduler
from sinergi_events.service_layer.commands import Cancel, EditEvent, Reschedule
from sinergi_events.service_layer.context import EventsContext
from sinergi_kit.contracts.events import WaitlistOfferedV1, WaitlistOfferExpiredV1

from .conftest import Clock, outbox
from .factories import NOW
from .helpers import published_meetup


async def seats(ctx: EventsContext, invitation_ids: list[UUID]) -> list[str | None]:
    async with ctx.db.read() as session:
        found = [await InvitationRepository(session).get(i) for i in invitation_ids]
    return [i.seat if i else None for i in found]


async def test_concurrent_acceptances_never_exceed_the_capacity(ctx: EventsContext) -> None:
    meetup = await published_meetup(ctx, 16, capacity=3)
    results = await asyncio.gather(
        *(invitations.answer(ctx, token, "accepted") for token in meetup.tokens)
    )
    confirmed = [r for r in results if r.seat == "confirmed"]
    waiting = sorted(r.waitlist_position or 0 for r in results if r.seat == "waitlisted")
    assert len(confirmed) == 3
    assert waiting == list(range(1, 14)), "a strict, gapless order"
    assert (await seats(ctx, meetup.invitation_ids)).count("confirmed") == 3


async def test_an_offer_passes_to_the_next_when_it_expires(
    ctx: EventsContext, clock: Clock
) -> None:
    meetup = await published_meetup(ctx, 4, capacity=1, offer_ttl_hours=24)
    holder, first, second, third = meetup.tokens
    for token in meetup.tokens:
        await invitations.answer(ctx, token, "accepted")
    await invitations.answer(ctx, holder, "declined")
    assert await seats(ctx, meetup.invitation_ids) == [
        "none",
        "offered",
        "waitlisted",
        "waitlisted",
    ]

    clock.now = NOW + timedelta(hours=23)
    await scheduler.tick(ctx, clock.now)
    assert (await seats(ctx, meetup.invitation_ids))[1] == "offered", "not yet expired"

    clock.now = NOW + timedelta(hours=24, seconds=1)
    await scheduler.tick(ctx, clock.now)
    assert await seats(ctx, meetup.invitation_ids) == ["none", "none", "offered", "waitlisted"]
    offers = await outbox(ctx, WaitlistOfferedV1)
    assert [o["invitation"]["id"] for o in offers] == [
        str(meetup.invitation_ids[1]),
        str(meetup.invitation_ids[2]),
    ]
    (lapse,) = await outbox(ctx, WaitlistOfferExpiredV1)
    assert lapse["invitation"]["id"] == str(meetup.invitation_ids[1])
    assert (lapse["invitation"]["response"], lapse["invitation"]["seat"]) == ("accepted", "none")
    assert lapse["offered_at"].startswith("2026-11-01T02:00")
    assert lapse["offer_expired_at"] == offers[0]["offer_expires_at"]
    assert lapse["expires_at"] == lapse["event"]["starts_at"]
    await scheduler.tick(ctx, clock.now)
    assert len(await outbox(ctx, WaitlistOfferExpiredV1)) == 1, "a lapse is told once"
    try:
        await invitations.answer(ctx, first, "accepted")
    except DomainError:
        raise AssertionError("a lapsed invitee may queue again") from None
    assert (await seats(ctx, meetup.invitation_ids))[1] == "waitlisted"
    assert (await invitations.answer(ctx, second, "accepted")).seat == "confirmed"
    assert (await invitations.answer(ctx, third, "declined")).seat == "none"


async def test_more_capacity_offers_seats_in_order(ctx: EventsContext) -> None:
    meetup = await published_meetup(ctx, 4, capacity=1)
    for token in meetup.tokens:
        await invitations.answer(ctx, token, "accepted")
    await lifecycle.edit_event(ctx, meetup.event.id, EditEvent(capacity=3))
    assert await seats(ctx, meetup.invitation_ids) == [
        "confirmed",
        "offered",
        "offered",
        "waitlisted",
    ]
    with pytest.raises(DomainError) as error:
        await lifecycle.edit_event(ctx, meetup.event.id, EditEvent(capacity=2))
    assert error.value.code == "capacity_below_seats_held", "nobody loses a held seat"
    assert (await lifecycle.edit_event(ctx, meetup.event.id, EditEvent(capacity=3))).capacity == 3


async def test_offers_follow_a_reschedule_and_end_with_a_cancel(
    ctx: EventsContext, clock: Clock
) -> None:
    meetup = await published_meetup(ctx, 2, capacity=1, offer_ttl_hours=48)
    for token in meetup.tokens:
        await invitations.answer(ctx, token, "accepted")
    await invitations.answer(ctx, meetup.tokens[0], "declined")
    sooner = NOW + timedelta(hours=30)
    await lifecycle.reschedule(
        ctx,
        meetup.event.id,
        Reschedule(starts_at=sooner, ends_at=sooner + timedelta(hours=2)),
    )
    async with ctx.db.read() as session:
        offered = await InvitationRepository(session).get(meetup.invitation_ids[1])
    assert offered is not None and offered.offer_expires_at == sooner
    await lifecycle.cancel(ctx, meetup.event.id, Cancel())
    assert await seats(ctx, meetup.invitation_ids) == ["none", "none"]
