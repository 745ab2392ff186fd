"""PostgreSQL connections are pinged only after they sat idle: a connection in steady use skips
the ping's round trips, and one the server dropped while it sat idle is replaced before anyone
uses it."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from sinergi_kit.db import PING_AFTER_IDLE_S, Database, ping_when_idle
from sinergi_kit.testing.plugin import asyncpg_dsn


async def _backend(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        pid: int = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        return pid


async def test_a_connection_back_a_moment_ago_goes_out_without_a_ping(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_async_engine(postgres_url, pool_size=1, max_overflow=0)
    ping_when_idle(engine, idle_s=0.2)
    pings: list[Any] = []
    do_ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(c) or do_ping(c))
    try:
        first = await _backend(engine)
        assert await _backend(engine) == first
        assert pings == []
        await asyncio.sleep(0.3)
        assert await _backend(engine) == first
        assert len(pings) == 1
    finally:
        await engine.dispose()


async def test_a_connection_dropped_while_idle_is_replaced_unnoticed(postgres_url: str) -> None:
    db = Database(postgres_url)
    try:
        first = await _backend(db.engine)
        admin = await asyncpg.connect(asyncpg_dsn(postgres_url))
        try:
            await admin.execute("SELECT pg_terminate_backend($1)", first)
        finally:
            await admin.close()
        await asyncio.sleep(PING_AFTER_IDLE_S + 0.1)
        assert await _backend(db.engine) != first
    finally:
        await db.dispose()
