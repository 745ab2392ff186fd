"""Check-in: idempotent scans by nonce, entry and exit, every rejection reason, offline
uploads and walk-ins."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from sinergi_events.adapters.tables import messaging
from sinergi_events.domain.errors import DomainError
from sinergi_events.service_layer import checkin, invitations, lifecycle
from sinergi_events.service_layer.commands import Cancel, OfflineScan, Scan, WalkIn
from sinergi_events.service_layer.context import EventsContext
from sinergi_events.service_layer.reports import event_attendance
from sinergi_kit.contracts.events import AttendeeCheckedInV1
from sinergi_kit.tracing import TraceParent, current_traceparent

from .conftest import Clock, make_context, migrated, outbox
from .factories import START
from .helpers import published_meetup

DOOR_OPEN = START - timedelta(minutes=10)


async def accepted_passes(ctx: EventsContext, tokens: list[str]) -> list[str]:
    """Each invitee accepts; their pass codes, in the order of ``tokens``."""
    codes = []
    for token in tokens:
        await invitations.answer(ctx, token, "accepted")
        codes.append((await invitations.pass_code(ctx, token))[0])
    return codes


async def test_scans_are_idempotent_and_give_every_reason(ctx: EventsContext, clock: Clock) -> None:
    meetup = await published_meetup(ctx, 4, capacity=10)
    other = await published_meetup(ctx, 1, capacity=10)
    accepted, _pending, rotated, revoked = meetup.tokens
    for token in (accepted, rotated, revoked):
        await invitations.answer(ctx, token, "accepted")
    await invitations.answer(ctx, other.tokens[0], "accepted")
    code, _, _ = await invitations.pass_code(ctx, accepted)
    old_code, rotated_invitation, _ = await invitations.pass_code(ctx, rotated)
    await invitations.change_pass(ctx, meetup.event.id, rotated_invitation.id, revoke=False)
    revoked_code, revoked_invitation, _ = await invitations.pass_code(ctx, revoked)
    await invitations.revoke_invitation(ctx, meetup.event.id, revoked_invitation.id)
    other_code, _, _ = await invitations.pass_code(ctx, other.tokens[0])
    pending_code = ctx.signer.pass_code(meetup.invitation_ids[1], 1)
    event_id = meetup.event.id
    count = 0

    async def door(code: str, direction: str = "entry") -> str | None:
        nonlocal count
        count += 1
        outcome = await checkin.scan(
            ctx,
            event_id,
            Scan(nonce=f"scan-{count:06d}", code=code, direction=direction),  # type: ignore[arg-type]
        )
        return outcome.reason

    clock.now = START - timedelta(hours=3)
    assert await door(code) == "outside_window"
    clock.now = DOOR_OPEN
    assert await door("SP1.bukan.pass.asli.sama-sekali") == "unknown_pass"
    assert await door(code[:-2] + "xx") == "unknown_pass"
    assert await door(other_code) == "wrong_event"
    assert await door(old_code) == "revoked"
    assert await door(revoked_code) == "revoked"
    assert await door(pending_code) == "not_accepted"
    assert await door(code, "exit") == "not_inside"

    first = await checkin.scan(ctx, event_id, Scan(nonce="pintu-utama-1", code=code))
    assert first.accepted and not first.replayed
    again = await checkin.scan(ctx, event_id, Scan(nonce="pintu-utama-1", code=code))
    assert again.accepted and again.replayed, "the same nonce, the same answer, no effect"
    assert await door(code) == "already_inside"
    assert await door(code, "exit") is None
    assert await door(code) is None, "back in after an exit"

    entries = await outbox(ctx, AttendeeCheckedInV1)
    assert [e["first_entry"] for e in entries] == [True, False]
    async with ctx.db.read() as session:
        report = await event_attendance(session, meetup.event)
    assert report.total.checked_in == 1

    await invitations.change_pass(ctx, event_id, meetup.invitation_ids[0], revoke=True)
    assert await door(code, "exit") == "revoked"
    with pytest.raises(DomainError) as error:
        await invitations.pass_code(ctx, accepted)
    assert error.value.code == "pass_revoked"


async def test_a_repeated_nonce_in_a_live_batch_is_answered_from_the_stored_scan(
    ctx: EventsContext, clock: Clock
) -> None:
    """A batch is decided as if its nonces were new; one stored before sends it back to be
    applied with the earlier scans looked up, so the repeat changes nothing for the scans
    after it."""
    meetup = await published_meetup(ctx, 1)
    await invitations.answer(ctx, meetup.tokens[0], "accepted")
    code, _, _ = await invitations.pass_code(ctx, meetup.tokens[0])
    clock.now = DOOR_OPEN
    first = await checkin.scan(ctx, meetup.event.id, Scan(nonce="gerbang-1", code=code))
    assert first.accepted

    repeat, leaving = await asyncio.gather(
        checkin.scan(ctx, meetup.event.id, Scan(nonce="gerbang-1", code=code)),
        checkin.scan(ctx, meetup.event.id, Scan(nonce="gerbang-2", code=code, direction="exit")),
    )

    assert (repeat.accepted, repeat.replayed, repeat.direction) == (True, True, "entry")
    assert repeat.person_id == first.person_id
    assert (leaving.accepted, leaving.reason, leaving.replayed) == (True, None, False)
    assert len(await outbox(ctx, AttendeeCheckedInV1)) == 1


async def test_an_invitation_changed_while_a_live_batch_is_decided_gets_it_decided_again(
    postgres_url: str, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL alone (a SQLite batch holds the write lock from its read on): a live batch
    reads the invitations without locking them; one revoked before its write makes the
    write fail, and the batch is decided again on the rows locked."""
    db = await migrated(postgres_url)
    ctx = make_context(db, clock)
    try:
        meetup = await published_meetup(ctx, 1)
        (code,) = await accepted_passes(ctx, meetup.tokens)
        clock.now = DOOR_OPEN
        load = checkin._load
        revoked: list[bool] = []

        async def revoked_after_the_read(*args: Any, optimistic: bool) -> Any:
            loaded = await load(*args, optimistic=optimistic)
            if optimistic and not revoked:
                revoked.append(True)
                await invitations.revoke_invitation(ctx, meetup.event.id, meetup.invitation_ids[0])
            return loaded

        monkeypatch.setattr(checkin, "_load", revoked_after_the_read)
        outcome = await checkin.scan(ctx, meetup.event.id, Scan(nonce="gerbang-1", code=code))

        assert revoked == [True]
        assert (outcome.accepted, outcome.reason) == (False, "revoked")
        assert await outbox(ctx, AttendeeCheckedInV1) == []
        async with ctx.db.read() as session:
            report = await event_attendance(session, meetup.event)
        assert report.total.checked_in == 0
    finally:
        await db.dispose()


async def test_each_scan_of_a_batch_carries_its_own_requests_trace(
    ctx: EventsContext, clock: Clock
) -> None:
    meetup = await published_meetup(ctx, 2)
    codes = await accepted_passes(ctx, meetup.tokens)
    clock.now = DOOR_OPEN
    traces = [TraceParent.new() for _ in codes]

    async def scan_in(trace: TraceParent, nonce: str, code: str) -> bool:
        current_traceparent.set(str(trace))  # each gathered scan runs in a task of its own
        return (await checkin.scan(ctx, meetup.event.id, Scan(nonce=nonce, code=code))).accepted

    assert await asyncio.gather(
        *(
            scan_in(t, f"jejak-pintu-{n}", c)
            for n, (t, c) in enumerate(zip(traces, codes, strict=True))
        )
    ) == [True, True]

    async with ctx.db.read() as session:
        carried = (
            await session.execute(
                select(messaging.outbox.c.traceparent).where(
                    messaging.outbox.c.event_type == AttendeeCheckedInV1.event_type
                )
            )
        ).scalars()
        trace_ids = sorted(TraceParent.parse(value).trace_id for value in carried)  # type: ignore[union-attr]
    assert trace_ids == sorted(t.trace_id for t in traces)


async def test_offline_scans_apply_in_the_order_taken(ctx: EventsContext, clock: Clock) -> None:
    meetup = await published_meetup(ctx, 1)
    await invitations.answer(ctx, meetup.tokens[0], "accepted")
    code, _, _ = await invitations.pass_code(ctx, meetup.tokens[0])
    clock.now = START + timedelta(hours=1)
    batch = [
        OfflineScan(
            nonce="hp-2-exit", code=code, direction="exit", scanned_at=START + timedelta(minutes=40)
        ),
        OfflineScan(nonce="hp-1-entry", code=code, scanned_at=START - timedelta(minutes=5)),
        OfflineScan(nonce="hp-3-late", code=code, scanned_at=START + timedelta(hours=9)),
    ]
    outcomes = await checkin.upload_offline(ctx, meetup.event.id, batch)
    assert [(o.nonce, o.accepted, o.reason) for o in outcomes] == [
        ("hp-2-exit", True, None),
        ("hp-1-entry", True, None),
        ("hp-3-late", False, "outside_window"),
    ]
    replay = await checkin.upload_offline(ctx, meetup.event.id, batch)
    assert all(o.replayed for o in replay), "an upload sent twice changes nothing"


async def test_offline_scans_uploaded_after_completion_still_count(
    ctx: EventsContext, clock: Clock
) -> None:
    meetup = await published_meetup(ctx, 2)
    codes = await accepted_passes(ctx, meetup.tokens)
    clock.now = START
    await lifecycle.transition(ctx, meetup.event.id, "start")
    clock.now = START + timedelta(hours=4)
    await lifecycle.transition(ctx, meetup.event.id, "complete")

    live = await checkin.scan(ctx, meetup.event.id, Scan(nonce="pintu-setelah", code=codes[0]))
    assert live.reason == "outside_window", "the door is closed once the event is completed"
    taken = [
        OfflineScan(nonce="hp-offline-1", code=codes[0], scanned_at=START + timedelta(minutes=9)),
        OfflineScan(nonce="hp-offline-2", code=codes[1], scanned_at=START + timedelta(hours=5)),
    ]
    outcomes = await checkin.upload_offline(ctx, meetup.event.id, taken)
    assert [(o.accepted, o.reason) for o in outcomes] == [(True, None), (False, "outside_window")]
    async with ctx.db.read() as session:
        report = await event_attendance(session, meetup.event)
    assert (report.total.checked_in, report.total.no_show) == (1, 1)


async def test_walk_ins_count_at_the_door_only(ctx: EventsContext, clock: Clock) -> None:
    meetup = await published_meetup(ctx, 1)
    with pytest.raises(DomainError) as error:
        await checkin.register_walk_in(ctx, meetup.event.id, WalkIn(name="Pak Hadi"))
    assert error.value.code == "door_closed"
    clock.now = DOOR_OPEN
    await checkin.register_walk_in(
        ctx, meetup.event.id, WalkIn(name="Pak Hadi", organization="Karang Taruna")
    )
    (entry,) = await outbox(ctx, AttendeeCheckedInV1)
    assert entry["walk_in"] and entry["person_id"] is None
    async with ctx.db.read() as session:
        report = await event_attendance(session, meetup.event)
    assert report.walk_ins == 1 and report.total.checked_in == 0


async def test_a_cancelled_event_closes_the_door(ctx: EventsContext, clock: Clock) -> None:
    meetup = await published_meetup(ctx, 1)
    await invitations.answer(ctx, meetup.tokens[0], "accepted")
    code, _, _ = await invitations.pass_code(ctx, meetup.tokens[0])
    await lifecycle.cancel(ctx, meetup.event.id, Cancel())
    clock.now = DOOR_OPEN
    outcome = await checkin.scan(ctx, meetup.event.id, Scan(nonce="setelah-batal", code=code))
    assert outcome.reason == "outside_window"
