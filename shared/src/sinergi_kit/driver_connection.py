"""Statements on a hot path, handed straight to the driver on one pooled connection.

The statements are :class:`~sinergi_kit.driver.DriverQuery` reads and
:class:`~sinergi_kit.driver.DriverStatement` writes, run by asyncpg or by the in-place
SQLite connection. Measured on the door's batches on PostgreSQL, an ORM session's
transaction cost about 1.9 ms of CPU for a batch's five statements, most of it SQLAlchemy's
work around each statement rather than the driver's (0.5 ms for the same transaction run by
asyncpg alone); a round of the outbox relay cost about 2 ms for its read and its marking.

The connection comes from the database's pool, so it queues, is pinged and is handed back
like any other; a unique or foreign-key violation is raised as SQLAlchemy's
``IntegrityError``, as a session would raise it.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import asyncpg
from sqlalchemy import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from sinergi_kit.db import Database
from sinergi_kit.driver import DriverQuery, DriverStatement, DriverValues, Rows
from sinergi_kit.sqlite import LoopConnection

Write = tuple[DriverStatement, Rows]
_DriverWrite = tuple[str, list[tuple[Any, ...]]]


class ChangedSinceReadError(Exception):
    """A write made ``unchanged_since_read`` met a row changed since it was read (see
    :class:`~sinergi_kit.driver.DriverUpdate`); its statement wrote nothing."""


class DriverConnection(ABC):
    _integrity_errors: tuple[type[Exception], ...]
    _changed_since_read: tuple[type[Exception], ...] = ()

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.values = DriverValues.of(dialect)

    async def fetch(self, query: DriverQuery, parameters: Mapping[str, Any]) -> list[Any]:
        compiled = query.compiled(self.dialect)
        rows = await self._fetch(compiled.sql, compiled.parameters(parameters))
        return [compiled.row(raw) for raw in rows]

    async def execute_many(self, statement: DriverStatement, rows: Rows) -> None:
        await self.execute_together([(statement, rows)])

    async def execute_together(self, writes: Sequence[Write], *, as_one: bool = False) -> None:
        """Run ``writes`` in order (a write without rows is left out); where the database
        can, as one statement. ``as_one``: refuse writes that cannot be one statement (on a
        connection outside a transaction, two would commit apart)."""
        compiled = []
        for statement, rows in writes:
            if rows:
                sql, parameters = statement.compiled(self.dialect)
                compiled.append((sql, parameters(rows)))
        together = self._together(compiled)
        executions = sum(len(driver_rows) for _, driver_rows in together)
        if as_one and executions > 1:
            raise ValueError(f"{executions} executions where one statement was needed")
        for sql, driver_rows in together:
            try:
                await self._execute_many(sql, driver_rows)
            except self._integrity_errors as error:
                raise IntegrityError(sql, driver_rows, error) from error
            except self._changed_since_read as error:
                raise ChangedSinceReadError(str(error)) from error

    def _together(self, compiled: list[_DriverWrite]) -> list[_DriverWrite]:
        return compiled

    @abstractmethod
    async def _fetch(self, sql: str, parameters: tuple[Any, ...]) -> Sequence[Sequence[Any]]: ...

    @abstractmethod
    async def _execute_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None: ...


class _Asyncpg(DriverConnection):
    _integrity_errors = (asyncpg.IntegrityConstraintViolationError,)
    # At READ COMMITTED, which the services' transactions run at, only the function a
    # guarded update calls raises it.
    _changed_since_read = (asyncpg.SerializationError,)

    def __init__(self, dialect: Dialect, connection: Any) -> None:
        super().__init__(dialect)
        self._connection = connection

    async def _fetch(self, sql: str, parameters: tuple[Any, ...]) -> Sequence[Sequence[Any]]:
        rows: Sequence[Sequence[Any]] = await self._connection.fetch(sql, *parameters)
        return rows

    def _together(self, compiled: list[_DriverWrite]) -> list[_DriverWrite]:
        """Writes that are one execution each (all a DriverInsert's or DriverUpdate's rows go
        as one row of arrays) become one statement of data-modifying WITH queries: one round
        trip instead of one each. They see the same snapshot, so none may read what another
        writes."""
        if len(compiled) < 2 or any(len(rows) != 1 for _, rows in compiled):
            return compiled
        sql = _with_queries(tuple(sql for sql, _ in compiled))
        return [(sql, [tuple(value for _, rows in compiled for value in rows[0])])]

    async def _execute_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        # A DriverInsert or DriverUpdate sends all its rows as one row of arrays, and writes
        # sent together are one row too: one statement, not a batch.
        if len(rows) == 1:
            await self._connection.execute(sql, *rows[0])
        else:
            await self._connection.executemany(sql, rows)


_PLACEHOLDER = re.compile(r"\$(\d+)")


@functools.lru_cache(maxsize=64)
def _with_queries(statements: tuple[str, ...]) -> str:
    """``WITH w1 AS (first), … last``, each statement's $n placeholders numbered after the
    ones before it. The statements' texts are compiled from Core, where every value is a
    parameter, so a ``$`` followed by digits is always a placeholder."""
    parts = []
    taken = 0
    for sql in statements:
        parts.append(_renumbered(sql, taken))
        taken += max((int(n) for n in _PLACEHOLDER.findall(sql)), default=0)
    *first, last = parts
    return "WITH " + ", ".join(f"w{n} AS ({sql})" for n, sql in enumerate(first, 1)) + f" {last}"


def _renumbered(sql: str, after: int) -> str:
    return _PLACEHOLDER.sub(lambda placeholder: f"${int(placeholder.group(1)) + after}", sql)


class _Sqlite(DriverConnection):
    _integrity_errors = (sqlite3.IntegrityError,)

    def __init__(self, dialect: Dialect, connection: sqlite3.Connection) -> None:
        super().__init__(dialect)
        self._connection = connection

    async def _fetch(self, sql: str, parameters: tuple[Any, ...]) -> Sequence[Sequence[Any]]:
        return self._connection.execute(sql, parameters).fetchall()

    async def _execute_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        self._connection.executemany(sql, rows)


async def _driver_of(connection: AsyncConnection) -> Any:
    pooled = await connection.get_raw_connection()
    driver = pooled.driver_connection
    assert driver is not None, "a pooled connection is connected"
    return driver


def _on(connection: AsyncConnection, driver: Any) -> DriverConnection:
    if isinstance(driver, LoopConnection):
        return _Sqlite(connection.dialect, driver.in_place)
    return _Asyncpg(connection.dialect, driver)


@asynccontextmanager
async def driver_transaction(db: Database) -> AsyncIterator[DriverConnection]:
    """A write transaction on one of ``db``'s pooled connections: committed on a clean exit,
    rolled back on an exception. On SQLite it starts with ``BEGIN IMMEDIATE``, queued in the
    event loop like every write (see :mod:`sinergi_kit.sqlite`)."""
    async with db.engine.connect() as connection:
        driver = await _driver_of(connection)
        in_transaction = (
            _sqlite_transaction(driver)
            if isinstance(driver, LoopConnection)
            else _asyncpg_transaction(connection, driver)
        )
        async with in_transaction:
            yield _on(connection, driver)


@asynccontextmanager
async def _sqlite_transaction(driver: LoopConnection) -> AsyncIterator[None]:
    await driver.begin_immediate()
    try:
        yield
        driver.in_place.commit()
    except BaseException:
        driver.in_place.rollback()
        raise


@asynccontextmanager
async def _asyncpg_transaction(connection: AsyncConnection, driver: Any) -> AsyncIterator[None]:
    transaction = driver.transaction()
    try:
        await transaction.start()
        try:
            yield
        except BaseException:
            if not driver.is_closed():  # a lost connection's own error is the one to raise
                await transaction.rollback()
            raise
        await transaction.commit()
    except BaseException:
        # A connection that was lost, or whose transaction could not be ended, must not go
        # back to the pool.
        if driver.is_closed() or driver.is_in_transaction():
            await connection.invalidate()
        raise


@asynccontextmanager
async def _outside_a_transaction(engine: AsyncEngine) -> AsyncIterator[DriverConnection]:
    """One of ``engine``'s pooled connections, each statement its own transaction."""
    async with engine.connect() as connection:
        yield _on(connection, await _driver_of(connection))


def driver_statements(db: Database) -> AbstractAsyncContextManager[DriverConnection]:
    """One of ``db``'s pooled connections outside a transaction, each statement its own
    (on PostgreSQL; on SQLite use :func:`driver_transaction`, which queues the write)."""
    return _outside_a_transaction(db.engine)


def driver_reads(db: Database) -> AbstractAsyncContextManager[DriverConnection]:
    """Reads on one of ``db``'s pooled reading connections, outside a transaction: each
    statement is a snapshot of its own (on PostgreSQL, BEGIN and ROLLBACK would be two more
    round trips; on a SQLite file the reads have their own connections beside the writer)."""
    return _outside_a_transaction(db.read_engine)


async def execute_alone(db: Database, statement: DriverStatement, rows: Rows) -> None:
    """One write statement committed on its own: on PostgreSQL outside a transaction (a
    single statement is its own transaction there, and BEGIN and COMMIT would be two more
    round trips); on SQLite in a write transaction, queued for the write lock like every
    write."""
    if db.is_sqlite:
        async with driver_transaction(db) as transaction:
            await transaction.execute_many(statement, rows)
        return
    async with driver_statements(db) as connection:
        await connection.execute_many(statement, rows)
