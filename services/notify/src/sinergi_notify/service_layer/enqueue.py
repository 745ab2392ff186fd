"""Turning "tell these people this" into notification rows, once per source event and
recipient, and cancelling the ones a newer event superseded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sinergi_kit.ids import new_id
from sinergi_notify.adapters.repository import (
    Recipient,
    insert_ignoring_conflicts,
    load_recipients,
)
from sinergi_notify.adapters.tables import notifications
from sinergi_notify.domain.digest import next_digest_at
from sinergi_notify.domain.model import UNSENT_STATES, Category, Channel, SkipReason, State
from sinergi_notify.domain.preferences import route
from sinergi_notify.settings import NotifySettings

CONSENT_FOR: dict[str, str | None] = {
    "invitation": "event_invitations",
    "event_change": "event_invitations",
    "reminder": "event_invitations",
    "dissemination": "amplification_requests",
    "factcheck_result": None,  # asked for by the reporter with the report
    "account": None,  # about the person's own account
}
UNIQUE_KEY = ("source_event_id", "recipient_id", "channel")


AWAITING_RECIPIENT = "awaiting_recipient"
"""The registry's event about the person has not arrived yet (streams are consumed
independently); the row waits and is planned when the sender finds the person."""


@dataclass(frozen=True)
class NotificationRequest:
    source_event_id: UUID
    source_type: str
    recipient_id: UUID
    category: Category
    template_key: str
    context: dict[str, Any]
    expires_at: datetime | None = None
    urgent: bool = False
    group_key: str | None = None
    group_version: int | None = None
    ics: str | None = None
    ics_method: str | None = None


def ladder_for(recipient: Recipient, settings: NotifySettings) -> tuple[Channel, ...]:
    return recipient.preferences.ladder or tuple(settings.ladder)


def notification_row(
    request: NotificationRequest,
    *,
    channel: Channel,
    address: str | None,
    state: State,
    now: datetime,
    reason: str | None = None,
    next_attempt_at: datetime | None = None,
    digest_at: datetime | None = None,
    escalated_from: UUID | None = None,
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "source_event_id": request.source_event_id,
        "source_type": request.source_type,
        "recipient_id": request.recipient_id,
        "channel": channel,
        "category": request.category,
        "template_key": request.template_key,
        "urgent": request.urgent,
        "group_key": request.group_key,
        "group_version": request.group_version,
        "context": request.context,
        "ics": request.ics,
        "ics_method": request.ics_method,
        "address": address,
        "state": state,
        "version": 0,
        "reason": reason,
        "attempts": 0,
        "generation": 0,
        "next_attempt_at": next_attempt_at or now,
        "lease_until": None,
        "leased_by": None,
        "expires_at": request.expires_at,
        "digest_at": digest_at,
        "bundled_into": None,
        "escalated_from": escalated_from,
        "provider_id": None,
        "last_error": None,
        "created_at": now,
        "updated_at": now,
        "sent_at": None,
        "delivered_at": None,
    }


def plan(
    request: NotificationRequest, recipient: Recipient, settings: NotifySettings, now: datetime
) -> dict[str, Any]:
    """The row for one request: its first channel and whether it waits, goes or is skipped."""
    ladder = ladder_for(recipient, settings)
    chosen = route(
        category=request.category,
        ladder=ladder,
        addresses=recipient.addresses,
        configured=settings.channels,
        preferences=recipient.preferences,
    )
    channel: Channel = chosen.channels[0] if chosen.channels else ladder[0]
    address = recipient.addresses.get(channel)
    skip: SkipReason | None = None
    if recipient.erased:
        skip = "erased"
    elif not recipient.consents_to(CONSENT_FOR[request.category]):
        skip = "no_consent"
    elif not chosen.channels:
        skip = "no_address"
    elif chosen.opted_out:
        skip = "opted_out"
    if skip is not None:
        return notification_row(
            request, channel=channel, address=address, state="skipped", reason=skip, now=now
        )
    urgent = request.urgent or request.category in settings.urgent_categories
    if request.category == "dissemination" and not urgent:
        zone = recipient.zone(settings.default_timezone)
        digest_at = next_digest_at(now, zone, settings.digest_hour)
        if request.expires_at is None or digest_at < request.expires_at:
            return notification_row(
                request,
                channel=channel,
                address=address,
                state="held",
                now=now,
                next_attempt_at=digest_at,
                digest_at=digest_at,
            )
    return notification_row(request, channel=channel, address=address, state="pending", now=now)


def awaiting(
    request: NotificationRequest, settings: NotifySettings, now: datetime
) -> dict[str, Any]:
    return notification_row(
        request,
        channel=settings.ladder[0],
        address=None,
        state="deferred",
        reason=AWAITING_RECIPIENT,
        now=now,
    )


def request_of(row: dict[str, Any]) -> NotificationRequest:
    """The request a stored row was made from (to plan it again)."""
    return NotificationRequest(
        **{name: row[name] for name in NotificationRequest.__dataclass_fields__}
    )


async def enqueue(
    session: AsyncSession,
    settings: NotifySettings,
    requests: Sequence[NotificationRequest],
    now: datetime,
) -> int:
    """Insert one row per request that has none yet for its (source event, recipient)."""
    if not requests:
        return 0
    found = await load_recipients(session, (r.recipient_id for r in requests))
    sources = list({r.source_event_id for r in requests})
    existing: set[tuple[UUID, UUID]] = set()
    for start in range(0, len(sources), 500):
        rows = await session.execute(
            select(notifications.c.source_event_id, notifications.c.recipient_id).where(
                notifications.c.source_event_id.in_(sources[start : start + 500])
            )
        )
        existing.update((r.source_event_id, r.recipient_id) for r in rows)
    rows_to_insert = []
    for request in requests:
        key = (request.source_event_id, request.recipient_id)
        if key in existing:
            continue
        existing.add(key)
        recipient = found.get(request.recipient_id)
        if recipient is None:
            rows_to_insert.append(awaiting(request, settings, now))
        else:
            rows_to_insert.append(plan(request, recipient, settings, now))
    if rows_to_insert:
        statement = insert_ignoring_conflicts(session, notifications, UNIQUE_KEY)
        await session.execute(statement, rows_to_insert)
    return len(rows_to_insert)


async def cancel_unsent(
    session: AsyncSession,
    *,
    group_key: str,
    now: datetime,
    reason: str,
    older_than_version: int | None = None,
    template_keys: Sequence[str] | None = None,
    recipient_id: UUID | None = None,
) -> int:
    """Cancel what has not gone yet for a group (an event), or one recipient of it."""
    conditions = [notifications.c.group_key == group_key, notifications.c.state.in_(UNSENT_STATES)]
    if recipient_id is not None:
        conditions.append(notifications.c.recipient_id == recipient_id)
    if older_than_version is not None:
        conditions.append(notifications.c.group_version < older_than_version)
    if template_keys is not None:
        conditions.append(notifications.c.template_key.in_(list(template_keys)))
    result = await session.execute(
        update(notifications)
        .where(*conditions)
        .values(state="cancelled", reason=reason, updated_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def default_expiry(settings: NotifySettings, now: datetime) -> datetime:
    return now + timedelta(days=settings.default_ttl_days)
