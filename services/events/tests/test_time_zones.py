"""Times sent with an offset other than UTC keep their instant: the API answers them in UTC
on both backends, right after the write and when read back from the database."""

from __future__ import annotations

import asyncio

import httpx

from sinergi_kit.auth import Role
from sinergi_kit.testing.apps import build_service_app

from .factories import PENDOPO


async def test_a_wib_start_is_read_back_as_its_utc_instant(database_url: str) -> None:
    events = await asyncio.to_thread(build_service_app, "events", database_url)
    body = {
        "title": {"id": "Kopilaborasi", "en": "Kopilaborasi"},
        "theme": {"id": "Pemilu damai", "en": "A peaceful election"},
        "venue": PENDOPO.model_dump(),
        "starts_at": "2026-12-01T12:13:00+07:00",
        "ends_at": "2026-12-01T15:13:00+07:00",
        "rsvp_deadline": "2026-11-30T20:00:00+07:00",
        "agenda": [
            {
                "starts_at": "2026-12-01T12:30:00+07:00",
                "ends_at": "2026-12-01T13:00:00+07:00",
                "title": {"id": "Pembukaan", "en": "Opening"},
            }
        ],
    }
    try:
        transport = httpx.ASGITransport(app=events.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://events") as client:
            created = await client.post("/events", json=body, headers=events.auth(Role.OPERATOR))
            assert created.status_code == 201, created.text
            read = await client.get(
                f"/events/{created.json()['id']}", headers=events.auth(Role.VIEWER)
            )
        assert read.status_code == 200, read.text
        for answer in (created.json(), read.json()):
            assert answer["starts_at"] == "2026-12-01T05:13:00Z"
            assert answer["ends_at"] == "2026-12-01T08:13:00Z"
            assert answer["starts_at_local"] == "2026-12-01T12:13:00+07:00"
            assert answer["rsvp_deadline"] == "2026-11-30T13:00:00Z"
            assert answer["agenda"][0]["starts_at"] == "2026-12-01T05:30:00Z"
    finally:
        await events.runtime.db.dispose()
