"""A time that reaches notify with an offset other than UTC is stored as its instant: a reminder
for a meetup starting 10:00 WIB expires at 03:00 UTC on both backends, not seven hours late."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING

from sinergi_notify.testing import kopilaborasi, reminder_due

if TYPE_CHECKING:
    from conftest import NotifyFactory

WIB_OFFSET = timezone(timedelta(hours=7))


async def test_an_expiry_given_in_wib_is_stored_in_utc(notify_factory: NotifyFactory) -> None:
    notify = await notify_factory()
    person = await notify.person(email="hadir@example.id")
    event = kopilaborasi(starts_at=datetime(2026, 11, 28, 10, 0, tzinfo=WIB_OFFSET))
    await notify.deliver(reminder_due(person, event))
    rows = await notify.rows(person.id)
    assert rows
    for row in rows:
        assert row.expires_at == datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
        assert row.expires_at.utcoffset() == timedelta(0)
