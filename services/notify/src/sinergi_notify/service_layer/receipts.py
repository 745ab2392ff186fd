"""Delivery receipts from providers that report them (WhatsApp Cloud API statuses)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sinergi_kit.uow import UnitOfWorkFactory
from sinergi_notify.adapters.repository import insert_ignoring_conflicts, load_recipients
from sinergi_notify.adapters.tables import notifications
from sinergi_notify.domain.delivery import next_in_ladder
from sinergi_notify.domain.preferences import route
from sinergi_notify.service_layer.delivery_events import delivery_event, lock_rows
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
    uow_factory: UnitOfWorkFactory,
    settings: NotifySettings,
    channel: str,
    statuses: Iterable[tuple[str, str, str]],
    now: datetime,
) -> int:
    """Apply (provider id, status, error) triples; a provider-side failure of a sent message
    hands it to the next channel of the recipient's ladder, or is dead on the last one.
    Each change publishes its delivery event. Returns how many rows changed."""
    n = notifications.c
    changed = 0
    async with uow_factory() as uow:
        session = uow.session
        for provider_id, status, error in statuses:
            if status not in _BEFORE and status != "failed":
                continue
            wanted = _BEFORE.get(status, ("sent",))
            ids = (
                await session.execute(
                    select(n.id).where(
                        n.channel == channel, n.provider_id == provider_id, n.state.in_(wanted)
                    )
                )
            ).scalars()
            for row in (await lock_rows(session, list(ids), n.state.in_(wanted))).values():
                values = await _receipt_change(session, settings, row, status, error, now)
                event = delivery_event(
                    row,
                    state=values["state"],
                    version=row["version"] + 1,
                    at=now,
                    reason=values.get("reason"),
                    next_channel=values.pop("next_channel", None),
                )
                await session.execute(
                    update(notifications)
                    .where(n.id == row["id"])
                    .values(**values, version=row["version"] + 1, updated_at=now)
                )
                uow.emit(event)
                changed += 1
    return changed


async def _receipt_change(
    session: AsyncSession,
    settings: NotifySettings,
    row: dict[str, Any],
    status: str,
    error: str,
    now: datetime,
) -> dict[str, Any]:
    """The new values of a row for a receipt; a failure escalates to the next channel."""
    if status == "delivered":
        return {"state": "delivered", "delivered_at": now}
    if status == "read":
        return {"state": "read", "delivered_at": row["delivered_at"] or now}
    failure: dict[str, Any] = {"reason": "provider_failed", "last_error": error[:500]}
    recipient = (await load_recipients(session, [row["recipient_id"]])).get(row["recipient_id"])
    if recipient is None:
        return {"state": "dead", **failure}
    chosen = route(
        category=row["category"],
        ladder=ladder_for(recipient, settings),
        addresses=recipient.addresses,
        configured=settings.channels,
        preferences=recipient.preferences,
    )
    following = next_in_ladder(chosen.channels, row["channel"])
    if not following or chosen.opted_out:
        return {"state": "dead", **failure}
    escalated = notification_row(
        request_of(row),
        channel=following[0],
        address=recipient.addresses[following[0]],
        state="pending",
        now=now,
        escalated_from=row["id"],
    )
    await session.execute(
        insert_ignoring_conflicts(session, notifications, UNIQUE_KEY), [escalated]
    )
    return {"state": "failed", "next_channel": following[0], **failure}
