"""SQLite statements run on the event loop's thread, and waiting for another writer's lock
happens in the loop, which keeps serving everything else meanwhile."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, LargeBinary, Table, insert, select, text

from sinergi_kit import sqlite as kit_sqlite
from sinergi_kit.db import Database, make_metadata

metadata = make_metadata()
marks = Table("marks", metadata, Column("id", Integer, primary_key=True))
blobs = Table(
    "blobs", metadata, Column("id", Integer, primary_key=True), Column("body", LargeBinary)
)


async def _database(path: Path, **options: float) -> Database:
    db = Database(f"sqlite:///{path}", **options)
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


async def _write_pages(db: Database, megabytes: int) -> None:
    """Well past the 1,000 pages (4 MiB) at which SQLite would checkpoint on its own."""
    for _ in range(megabytes):
        async with db.sessions() as session, session.begin():
            await session.execute(insert(blobs), [{"body": bytes(4096)} for _ in range(256)])


def _size(path: Path | str) -> int:
    return Path(path).stat().st_size


def _checkpointers(path: Path) -> list[threading.Thread]:
    """The checkpointer threads of the database at ``path`` (other tests' may be running)."""
    return [t for t in threading.enumerate() if t.name == f"sqlite-wal-checkpoint {path}"]


async def test_commits_on_the_loop_never_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    db = await _database(path, checkpoint_interval_s=3600)
    try:
        await _write_pages(db, 8)
        assert _size(f"{path}-wal") > 8 * 2**20
        assert _size(path) < 2**20, "a commit copied the WAL into the database file"
    finally:
        await db.dispose()


async def test_the_checkpointer_thread_copies_the_wal_until_disposed(tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    db = await _database(path, checkpoint_interval_s=0.05)
    try:
        assert len(_checkpointers(path)) == 1
        await _write_pages(db, 8)
        for _ in range(200):
            if _size(path) > 8 * 2**20:
                break
            await asyncio.sleep(0.05)
        assert _size(path) > 8 * 2**20, "the WAL was never copied into the file"
    finally:
        await db.dispose()
    assert _checkpointers(path) == []
