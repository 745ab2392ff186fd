"""SQLite under the async engine: statements run on the event loop's own thread.

aiosqlite hands every call (cursor, execute, fetch, close, commit) to a worker thread and
back, three or four round trips a statement. Measured, the hand-offs cost several times the
statements themselves: a primary-key read took about 540 µs of CPU through the thread and
120 µs run in place, and under load each hand-back also waits for the interpreter lock. A
local SQLite file answers the statements these services run in microseconds, so they run in
place; the one wait that could be long — another connection holding the write lock — is
spent in the event loop (see :meth:`LoopConnection.begin_immediate`), never inside SQLite's
busy handler, which would hold the loop.

Every connection runs in WAL mode with foreign keys on; writes start with ``BEGIN
IMMEDIATE`` so two writers queue for the lock instead of failing half-way with "database is
locked". Copying the WAL back into the database file is left to a thread of its own (see
:class:`WalCheckpointer`).
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import aiosqlite
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_

from sinergi_kit.logging import get_logger

log = get_logger(__name__)

BUSY_TIMEOUT_S = 10.0
CHECKPOINT_INTERVAL_S = 0.5
READ_ONLY_OPTION = "sinergi_read_only"


class _RunAtOnce:
    """Takes the place of the queue through which aiosqlite passes each call to its worker
    thread: the call runs at once, on the caller's thread, and settles its future before
    anyone awaits it."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, call = item
        try:
            result = call()
        except Exception as exc:
            if future is not None:
                future.set_exception(exc)
            return
        if future is not None:
            future.set_result(result)


class LoopConnection(aiosqlite.Connection):
    """An aiosqlite connection whose calls run on the event loop's thread."""

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._tx = _RunAtOnce()  # type: ignore[assignment]

    def __await__(self) -> Any:
        return self._connect().__await__()

    @property
    def in_place(self) -> sqlite3.Connection:
        """The sqlite3 connection itself, for statements run at the driver."""
        assert self._conn is not None, "not connected"
        return self._conn

    async def begin_immediate(self) -> None:
        """``BEGIN IMMEDIATE``, waiting for the write lock in the event loop: the connection's
        busy timeout is zero, so a held lock answers at once and the loop sleeps between
        tries (another process, or another engine of this one on the same file, may be the
        holder, and it needs the loop to finish)."""
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        pause = 0.0005
        while True:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.05)


def connect(database: str, **kwargs: Any) -> LoopConnection:
    """What ``aiosqlite.connect`` is to the dialect, for :class:`LoopConnection`."""
    return LoopConnection(partial(sqlite3.connect, database, **kwargs))


class WalCheckpointer:
    """Copies the WAL into the database file every ``interval_s``, on a thread of its own.

    Left to itself SQLite checkpoints inside the commit that takes the WAL past 1,000 pages:
    here that commit runs on the event loop's thread, and writing and syncing those pages
    (about 8 ms measured) held every request the loop was serving. A passive checkpoint never
    waits for a lock, and the sqlite3 module lets go of the interpreter lock while it works.
    """

    def __init__(self, path: str, interval_s: float = CHECKPOINT_INTERVAL_S) -> None:
        # mode=rw: a checkpointer outliving its database never creates an empty file.
        self.path = Path(path).resolve()
        self.uri = f"{self.path.as_uri()}?mode=rw"
        self.interval_s = interval_s
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the thread unless it runs (each new connection calls this)."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stopping.clear()
            self._thread = threading.Thread(
                target=self._run, name=f"sqlite-wal-checkpoint {self.path}", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        self._stopping.set()
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        try:
            connection = sqlite3.connect(self.uri, uri=True, isolation_level=None)
        except sqlite3.Error as exc:  # the file is gone: nothing left to checkpoint
            log.warning("sqlite.checkpointer_not_started", database=self.uri, error=repr(exc))
            return
        try:
            while not self._stopping.wait(self.interval_s):
                try:
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error as exc:
                    log.warning("sqlite.checkpoint_failed", database=self.uri, error=repr(exc))
        finally:
            connection.close()


def run_on_the_loop(engine: AsyncEngine, checkpointer: WalCheckpointer | None = None) -> None:
    """Make ``engine``'s SQLite connections :class:`LoopConnection`\\ s, with the pragmas and
    the transaction start described above; with a ``checkpointer`` (a database file), the
    connections never checkpoint themselves."""

    @event.listens_for(engine.sync_engine, "do_connect")
    def _connect(dialect: Any, _record: Any, cargs: list[Any], cparams: dict[str, Any]) -> Any:
        return dialect.dbapi.connect(*cargs, async_creator_fn=connect, **cparams)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take over transaction control from the driver so BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # No waiting inside SQLite (the driver's default is five seconds): it would hold the loop.
        cursor.execute("PRAGMA busy_timeout=0")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        if checkpointer is not None:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
            checkpointer.start()
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get(READ_ONLY_OPTION, False):
            connection.exec_driver_sql("BEGIN")
            return
        driver: LoopConnection = connection.connection.driver_connection  # type: ignore[assignment]
        await_(driver.begin_immediate())
