"""Async SQLAlchemy 2 for SQLite (embedded default) and PostgreSQL (production).

One URL setting picks the backend; how SQLite runs under the async engine is in
:mod:`sinergi_kit.sqlite`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import (
    ColumnElement,
    DateTime,
    Dialect,
    MetaData,
    String,
    Table,
    TypeDecorator,
    Uuid,
    any_,
    bindparam,
    event,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from sinergi_kit.clock import as_utc
from sinergi_kit.sqlite import (
    CHECKPOINT_INTERVAL_S,
    READ_ONLY_OPTION,
    WalCheckpointer,
    run_on_the_loop,
)

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def make_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


class UtcTimestamp(TypeDecorator[datetime]):
    """A point in time, stored in UTC and read back zone-aware on every backend.

    SQLite has no zoned type: SQLAlchemy writes a datetime's wall-clock digits and drops its
    offset, so 12:13+07:00 would come back as 12:13 UTC. Converting on the way in keeps the
    instant; naive values are UTC by the storage rule."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


BACKENDS = ("sqlite", "postgresql")
"""The names of the two backends, as their dialects and :attr:`Database.backend` give them."""


class _ListAsJson(TypeDecorator[list[Any]]):
    """A list parameter sent to SQLite as one JSON array, its ids as the hex text SQLite
    keeps them as."""

    impl = String
    cache_ok = True

    def __init__(self, *, ids: bool) -> None:
        super().__init__()
        self.ids = ids

    def process_bind_param(self, value: list[Any] | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return orjson.dumps([item.hex for item in value] if self.ids else value).decode()


def one_of(column: ColumnElement[Any], name: str, backend: str) -> ColumnElement[bool]:
    """``column`` is one of the list given as the parameter ``name``, in a statement built
    once for ``backend``: one statement text whatever the list's length, where SQLAlchemy
    renders an expanding ``IN`` list's placeholders at every execution (and asyncpg prepares
    each length apart). On PostgreSQL the list goes as one array (``= ANY``), on SQLite as
    one JSON array read with ``json_each``."""
    if backend == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(column.type)))
    listed = func.json_each(
        bindparam(name, type_=_ListAsJson(ids=isinstance(column.type, Uuid)))
    ).table_valued("value")
    return column.in_(select(listed.c.value))


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` / ``sqlite://`` URLs and pick the async driver."""
    parsed = make_url(url)
    driver = {
        "postgresql": "postgresql+asyncpg",
        "postgres": "postgresql+asyncpg",
        "sqlite": "sqlite+aiosqlite",
    }.get(parsed.drivername)
    if driver:
        parsed = parsed.set(drivername=driver)
    return parsed.render_as_string(hide_password=False)


PING_AFTER_IDLE_S = 1.0


def ping_when_idle(engine: AsyncEngine, idle_s: float = PING_AFTER_IDLE_S) -> None:
    """Pessimistic disconnect handling without its cost on busy connections: a connection
    handed back less than ``idle_s`` ago worked a moment ago and goes out as it is; one idle
    for longer is pinged first and, if the server dropped it, replaced (the pool tries a new
    connection). SQLAlchemy's ``pool_pre_ping`` pings at every checkout, and with asyncpg a
    ping is three round trips (BEGIN, an empty statement, ROLLBACK): three of the door
    batch's ten, six of the outbox relay's twelve a round."""

    @event.listens_for(engine.sync_engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _handed_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned_at = record.info.get("returned_at")
        if returned_at is None or time.monotonic() - returned_at < idle_s:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            if engine.dialect.is_disconnect(exc, dbapi_connection, None):
                raise DisconnectionError(str(exc)) from exc
            raise


class Database:
    """An engine with a session factory for writes and one for reads.

    On a SQLite file the writes of one process take turns on a single pooled connection:
    a writer waits in the event loop and is woken the moment the one before it commits,
    instead of meeting SQLite's lock and sleeping in its busy handler (1, 2, 5, 10… ms) while
    the lock may long be free. Reads have their own pool (WAL lets them read beside the
    writer)."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 10,
        checkpoint_interval_s: float = CHECKPOINT_INTERVAL_S,
    ) -> None:
        self.url = normalise_url(url)
        parsed = make_url(self.url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        kwargs: dict[str, Any] = {}
        on_file = self.is_sqlite and bool(parsed.database) and parsed.database != ":memory:"
        if on_file:
            Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
        if not self.is_sqlite:
            kwargs.update(pool_size=pool_size, max_overflow=pool_size)
        self.engine: AsyncEngine = create_async_engine(
            self.url, **kwargs, **({"pool_size": 1, "max_overflow": 0} if on_file else {})
        )
        reader = create_async_engine(self.url, **kwargs) if on_file else self.engine
        self._engines = [self.engine, reader] if on_file else [self.engine]
        if not self.is_sqlite:
            ping_when_idle(self.engine)
        self._checkpointer = (
            WalCheckpointer(str(parsed.database), checkpoint_interval_s) if on_file else None
        )
        if self.is_sqlite:
            for engine in self._engines:
                run_on_the_loop(engine, self._checkpointer)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.read_engine = reader.execution_options(**{READ_ONLY_OPTION: True})
        self.read_sessions = async_sessionmaker(self.read_engine, expire_on_commit=False)

    @property
    def backend(self) -> str:
        return "sqlite" if self.is_sqlite else "postgresql"

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self.read_sessions() as session:
            yield session

    async def ping(self) -> None:
        async with self.read() as session:
            await session.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        for engine in self._engines:
            await engine.dispose()
        if self._checkpointer is not None:
            await asyncio.to_thread(self._checkpointer.stop)


def insert_on_conflict(table: Table, dialect: str) -> Any:
    """An insert into ``table`` that takes ``ON CONFLICT`` clauses, in ``dialect``'s own
    form (``postgresql`` or ``sqlite``)."""
    return (sqlite_insert if dialect == "sqlite" else pg_insert)(table)


@lru_cache(maxsize=64)
def _upsert_statement(table: Table, dialect: str, key: str, version: str) -> Any:
    statement = insert_on_conflict(table, dialect)
    return statement.on_conflict_do_update(
        index_elements=[key],
        set_={c.name: statement.excluded[c.name] for c in table.columns if c.name != key},
        where=table.c[version] < statement.excluded[version],
    )


async def upsert_newer(
    session: AsyncSession,
    table: Table,
    rows: list[dict[str, Any]],
    *,
    key: str = "id",
    version: str = "version",
) -> None:
    """Insert rows, or overwrite an existing row only with a higher version.

    Projections use it: events carry the aggregate's full state and version, so an old
    event arriving late never overwrites newer state. Within ``rows`` the highest version of
    each key wins.
    """
    newest: dict[Any, dict[str, Any]] = {}
    for row in rows:
        current = newest.get(row[key])
        if current is None or current[version] < row[version]:
            newest[row[key]] = row
    if newest:
        statement = _upsert_statement(table, session.get_bind().dialect.name, key, version)
        await session.execute(statement, list(newest.values()))
