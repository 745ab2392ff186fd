"""Digests: non-urgent dissemination requests wait for the recipient's digest hour."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5
from zoneinfo import ZoneInfo


def next_digest_at(now: datetime, tz: ZoneInfo, hour: int) -> datetime:
    """The next ``hour``:00 in the recipient's time zone, strictly after ``now`` (UTC)."""
    local = now.astimezone(tz)
    candidate = datetime.combine(local.date(), time(hour), tzinfo=tz)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), time(hour), tzinfo=tz)
    return candidate.astimezone(UTC)


def digest_source_id(recipient_id: UUID, channel: str, due_at: datetime) -> UUID:
    """The same digest gets the same id however often it is assembled."""
    return uuid5(NAMESPACE_URL, f"sinergi:digest:{recipient_id}:{channel}:{due_at.isoformat()}")
