"""The outbox relay in a process of its own (PostgreSQL): the service commits its events and
publishes none of them itself; the relay process publishes them, at a lower priority, and stops
cleanly on SIGTERM. Real processes, real PostgreSQL and NATS."""

from __future__ import annotations

import asyncio
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import nats
import psutil
import pytest
from nats.js.errors import NotFoundError
from sqlalchemy import func, select
from typer.testing import CliRunner

from sinergi_events.adapters.tables import messaging
from sinergi_kit import relay_process
from sinergi_kit.auth import Principal, Role, TokenVerifier
from sinergi_kit.contracts.events import EventPublishedV1
from sinergi_kit.db import Database
from sinergi_kit.messaging.topology import stream_name
from sinergi_kit.nats_server import free_port
from sinergi_kit.runtime import RelayPlacementError, ServiceRuntime
from sinergi_kit.service_cli import build_service_cli
from sinergi_kit.settings import ServiceSettings
from sinergi_kit.testing.apps import service_definition, service_settings
from sinergi_kit.testing.processes import ServiceProcess, wait_until

JWT_SECRET = "kunci-relay-terpisah-" + "r" * 40


def _published_event(service: ServiceProcess, token: str) -> str:
    starts = datetime.now(UTC) + timedelta(days=10)
    headers = {"authorization": f"Bearer {token}"}
    with httpx.Client(base_url=service.base_url, headers=headers, timeout=10) as client:
        created = client.post(
            "/events",
            json={
                "title": {"id": "Kopilaborasi Jombang", "en": "Kopilaborasi Jombang"},
                "theme": {"id": "Lawan hoaks", "en": "Against hoaxes"},
                "venue": {"name": "Pendopo Kabupaten Jombang", "address": "Jombang"},
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=3)).isoformat(),
            },
        )
        created.raise_for_status()
        event_id: str = created.json()["id"]
        client.post(f"/events/{event_id}/publish").raise_for_status()
    return event_id


async def _last_published(nats_url: str) -> str | None:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        message = await js.get_last_msg(stream_name("events"), EventPublishedV1.event_type)
    except NotFoundError:
        return None
    finally:
        await nc.close()
    return (message.headers or {}).get("ce-subject")


def last_published(nats_url: str) -> str | None:
    return asyncio.run(_last_published(nats_url))


async def _unpublished(url: str) -> int:
    db = Database(url)
    try:
        async with db.read() as session:
            query = select(func.count()).where(messaging.outbox.c.published_at.is_(None))
            count: Any = (await session.execute(query)).scalar_one()
            return int(count)
    finally:
        await db.dispose()


def test_a_relay_apart_publishes_what_the_service_commits(
    postgres_url: str, clean_nats: str, tmp_path: Path
) -> None:
    heartbeat = tmp_path / "relay.alive"
    metrics_port = free_port()
    service = ServiceProcess(
        "events",
        postgres_url,
        clean_nats,
        tmp_path / "events.log",
        extra_env={
            "SINERGI_EVENTS_JWT_SECRET": JWT_SECRET,
            "SINERGI_EVENTS_OUTBOX_RELAY_PROCESS_HEARTBEAT": str(heartbeat),
            "SINERGI_EVENTS_OUTBOX_RELAY_PROCESS_METRICS_PORT": str(metrics_port),
        },
        relay_apart=True,
    )
    token = TokenVerifier(ServiceSettings(jwt_secret=JWT_SECRET)).issue(
        Principal("operator-relay", frozenset({Role.OPERATOR}))
    )
    service.start()
    try:
        assert service.relay is not None
        assert psutil.Process(service.relay.pid).nice() == 10
        wait_until(heartbeat.exists, 10)

        first = _published_event(service, token)
        wait_until(lambda: last_published(clean_nats) == first, 15)
        counted = 'sinergi_events_published_total{service="events"} 1.0'
        metrics = f"http://127.0.0.1:{metrics_port}/metrics"
        wait_until(lambda: counted in httpx.get(metrics, timeout=5).text, 10)

        service.relay.send_signal(signal.SIGTERM)
        assert service.relay.wait(timeout=15) == 0
        assert b"outbox.relay_process_stopped" in service.relay_log_path.read_bytes()

        second = _published_event(service, token)
        time.sleep(1.0)  # five polls of the service's own relay (0.2 s here), had it one
        assert last_published(clean_nats) == first
        assert asyncio.run(_unpublished(postgres_url)) >= 1

        service.start_relay()
        wait_until(lambda: last_published(clean_nats) == second, 20)
        # marked published once its PubAck is in, a moment after the message is stored
        wait_until(lambda: asyncio.run(_unpublished(postgres_url)) == 0, 10)
    finally:
        service.stop()


def test_a_relay_apart_is_refused_on_sqlite(tmp_path: Path) -> None:
    database = tmp_path / "events.db"
    settings = service_settings(
        "events", f"sqlite+aiosqlite:///{database}", outbox_relay="own_process"
    )
    cli = build_service_cli(lambda: service_definition("events", settings))
    for command in ("relay", "serve"):
        result = CliRunner().invoke(cli, [command])
        assert result.exit_code == 2, command
        assert "outbox_relay=own_process needs PostgreSQL" in result.output, command
    assert not database.exists()
    with pytest.raises(RelayPlacementError):
        ServiceRuntime(service_definition("events", settings))


def test_the_heartbeat_stops_when_the_relay_makes_no_progress(tmp_path: Path) -> None:
    heartbeat = tmp_path / "relay.alive"
    relay = SimpleNamespace(last_progress_at=time.monotonic() - relay_process.STALLED_AFTER_S - 1)

    assert not relay_process.beat_once(relay, heartbeat)  # type: ignore[arg-type]
    assert not heartbeat.exists()

    relay.last_progress_at = time.monotonic()
    assert relay_process.beat_once(relay, heartbeat)  # type: ignore[arg-type]
    assert heartbeat.exists()
