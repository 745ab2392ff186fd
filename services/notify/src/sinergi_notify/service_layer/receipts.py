"""Delivery receipts from providers that report them (WhatsApp Cloud API statuses)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update

from sinergi_kit.db import Database
from sinergi_notify.adapters.repository import insert_ignoring_conflicts, load_recipients
from sinergi_notify.adapters.tables import notifications
from sinergi_notify.domain.delivery import next_in_ladder
from sinergi_notify.domain.preferences import route
from sinergi_notify.service_layer.enqueue import (
    UNIQUE_KEY,
    ladder_for,
    notification_row,
    request_of,
)
from sinergi_notify.settings import NotifySettings

# A receipt only moves a notification forward: sent → delivered → read.
_BEFORE = {"delivered": ("sent",), "read": ("sent", "delivered")}


async def apply_receipts(
    db: Database,
    settings: NotifySettings,
    channel: str,
    statuses: Iterable[tuple[str, str, str]],
    now: datetime,
) -> int:
    """Apply (provider id, status, error) triples; a provider-side failure of a sent message
    hands it to the next channel of the recipient's ladder. Returns how many rows changed."""
    n = notifications.c
    changed = 0
    async with db.sessions() as session, session.begin():
        for provider_id, status, error in statuses:
            where = (n.channel == channel, n.provider_id == provider_id)
            if status in _BEFORE:
                values = {"state": status, "updated_at": now}
                if status == "delivered":
                    values["delivered_at"] = now
                result = await session.execute(
                    update(notifications)
                    .where(*where, n.state.in_(_BEFORE[status]))
                    .values(**values)
                )
                changed += int(getattr(result, "rowcount", 0) or 0)
            elif status == "failed":
                row = (
                    await session.execute(select(notifications).where(*where, n.state == "sent"))
                ).first()
                if row is None:
                    continue
                await session.execute(
                    update(notifications)
                    .where(n.id == row.id)
                    .values(
                        state="failed",
                        reason="provider_failed",
                        last_error=error[:500],
                        updated_at=now,
                    )
                )
                changed += 1
                recipient = (await load_recipients(session, [row.recipient_id])).get(
                    row.recipient_id
                )
                if recipient is None:
                    continue
                chosen = route(
                    category=row.category,
                    ladder=ladder_for(recipient, settings),
                    addresses=recipient.addresses,
                    configured=settings.channels,
                    preferences=recipient.preferences,
                )
                following = next_in_ladder(chosen.channels, row.channel)
                if following and not chosen.opted_out:
                    escalated = notification_row(
                        request_of(dict(row._mapping)),
                        channel=following[0],
                        address=recipient.addresses[following[0]],
                        state="pending",
                        now=now,
                        escalated_from=row.id,
                    )
                    await session.execute(
                        insert_ignoring_conflicts(session, notifications, UNIQUE_KEY), [escalated]
                    )
    return changed
