"""The events service's clockwork: lapsed waiting-list offers pass on, due reminders go out.

Each step is its own unit of work, so a crash or restart in the middle loses nothing and
repeats nothing: a reminder's status flips to ``sent`` in the same transaction that writes
its reminder.due events to the outbox. On PostgreSQL, replicas skip a reminder another one
holds (``FOR UPDATE SKIP LOCKED``).
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from sinergi_events.adapters.repository import (
    EventRepository,
    InvitationRepository,
    ReminderRepository,
)
from sinergi_events.domain import reminders
from sinergi_events.domain.invitations import expire_offer
from sinergi_events.service_layer.context import EventsContext
from sinergi_events.service_layer.seats import offer_free_seats
from sinergi_events.settings import EventsSettings
from sinergi_kit.contracts.events import ReminderDueV1, WaitlistOfferExpiredV1
from sinergi_kit.logging import get_logger
from sinergi_kit.runtime import ServiceRuntime

log = get_logger(__name__)


async def expire_offers(ctx: EventsContext, now: datetime) -> int:
    """Lapsed offers release their seats, which go to the next in line; each invitee whose
    offer lapsed is told (waitlist.offer_expired)."""
    async with ctx.db.read() as session:
        event_ids = await InvitationRepository(session).events_with_lapsed_offers(now)
    expired = 0
    for event_id in event_ids:
        async with ctx.uow() as uow:
            event = await EventRepository(uow.session).get(event_id, lock=True)
            assert event is not None
            repository = InvitationRepository(uow.session)
            snapshot = event.snapshot()
            for offered in await repository.lapsed_offers(event_id, now):
                lapsed = expire_offer(offered, now)
                await repository.save(lapsed)
                expired += 1
                if lapsed.person_id is None:
                    continue  # erased: nobody to tell
                assert offered.offered_at is not None and offered.offer_expires_at is not None
                uow.emit(
                    WaitlistOfferExpiredV1(
                        invitation=ctx.snapshot(lapsed),
                        event=snapshot,
                        offered_at=offered.offered_at,
                        offer_expired_at=offered.offer_expires_at,
                        expires_at=event.starts_at,
                    )
                )
            await offer_free_seats(ctx.signer, uow, event, now)
    return expired


async def send_next_reminder(ctx: EventsContext, now: datetime) -> bool:
    """Process the oldest due reminder; False when none is due."""
    async with ctx.uow() as uow:
        repository = ReminderRepository(uow.session)
        reminder = await repository.next_due(now, skip_locked=not ctx.db.is_sqlite)
        if reminder is None:
            return False
        event = await EventRepository(uow.session).get(reminder.event_id)
        assert event is not None
        if not reminders.still_due(reminder, event, now):
            await repository.finish(reminder.id, "skipped", now, None)
            return True
        invitations = InvitationRepository(uow.session)
        snapshot = event.snapshot()
        sent = 0
        after = None
        while page := await invitations.reminder_targets(
            event.id, after=after, limit=ctx.reminder_batch_size
        ):
            after = page[-1].id
            for invitation in page:
                audience = reminders.audience_of(invitation)
                if audience is None or audience not in reminder.audiences:
                    continue
                uow.emit(
                    ReminderDueV1(
                        reminder_id=reminder.id,
                        offset_minutes=reminder.offset_minutes,
                        audience=audience,
                        invitation=ctx.snapshot(invitation),
                        event=snapshot,
                        expires_at=event.starts_at,
                    )
                )
                sent += 1
            await uow.flush_events()
        await repository.finish(reminder.id, "sent", now, sent)
    log.info(
        "events.reminder_sent", event_id=str(event.id), offset=reminder.offset_minutes, to=sent
    )
    return True


async def tick(ctx: EventsContext, now: datetime) -> None:
    await expire_offers(ctx, now)
    while await send_next_reminder(ctx, now):
        pass


async def run_scheduler(runtime: ServiceRuntime) -> None:
    """The background task of the service (see ``ServiceDefinition.background``)."""
    settings = runtime.settings
    assert isinstance(settings, EventsSettings)
    ctx = EventsContext.of(runtime)
    while True:
        try:
            await tick(ctx, ctx.clock())
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("events.scheduler_failed")
        await asyncio.sleep(settings.scheduler_interval_s)
