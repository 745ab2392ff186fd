"""The domain events notify publishes when a notification's delivery changes. They are
emitted into the unit of work that records the change, so the state and its event commit
together (transactional outbox)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sinergi_kit.contracts.notify import (
    NotificationDeadV1,
    NotificationDeliveredV1,
    NotificationDelivery,
    NotificationEvent,
    NotificationFailedV1,
    NotificationReadV1,
    NotificationSentV1,
)
from sinergi_notify.adapters.tables import notifications
from sinergi_notify.domain.model import Channel, State

_EVENTS: dict[str, type[NotificationEvent]] = {
    "sent": NotificationSentV1,
    "delivered": NotificationDeliveredV1,
    "read": NotificationReadV1,
    "dead": NotificationDeadV1,
}
PUBLISHED_STATES = frozenset({*_EVENTS, "failed"})


def _event_id(context: Mapping[str, Any]) -> UUID | None:
    """The events-service event a notification is about (invitations, reminders, changes)."""
    event = context.get("event")
    return UUID(event["id"]) if isinstance(event, dict) and "id" in event else None


def delivery_event(
    row: Mapping[str, Any],
    *,
    state: State,
    version: int,
    at: datetime,
    reason: str | None = None,
    attempts: int | None = None,
    status: int | None = None,
    provider_id: str | None = None,
    next_channel: Channel | None = None,
) -> NotificationEvent:
    """The event for a notification ``row`` entering ``state`` (one of PUBLISHED_STATES)."""
    delivery = NotificationDelivery.model_validate(
        {
            "id": row["id"],
            "version": version,
            "source_event_id": row["source_event_id"],
            "source_type": row["source_type"],
            "recipient_id": row["recipient_id"],
            "event_id": _event_id(row["context"]),
            "channel": row["channel"],
            "category": row["category"],
            "template_key": row["template_key"],
            "state": state,
            "reason": reason,
            "attempts": row["attempts"] if attempts is None else attempts,
            "generation": row["generation"],
            "status": status,
            "provider_id": provider_id or row["provider_id"],
            "escalated_from": row["escalated_from"],
            "at": at,
        }
    )
    if state == "failed" and next_channel is not None:
        return NotificationFailedV1(notification=delivery, next_channel=next_channel)
    if state in _EVENTS:
        return _EVENTS[state](notification=delivery)
    raise ValueError(f"no delivery event for state {state!r}")


async def lock_rows(
    session: AsyncSession, ids: list[UUID], *conditions: Any
) -> dict[UUID, dict[str, Any]]:
    """The notifications among ``ids`` that meet ``conditions``, locked for this transaction
    on PostgreSQL (SQLite's write transactions already hold the database)."""
    query = select(notifications).where(notifications.c.id.in_(ids), *conditions)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return {row.id: dict(row._mapping) for row in (await session.execute(query)).all()}
