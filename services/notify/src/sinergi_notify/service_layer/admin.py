"""Operator and recipient use cases: resend, unsubscribe, preferences."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select, update

from sinergi_kit.db import Database
from sinergi_notify.adapters.repository import insert_ignoring_conflicts
from sinergi_notify.adapters.tables import notifications, preferences, recipients
from sinergi_notify.domain.model import RESENDABLE_STATES
from sinergi_notify.domain.unsubscribe import UnsubscribeScope


async def resend(db: Database, ids: Sequence[UUID], now: datetime) -> list[UUID]:
    """Put finished notifications back in the queue as a new generation (a new idempotency
    key, so a receiver that saw the old one takes this one too). Returns the ids resent."""
    n = notifications.c
    async with db.sessions() as session, session.begin():
        rows = (
            await session.execute(
                select(n.id, n.generation).where(
                    n.id.in_(list(ids)), n.state.in_(RESENDABLE_STATES), n.address.is_not(None)
                )
            )
        ).all()
        for row in rows:
            await session.execute(
                update(notifications)
                .where(n.id == row.id)
                .values(
                    state="pending",
                    reason=None,
                    attempts=0,
                    generation=row.generation + 1,
                    next_attempt_at=now,
                    lease_until=None,
                    leased_by=None,
                    last_error=None,
                    updated_at=now,
                )
            )
    return [row.id for row in rows]


async def dead_ids(db: Database, limit: int) -> list[UUID]:
    async with db.read() as session:
        return list(
            (
                await session.execute(
                    select(notifications.c.id)
                    .where(notifications.c.state == "dead")
                    .order_by(notifications.c.updated_at)
                    .limit(limit)
                )
            ).scalars()
        )


async def ensure_preferences(session: Any, recipient_id: UUID, now: datetime) -> None:
    await session.execute(
        insert_ignoring_conflicts(session, preferences, ["recipient_id"]),
        [
            {
                "recipient_id": recipient_id,
                "opted_out": [],
                "ladder": [],
                "quiet_start": None,
                "quiet_end": None,
                "timezone": None,
                "webhook_url": None,
                "updated_at": now,
            }
        ],
    )


async def unsubscribe(db: Database, scope: UnsubscribeScope, now: datetime) -> bool:
    """Record the opt-out; False when the recipient is unknown (or erased)."""
    async with db.sessions() as session, session.begin():
        known = (
            await session.execute(
                select(recipients.c.id).where(
                    recipients.c.id == scope.recipient_id, recipients.c.erased.is_(False)
                )
            )
        ).first()
        if known is None:
            return False
        await ensure_preferences(session, scope.recipient_id, now)
        current = (
            await session.execute(
                select(preferences.c.opted_out).where(
                    preferences.c.recipient_id == scope.recipient_id
                )
            )
        ).scalar_one()
        pair = [scope.category, scope.channel]
        if pair not in current:
            await session.execute(
                update(preferences)
                .where(preferences.c.recipient_id == scope.recipient_id)
                .values(opted_out=[*current, pair], updated_at=now)
            )
    return True


async def save_preferences(
    db: Database, recipient_id: UUID, values: dict[str, Any], now: datetime
) -> bool:
    async with db.sessions() as session, session.begin():
        known = (
            await session.execute(select(recipients.c.id).where(recipients.c.id == recipient_id))
        ).first()
        if known is None:
            return False
        await ensure_preferences(session, recipient_id, now)
        await session.execute(
            update(preferences)
            .where(preferences.c.recipient_id == recipient_id)
            .values(**values, updated_at=now)
        )
    return True
