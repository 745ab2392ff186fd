"""Many-row writes on a hot path, run at the driver.

A Core statement is compiled once for the database's dialect and run with
``exec_driver_sql`` inside the caller's transaction, its rows given in the driver's own
types (see :class:`DriverValues`). SQLAlchemy builds each row's parameters and runs each
column's bind processor in Python; for the door's scans and the outbox's events that work
cost several times what the database spent on the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any
from uuid import UUID

import orjson
from sqlalchemy import CursorResult, Dialect, Table, UpdateBase
from sqlalchemy.ext.asyncio import AsyncConnection

from sinergi_kit.clock import as_utc


def _sqlite_uuid(value: UUID | None) -> str | None:
    return None if value is None else value.hex


def _sqlite_timestamp(value: datetime | None) -> str | None:
    # The text SQLAlchemy's SQLite DateTime writes, of the instant in UTC.
    if value is None:
        return None
    return as_utc(value).replace(tzinfo=None).isoformat(" ", "microseconds")


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


def _as_is(value: Any) -> Any:
    return value


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


@dataclass(frozen=True)
class DriverValues:
    """How a value of a column type goes to the driver: as SQLAlchemy's bind processors
    for ``Uuid``, ``JSON`` and the kit's ``UtcTimestamp`` would send it (a naive time is
    UTC). Values the driver takes as they are (text, numbers, booleans) need none."""

    uuid: Callable[[UUID | None], Any]
    timestamp: Callable[[datetime | None], Any]
    json: Callable[[Any], str]

    @classmethod
    def of(cls, dialect: Dialect) -> DriverValues:
        if dialect.name == "sqlite":
            return _SQLITE
        return _POSTGRESQL


_SQLITE = DriverValues(uuid=_sqlite_uuid, timestamp=_sqlite_timestamp, json=_json_text)
# asyncpg takes UUIDs and zoned datetimes as they are, and JSON as text (the dialect's codec).
_POSTGRESQL = DriverValues(uuid=_as_is, timestamp=_utc, json=_json_text)


Rows = Sequence[Mapping[str, Any]]
Parameters = Callable[[Rows], list[tuple[Any, ...]]]


class DriverStatement:
    """A Core statement run for many rows with ``exec_driver_sql``: an executemany of the
    statement compiled once per dialect. Each row is a mapping holding ``keys`` with values
    already in the driver's types."""

    def __init__(self, statement: UpdateBase, keys: Sequence[str]) -> None:
        self.statement = statement
        self.keys = tuple(keys)
        self._compiled: dict[str, tuple[str, Parameters]] = {}

    def compile(self, dialect: Dialect) -> tuple[str, Parameters]:
        statement = self.statement.compile(dialect=dialect, column_keys=list(self.keys))
        order = statement.positiontup or []
        if sorted(order) != sorted(self.keys):
            raise ValueError(f"the statement takes {order}, not {self.keys}")
        # itemgetter of one key returns the value, not a 1-tuple.
        ordered = itemgetter(*order) if len(order) > 1 else lambda row: (row[order[0]],)
        return str(statement), lambda rows: [ordered(row) for row in rows]

    async def execute_many(self, connection: AsyncConnection, rows: Rows) -> CursorResult[Any]:
        dialect = connection.dialect
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = self.compile(dialect)
        sql, parameters = compiled
        return await connection.exec_driver_sql(sql, parameters(rows))


class DriverInsert(DriverStatement):
    """Rows inserted at the driver. On PostgreSQL the rows go as one array per column in a
    single ``INSERT … SELECT FROM unnest(…)``, one statement that asyncpg encodes in C,
    instead of an executemany of a statement per row; the rows keep their order."""

    def __init__(self, table: Table, keys: Sequence[str]) -> None:
        super().__init__(table.insert(), keys)
        self.table = table

    def compile(self, dialect: Dialect) -> tuple[str, Parameters]:
        if dialect.name != "postgresql":
            return super().compile(dialect)
        quote = dialect.identifier_preparer
        columns = [self.table.c[key] for key in self.keys]
        arrays = ", ".join(
            f"${n}::{column.type.compile(dialect=dialect)}[]"
            for n, column in enumerate(columns, start=1)
        )
        sql = (
            f"INSERT INTO {quote.format_table(self.table)} "
            f"({', '.join(quote.format_column(c) for c in columns)}) "
            f"SELECT * FROM unnest({arrays})"
        )
        keys = self.keys
        return sql, lambda rows: [tuple([row[key] for row in rows] for key in keys)]
