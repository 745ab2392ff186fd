"""The whole life of a Kopilaborasi meetup through the use cases, on SQLite and PostgreSQL:
every state change commits with its events in the outbox."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from icalendar import Calendar
from sqlalchemy import select

from sinergi_events.adapters.tables import invitations as invitations_table
from sinergi_events.adapters.tables import walk_ins as walk_ins_table
from sinergi_events.domain.errors import DomainError
from sinergi_events.service_layer import checkin, invitations, lifecycle
from sinergi_events.service_layer.commands import (
    AgendaItemIn,
    CreateEvent,
    InvitePerson,
    InviteSegment,
    Scan,
    WalkIn,
)
from sinergi_events.service_layer.context import EventsContext
from sinergi_events.service_layer.directory import erase_people
from sinergi_events.service_layer.reports import event_attendance
from sinergi_kit.contracts.events import (
    AttendeeCheckedInV1,
    EventCompletedV1,
    EventPublishedV1,
    InvitationIssuedV1,
    LocalizedText,
    RsvpRecordedV1,
    WaitlistOfferedV1,
)
from sinergi_kit.contracts.registry import PersonErasedV1
from sinergi_kit.contracts.segments import SegmentFilter

from .conftest import Clock, outbox, person, project, project_segment
from .factories import PENDOPO, START


def kopilaborasi(**overrides: Any) -> CreateEvent:
    values: dict[str, Any] = {
        "title": LocalizedText(id="Kopilaborasi 2026", en="Kopilaborasi 2026"),
        "theme": LocalizedText(id="Kolaborasi melawan hoaks", en="Working together against hoaxes"),
        "venue": PENDOPO,
        "starts_at": START,
        "ends_at": START + timedelta(hours=4),
        "capacity": 2,
        "rsvp_deadline": START - timedelta(days=1),
        "organisers": ["Diskominfo Kabupaten Jombang", "KKD Jombang"],
        "organizer_email": "kkd@jombangkab.go.id",
        "agenda": [
            AgendaItemIn(
                starts_at=START + timedelta(minutes=30),
                ends_at=START + timedelta(hours=1),
                title=LocalizedText(id="Dialog interaktif", en="Interactive dialogue"),
                speakers=["Ketua AMSI Jawa Timur"],
            )
        ],
        "guests_of_honour": ["Bupati Jombang", "Ketua DPRD", "Kapolres Jombang"],
    }
    values.update(overrides)
    return CreateEvent(**values)


def token_of(data: dict[str, Any]) -> str:
    path: str = data["invitation"]["rsvp_path"]
    return path.removeprefix("/rsvp/")


async def test_a_meetup_from_draft_to_completed(ctx: EventsContext, clock: Clock) -> None:
    admins = [person(f"Admin {i}", email=f"admin{i}@example.id") for i in range(3)]
    speaker = person("Ketua AMSI", roles=["speaker"], email="amsi@example.id")
    await project(ctx, *admins, speaker)
    segment = await project_segment(ctx, "Admin akun", SegmentFilter(roles=["account_admin"]))

    event = await lifecycle.create_event(ctx, kopilaborasi())
    assert event.status == "draft"
    with pytest.raises(DomainError) as error:
        await invitations.invite_segment(ctx, event.id, InviteSegment(segment_id=segment.id))
    assert error.value.code == "event_not_open"

    event = await lifecycle.transition(ctx, event.id, "publish")
    (published,) = await outbox(ctx, EventPublishedV1)
    assert Calendar.from_ical(published["ics"])["method"] == "PUBLISH"

    sent = await invitations.invite_segment(ctx, event.id, InviteSegment(segment_id=segment.id))
    assert (sent.members, sent.invited) == (3, 3)
    again = await invitations.invite_segment(ctx, event.id, InviteSegment(segment_id=segment.id))
    assert (again.invited, again.already_invited) == (0, 3), "one invitation per person"
    await invitations.invite_person(
        ctx, event.id, InvitePerson(person_id=speaker.id, role="speaker")
    )
    with pytest.raises(DomainError) as error:
        await invitations.invite_person(ctx, event.id, InvitePerson(person_id=speaker.id))
    assert error.value.code == "already_invited"

    issued = await outbox(ctx, InvitationIssuedV1)
    assert len(issued) == 4
    assert {i["invitation"]["segment_id"] for i in issued} == {str(segment.id), None}
    assert all(i["expires_at"] == i["event"]["starts_at"] for i in issued)
    tokens = {i["invitation"]["person_id"]: token_of(i) for i in issued}
    first, second, third = (tokens[str(a.id)] for a in admins)

    assert (await invitations.answer(ctx, first, "accepted")).seat == "confirmed"
    assert (await invitations.answer(ctx, second, "accepted")).seat == "confirmed"
    queued = await invitations.answer(ctx, third, "accepted")
    assert (queued.seat, queued.waitlist_position) == ("waitlisted", 1)
    speaking = await invitations.answer(ctx, tokens[str(speaker.id)], "accepted")
    assert speaking.seat == "confirmed", "speakers take no participant seat"

    await invitations.answer(ctx, first, "declined")
    (offer,) = await outbox(ctx, WaitlistOfferedV1)
    assert offer["invitation"]["person_id"] == str(admins[2].id)
    assert offer["offer_expires_at"].startswith("2026-11-02T02:00")
    assert (await invitations.answer(ctx, third, "accepted")).seat == "confirmed"

    records = await outbox(ctx, RsvpRecordedV1)
    confirmation = Calendar.from_ical(records[0]["ics"]).walk("VEVENT")[0]
    assert str(confirmation["attendee"]) == "mailto:admin0@example.id"
    assert confirmation["attendee"].params["PARTSTAT"] == "ACCEPTED"
    assert [r["invitation"]["seat"] for r in records] == [
        "confirmed",
        "confirmed",
        "waitlisted",
        "confirmed",
        "none",
        "confirmed",
    ]

    code, holder, _ = await invitations.pass_code(ctx, second)
    clock.now = START - timedelta(minutes=30)
    entered = await checkin.scan(ctx, event.id, Scan(nonce="pintu-1-0001", code=code))
    assert entered.accepted and entered.person_id == holder.person_id
    (checked_in,) = await outbox(ctx, AttendeeCheckedInV1)
    assert checked_in["first_entry"] and not checked_in["walk_in"]

    clock.now = START + timedelta(minutes=5)
    await lifecycle.transition(ctx, event.id, "start")
    clock.now = START + timedelta(hours=5)
    await lifecycle.transition(ctx, event.id, "complete")
    (completed,) = await outbox(ctx, EventCompletedV1)
    assert completed["event"]["status"] == "completed"
    assert completed["attendance"] == {
        "invited": 4,
        "responded": 4,
        "accepted": 3,
        "checked_in": 1,
        "no_show": 2,
        "walk_ins": 0,
    }


async def erase(ctx: EventsContext, person_id: UUID, now: datetime) -> None:
    erased = PersonErasedV1(person_id=person_id, version=9, erased_at=now)
    async with ctx.uow() as uow:
        await erase_people(uow, ctx.signer, [erased], now)


async def test_an_erased_person_keeps_the_counts_and_loses_the_data(
    ctx: EventsContext, clock: Clock
) -> None:
    """Erasure after the start changes no count; before the start the person can no longer
    come, so their seat passes to the waiting list (their answer still counts as one)."""
    siti = person("Siti Rahma", email="siti@example.id")
    budi = person("Budi Santoso", email="budi@example.id")
    await project(ctx, siti, budi)
    held = await lifecycle.create_event(ctx, kopilaborasi(capacity=1))
    later_start = START + timedelta(days=7)
    coming = await lifecycle.create_event(
        ctx,
        kopilaborasi(
            capacity=1,
            starts_at=later_start,
            ends_at=later_start + timedelta(hours=2),
            rsvp_deadline=None,
            agenda=[],
        ),
    )
    tokens: dict[tuple[UUID, UUID], str] = {}
    for event in (held, coming):
        await lifecycle.transition(ctx, event.id, "publish")
        for someone in (siti, budi):
            invitation = await invitations.invite_person(
                ctx, event.id, InvitePerson(person_id=someone.id)
            )
            tokens[event.id, someone.id] = ctx.signer.rsvp_token(invitation.id)
            await invitations.answer(ctx, tokens[event.id, someone.id], "accepted")
    assert (await invitations.answer(ctx, tokens[coming.id, budi.id], "accepted")).seat == (
        "waitlisted"
    )

    code, _, _ = await invitations.pass_code(ctx, tokens[held.id, siti.id])
    clock.now = START - timedelta(minutes=30)
    assert (await checkin.scan(ctx, held.id, Scan(nonce="pintu-erase-1", code=code))).accepted
    await checkin.register_walk_in(
        ctx, held.id, WalkIn(name="Siti Rahma", organization="KKD", person_id=siti.id)
    )
    clock.now = START + timedelta(minutes=10)
    await lifecycle.transition(ctx, held.id, "start")
    offers_before = len(await outbox(ctx, WaitlistOfferedV1))

    await erase(ctx, siti.id, clock.now)

    async with ctx.db.read() as session:
        past = await event_attendance(session, held)
        future = await event_attendance(session, coming)
        remaining = {
            row.event_id: row
            for row in await session.execute(
                select(invitations_table).where(invitations_table.c.person_id.is_(None))
            )
        }
        walk_in = (await session.execute(select(walk_ins_table))).one()
    assert (past.total.invited, past.total.accepted, past.total.checked_in) == (2, 1, 1)
    assert past.walk_ins == 1 and (walk_in.person_id, walk_in.name) == (None, "")
    assert set(remaining) == {held.id, coming.id}, "both invitations lose the person"
    assert all(row.erased for row in remaining.values())
    assert (remaining[held.id].response, remaining[held.id].seat) == ("accepted", "confirmed")
    assert (remaining[coming.id].response, remaining[coming.id].seat) == ("accepted", "none")
    assert (future.total.invited, future.total.responded, future.total.accepted) == (2, 2, 0)

    offers = await outbox(ctx, WaitlistOfferedV1)
    assert len(offers) == offers_before + 1, "the freed seat of the coming event passes on"
    assert offers[-1]["invitation"]["person_id"] == str(budi.id)
    assert offers[-1]["event"]["id"] == str(coming.id)
    assert (await invitations.answer(ctx, tokens[coming.id, budi.id], "accepted")).has_seat
    for event in (held, coming):
        with pytest.raises(DomainError) as error:
            await invitations.read_invitation(ctx, tokens[event.id, siti.id])
        assert error.value.code == "invitation_revoked"
    with pytest.raises(DomainError) as error:
        await invitations.invite_person(ctx, coming.id, InvitePerson(person_id=siti.id))
    assert error.value.code == "person_not_found"
