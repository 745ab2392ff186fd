"""A follower count observed at a time with an offset other than UTC is stored as its instant
and read back in UTC on both backends."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import UUID

from sinergi_registry.adapters.repository import AccountRepository

from .conftest import Registry
from .test_http_accounts import create

WIB_OFFSET = timezone(timedelta(hours=7))


async def test_a_wib_observation_is_read_back_in_utc(registry: Registry) -> None:
    account = (await create(registry)).json()
    async with registry.runtime.db.sessions() as session, session.begin():
        await AccountRepository(session).record_followers(
            UUID(account["id"]), 17_000, datetime(2026, 12, 1, 12, 13, tzinfo=WIB_OFFSET), "manual"
        )
    history = await registry.client.get(
        f"/accounts/{account['id']}/history", headers=registry.operator
    )
    assert history.status_code == 200, history.text
    observed = [s["observed_at"] for s in history.json()["followers"] if s["followers"] == 17_000]
    assert observed == ["2026-12-01T05:13:00Z"]
