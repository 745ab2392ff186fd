"""SQLite statements run on the event loop's thread, and waiting for another writer's lock
happens in the loop, which keeps serving everything else meanwhile."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, Table, insert, select, text

from sinergi_kit import sqlite as kit_sqlite
from sinergi_kit.db import Database, make_metadata

metadata = make_metadata()
marks = Table("marks", metadata, Column("id", Integer, primary_key=True))


async def _database(path: Path) -> Database:
    db = Database(f"sqlite:///{path}")
    async with db.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    return db


async def test_statements_run_on_the_event_loop_thread(tmp_path: Path) -> None:
    db = await _database(tmp_path / "loop.db")
    try:
        for sessions in (db.sessions, db.read_sessions):
            async with sessions() as session:
                connection = await session.connection()
                raw = await connection.get_raw_connection()
                driver = raw.driver_connection
                assert isinstance(driver, kit_sqlite.LoopConnection)
                driver._conn.create_function("thread_id", 0, threading.get_ident)
                ran_on = (await session.execute(text("SELECT thread_id()"))).scalar_one()
                assert ran_on == threading.get_ident()
        modes = {}
        async with db.read() as session:
            modes["journal"] = (await session.execute(text("PRAGMA journal_mode"))).scalar()
            modes["foreign_keys"] = (await session.execute(text("PRAGMA foreign_keys"))).scalar()
        assert modes == {"journal": "wal", "foreign_keys": 1}
    finally:
        await db.dispose()


async def test_a_writer_waits_for_another_engines_lock_in_the_loop(tmp_path: Path) -> None:
    path = tmp_path / "two.db"
    first, second = await _database(path), Database(f"sqlite:///{path}")
    ticks = 0
    holding = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.005)

    async def hold_the_lock() -> None:
        async with first.sessions() as session, session.begin():
            await session.execute(insert(marks).values(id=1))
            holding.set()
            await asyncio.sleep(0.3)

    async def write_meanwhile() -> int:
        await holding.wait()
        before = ticks
        async with second.sessions() as session, session.begin():
            await session.execute(insert(marks).values(id=2))
        return ticks - before

    ticking = asyncio.create_task(ticker())
    try:
        _, ticks_while_waiting = await asyncio.gather(hold_the_lock(), write_meanwhile())
        async with second.read() as session:
            assert list(await session.scalars(select(marks.c.id).order_by(marks.c.id))) == [1, 2]
        # The loop kept running while the second writer waited for the first one's commit.
        assert ticks_while_waiting >= 10
    finally:
        ticking.cancel()
        await first.dispose()
        await second.dispose()


async def test_a_lock_held_past_the_timeout_is_reported_busy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kit_sqlite, "BUSY_TIMEOUT_S", 0.05)
    path = tmp_path / "busy.db"
    await (await _database(path)).dispose()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    db = Database(f"sqlite:///{path}")
    try:
        with pytest.raises(sqlite3.OperationalError) as refused:
            async with db.sessions() as session, session.begin():
                await session.execute(insert(marks).values(id=1))
        assert refused.value.sqlite_errorcode == sqlite3.SQLITE_BUSY
    finally:
        holder.rollback()
        holder.close()
        await db.dispose()
