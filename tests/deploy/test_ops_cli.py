"""Ops commands: purge-inbox on every service's command line, `sinergi health` arguments."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from sqlalchemy import func, select
from typer.testing import CliRunner

from sinergi_events.adapters.tables import messaging
from sinergi_events.cli import app as events_cli
from sinergi_kit.cli import app as sinergi_cli
from sinergi_kit.clock import as_utc, utcnow
from sinergi_kit.db import Database
from sinergi_kit.nats_server import free_port


async def seed_inbox(database_url: str, ages_days: list[int]) -> None:
    db = Database(database_url)
    try:
        async with db.sessions() as session, session.begin():
            await session.execute(
                messaging.inbox.insert(),
                [
                    {
                        "consumer": "events-registry",
                        "event_id": uuid.uuid4(),
                        "event_type": "sinergi.registry.account.registered.v1",
                        "processed_at": utcnow() - timedelta(days=age),
                    }
                    for age in ages_days
                ],
            )
    finally:
        await db.dispose()


async def inbox_ages(database_url: str) -> list[int]:
    db = Database(database_url)
    try:
        async with db.read() as session:
            rows = (await session.execute(select(messaging.inbox.c.processed_at))).scalars()
            now = utcnow()
            return sorted(round((now - as_utc(at)).total_seconds() / 86_400) for at in rows)
    finally:
        await db.dispose()


def test_purge_inbox_keeps_what_the_streams_could_still_redeliver(database_url: str) -> None:
    runner = CliRunner()
    env = {"SINERGI_EVENTS_DATABASE_URL": database_url}
    migrated = runner.invoke(events_cli, ["migrate"], env=env)
    assert migrated.exit_code == 0, migrated.output
    asyncio.run(seed_inbox(database_url, [200, 91, 89, 10, 0]))

    purged = runner.invoke(events_cli, ["purge-inbox"], env=env)
    assert purged.exit_code == 0, purged.output
    assert "2 inbox rows purged" in purged.output
    assert asyncio.run(inbox_ages(database_url)) == [0, 10, 89]

    refused = runner.invoke(events_cli, ["purge-inbox", "--older-than-days", "7"], env=env)
    assert refused.exit_code == 2
    assert "90" in refused.output and "--force" in refused.output
    assert asyncio.run(inbox_ages(database_url)) == [0, 10, 89]

    forced = runner.invoke(
        events_cli, ["purge-inbox", "--older-than-days", "7", "--force"], env=env
    )
    assert forced.exit_code == 0, forced.output
    assert asyncio.run(inbox_ages(database_url)) == [0]


def test_inbox_row_count_is_unchanged_when_nothing_is_old(database_url: str) -> None:
    runner = CliRunner()
    env = {"SINERGI_EVENTS_DATABASE_URL": database_url}
    assert runner.invoke(events_cli, ["migrate"], env=env).exit_code == 0
    asyncio.run(seed_inbox(database_url, [1, 2]))
    result = runner.invoke(events_cli, ["purge-inbox"], env=env)
    assert result.exit_code == 0
    assert "0 inbox rows purged" in result.output

    async def count() -> int:
        db = Database(database_url)
        try:
            async with db.read() as session:
                return int(
                    (
                        await session.execute(select(func.count()).select_from(messaging.inbox))
                    ).scalar_one()
                )
        finally:
            await db.dispose()

    assert asyncio.run(count()) == 2


def test_health_rejects_a_malformed_target() -> None:
    result = CliRunner().invoke(sinergi_cli, ["health", "--service", "registry:8101"])
    assert result.exit_code == 2
    assert "NAME=http(s)://HOST:PORT" in result.output


def test_health_reports_an_unreachable_service_and_fails() -> None:
    port = free_port()
    result = CliRunner().invoke(
        sinergi_cli, ["health", "--timeout", "1", "--service", f"registry=http://127.0.0.1:{port}"]
    )
    assert result.exit_code == 1
    assert "unreachable" in result.output and "registry" in result.output
