"""Reminders: relative to the start, targeted by answer, moved by a reschedule, never after
the start, and exactly once across a restart or a crash in the middle."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from sinergi_events.adapters.repository import ReminderRepository
from sinergi_events.service_layer import invitations, lifecycle, scheduler
from sinergi_events.service_layer.commands import Reschedule
from sinergi_events.service_layer.context import EventsContext
from sinergi_kit.contracts.events import ReminderDueV1
from sinergi_kit.db import Database

from .conftest import Clock, make_context, outbox
from .factories import START
from .helpers import published_meetup

DAY = 24 * 60


async def reminders_sent(ctx: EventsContext) -> Counter[tuple[int, int, str]]:
    """(sequence, offset, audience) → how many reminder.due events."""
    return Counter(
        (d["event"]["sequence"], d["offset_minutes"], d["audience"])
        for d in await outbox(ctx, ReminderDueV1)
    )


async def test_reminders_target_by_answer_and_move_with_a_reschedule(
    ctx: EventsContext, clock: Clock
) -> None:
    meetup = await published_meetup(ctx, 3, capacity=10)
    await invitations.answer(ctx, meetup.tokens[0], "accepted")
    await invitations.answer(ctx, meetup.tokens[1], "declined")

    clock.now = START - timedelta(days=3, minutes=1)
    await scheduler.tick(ctx, clock.now)
    assert await reminders_sent(ctx) == Counter()

    clock.now = START - timedelta(days=3) + timedelta(minutes=1)
    await scheduler.tick(ctx, clock.now)
    assert await reminders_sent(ctx) == Counter(
        {(0, 3 * DAY, "accepted"): 1, (0, 3 * DAY, "unanswered"): 1}
    )
    (reminder, _) = await outbox(ctx, ReminderDueV1)
    assert reminder["expires_at"] == reminder["event"]["starts_at"]
    assert reminder["invitation"]["rsvp_path"].startswith("/rsvp/")

    later = START + timedelta(days=7)
    await lifecycle.reschedule(
        ctx, meetup.event.id, Reschedule(starts_at=later, ends_at=later + timedelta(hours=2))
    )
    await scheduler.tick(ctx, clock.now)
    assert sum((await reminders_sent(ctx)).values()) == 2, "nothing due for the new time yet"

    clock.now = later - timedelta(hours=2)
    await scheduler.tick(ctx, clock.now)
    sent = await reminders_sent(ctx)
    assert sent[(1, 3 * DAY, "accepted")] == 1 and sent[(1, 3 * DAY, "unanswered")] == 1
    assert sent[(1, DAY, "accepted")] == 1 and sent[(1, DAY, "unanswered")] == 1
    assert sent[(1, 120, "accepted")] == 1 and sent[(1, 120, "unanswered")] == 0
    async with ctx.db.read() as session:
        rows = await ReminderRepository(session).for_event(meetup.event.id)
    statuses = Counter((row.sequence, row.status) for row in rows)
    assert statuses == Counter({(0, "sent"): 1, (0, "superseded"): 2, (1, "sent"): 3})


async def test_a_reminder_never_goes_out_at_or_after_the_start(
    ctx: EventsContext, clock: Clock
) -> None:
    await published_meetup(ctx, 2)
    clock.now = START
    await scheduler.tick(ctx, clock.now)
    assert await reminders_sent(ctx) == Counter()


async def test_reminders_survive_a_restart_and_a_crash_exactly_once(
    database_url: str,
    db: Database,
    ctx: EventsContext,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    meetup = await published_meetup(ctx, 5)
    clock.now = START - timedelta(days=1) + timedelta(minutes=1)

    original = ReminderRepository.finish
    calls = 0

    async def crash_on_second(self: ReminderRepository, *args: object) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("the process dies half-way through")
        await original(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(ReminderRepository, "finish", crash_on_second)
    with pytest.raises(RuntimeError):
        await scheduler.tick(ctx, clock.now)
    assert await reminders_sent(ctx) == Counter({(0, 3 * DAY, "unanswered"): 5})
    monkeypatch.setattr(ReminderRepository, "finish", original)

    await db.dispose()  # a restart: a new process on the same database
    restarted_db = Database(database_url)
    restarted = make_context(restarted_db, clock)
    try:
        await scheduler.tick(restarted, clock.now)
        await scheduler.tick(restarted, clock.now)
        assert await reminders_sent(restarted) == Counter(
            {(0, 3 * DAY, "unanswered"): 5, (0, DAY, "unanswered"): 5}
        )
        ids = [d["invitation"]["id"] for d in await outbox(restarted, ReminderDueV1)]
        assert sorted(set(ids)) == sorted(str(i) for i in meetup.invitation_ids)
    finally:
        await restarted_db.dispose()
