"""The console's event pages in-process against the real events and registry apps: times typed
in Jakarta time, the lifecycle buttons, and the events service's refusals shown."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from sinergi_console.app import create_app
from sinergi_console.session import SESSION_COOKIE
from sinergi_console.settings import ConsoleSettings
from sinergi_events.app import MIGRATIONS
from sinergi_events.app import definition as events_definition
from sinergi_events.settings import EventsSettings
from sinergi_kit.auth import Principal, Role, TokenVerifier
from sinergi_kit.migrations import upgrade
from sinergi_kit.runtime import create_app as create_service_app
from sinergi_kit.runtime import migrate
from sinergi_registry.app import definition as registry_definition
from sinergi_registry.settings import RegistrySettings

SECRET = "kunci-pengujian-konsol-acara-0123456789abcdef"
WIB = ZoneInfo("Asia/Jakarta")


class ByHost(httpx.AsyncBaseTransport):
    """Each service's in-process app under its own host name."""

    def __init__(self, apps: dict[str, httpx.AsyncBaseTransport]) -> None:
        self.apps = apps

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.apps[request.url.host].handle_async_request(request)


@pytest.fixture
async def console(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[httpx.AsyncClient]:
    registry_url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('registry') / 'r.db'}"
    registry = registry_definition(
        RegistrySettings(
            database_url=registry_url, jwt_secret=SECRET, nats_url="nats://127.0.0.1:1"
        )
    )
    await asyncio.to_thread(migrate, registry)
    await asyncio.to_thread(upgrade, MIGRATIONS, database_url)
    events_app = create_service_app(
        events_definition(
            EventsSettings(
                database_url=database_url,
                nats_url="nats://127.0.0.1:1",
                provision_topology_on_start=False,
                jwt_secret=SECRET,
                signing_keys={"k1": "kunci-tanda-tangan-konsol-0123456789abcdef"},
                scheduler_interval_s=3600,
            )
        )
    )
    registry_app = create_service_app(registry)
    routes = ByHost(
        {
            "registry": httpx.ASGITransport(app=registry_app),
            "events": httpx.ASGITransport(app=events_app),
        }
    )
    app = create_app(
        ConsoleSettings(registry_url="http://registry", events_url="http://events"), routes
    )
    token = TokenVerifier(RegistrySettings(jwt_secret=SECRET)).issue(
        Principal("operator", frozenset({Role.OPERATOR}), name="Operator Kominfo")
    )
    async with (
        events_app.router.lifespan_context(events_app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://console"
        ) as client,
    ):
        client.cookies.set(SESSION_COOKIE, token)
        yield client
    await app.state.services.close()
    if hasattr(registry_app.state, "account_reader"):
        registry_app.state.account_reader.close()
    await registry_app.state.runtime.db.dispose()


def typed(moment: datetime) -> str:
    return moment.astimezone(WIB).strftime("%Y-%m-%dT%H:%M")


async def test_an_event_is_created_in_jakarta_time_moved_and_cancelled(
    console: httpx.AsyncClient,
) -> None:
    starts = (datetime.now(WIB) + timedelta(days=3)).replace(hour=19, minute=30)
    created = await console.post(
        "/events",
        data={
            "title_id": "Kopilaborasi Desember",
            "title_en": "Kopilaborasi December",
            "theme_id": "Pemilu damai",
            "theme_en": "A peaceful election",
            "venue_name": "Pendopo",
            "starts_at": typed(starts),
            "ends_at": typed(starts + timedelta(hours=2)),
            "capacity": "40",
        },
    )
    assert created.status_code == 303, created.text
    event_path = created.headers["location"]
    page = (await console.get(event_path)).text
    assert "Kegiatan dibuat (draf)." in page and 'id="publish"' in page
    assert starts.strftime("%Y-%m-%dT19:30:00+07:00") in page  # shown as it was typed

    moved = starts + timedelta(days=1)
    await console.post(
        event_path + "/reschedule",
        data={"starts_at": typed(moved), "ends_at": typed(moved + timedelta(hours=2))},
    )
    page = (await console.get(event_path)).text
    assert "Jadwal dipindahkan." in page
    assert moved.strftime("%Y-%m-%dT19:30:00+07:00") in page

    refused = await console.post(
        event_path + "/reschedule",
        data={"starts_at": typed(moved), "ends_at": typed(moved - timedelta(hours=2))},
        headers={"referer": "http://console" + event_path},
    )
    assert refused.headers["location"] == event_path
    page = (await console.get(event_path)).text
    assert 'class="flash flash-error"' in page  # the events service's own problem detail

    await console.post(
        event_path + "/cancel", data={"reason_id": "Hujan deras", "reason_en": "Heavy rain"}
    )
    page = (await console.get(event_path)).text
    assert "Dibatalkan" in page and "Hujan deras" in page
    english = (await console.get(event_path, params={"lang": "en"})).text
    assert "Cancelled" in english and "Heavy rain" in english and "Kopilaborasi December" in english
