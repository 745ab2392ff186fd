"""Times in notify's HTTP answers carry their zone on every backend (SQLite returns naive
datetimes; a bare one is not an RFC 3339 date-time)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx

from sinergi_kit.auth import Role
from sinergi_kit.testing.apps import build_service_app
from sinergi_notify.service_layer.templates import seed_defaults


async def test_template_times_are_given_with_their_zone(database_url: str) -> None:
    notify = await asyncio.to_thread(build_service_app, "notify", database_url)
    try:
        await seed_defaults(notify.runtime.db, datetime(2026, 11, 22, 4, 20, tzinfo=UTC))
        transport = httpx.ASGITransport(app=notify.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://notify") as client:
            response = await client.get("/templates", headers=notify.auth(Role.VIEWER))
        assert response.status_code == 200, response.text
        times = {template["created_at"] for template in response.json()}
        assert times == {"2026-11-22T04:20:00Z"}
    finally:
        await notify.runtime.db.dispose()
