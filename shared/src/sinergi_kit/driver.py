"""Statements on a hot path, run at the driver.

A Core statement is compiled once for the database's dialect and run by the driver itself:
with ``exec_driver_sql`` inside the caller's transaction, or in a
:class:`~sinergi_kit.driver_connection.DriverConnection`. Written rows are given in the
driver's own types (see :class:`DriverValues`); a :class:`DriverQuery` converts what it
reads as Core would. SQLAlchemy builds each row's parameters and runs each column's bind
processor in Python; for the door's scans and the outbox's events that work cost several
times what the database spent on the rows.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any, Generic, TypeVar
from uuid import UUID

import orjson
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ColumnElement,
    CursorResult,
    Dialect,
    Enum,
    Float,
    Integer,
    Select,
    String,
    Table,
    UpdateBase,
    Uuid,
    bindparam,
    literal_column,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import TypeEngine

from sinergi_kit.clock import as_utc
from sinergi_kit.db import UtcTimestamp


def _sqlite_uuid(value: UUID | None) -> str | None:
    return None if value is None else value.hex


def _sqlite_timestamp(value: datetime | None) -> str | None:
    # The text SQLAlchemy's SQLite DateTime writes, of the instant in UTC.
    if value is None:
        return None
    return as_utc(value).replace(tzinfo=None).isoformat(" ", "microseconds")


def _from_sqlite_timestamp(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


def _from_sqlite_uuid(value: str | None) -> UUID | None:
    return None if value is None else UUID(hex=value)


def _from_sqlite_boolean(value: int | None) -> bool | None:
    return None if value is None else bool(value)


def _from_json_text(value: str | None) -> Any:
    return None if value is None else orjson.loads(value)


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


def _as_is(value: Any) -> Any:
    return value


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


def _json_fragment(value: Any) -> orjson.Fragment:
    """A JSON value set into the document a PostgreSQL write sends (see
    :func:`_as_document`) as it is, an object rather than a string of its text."""
    return orjson.Fragment(orjson.dumps(value))


@dataclass(frozen=True)
class DriverValues:
    """How a value of a column type goes to the driver: as SQLAlchemy's bind processors
    for ``Uuid``, ``JSON`` and the kit's ``UtcTimestamp`` would send it (a naive time is
    UTC). Values the driver takes as they are (text, numbers, booleans) need none."""

    uuid: Callable[[UUID | None], Any]
    timestamp: Callable[[datetime | None], Any]
    json: Callable[[Any], Any]
    listed: Callable[[list[Any]], Any]
    """A list parameter of the kit's ``one_of``, its items already the driver's."""
    readers: Mapping[type[TypeEngine[Any]], Callable[[Any], Any] | None]
    """How a value the driver reads becomes what Core returns, by column type (``None``:
    as the driver gives it)."""

    @classmethod
    def of(cls, dialect: Dialect) -> DriverValues:
        if dialect.name == "sqlite":
            return _SQLITE
        return _POSTGRESQL

    def reader(self, column_type: TypeEngine[Any]) -> Callable[[Any], Any] | None:
        # An Enum is a String, but Core returns its enum class's members.
        if not (isinstance(column_type, Enum) and column_type.enum_class is not None):
            for kind, read in self.readers.items():
                if isinstance(column_type, kind):
                    return read
        raise ValueError(f"a column of type {column_type!r} is not read at the driver")


_AS_GIVEN: dict[type[TypeEngine[Any]], None] = {String: None, Integer: None, Float: None}
_SQLITE = DriverValues(
    uuid=_sqlite_uuid,
    timestamp=_sqlite_timestamp,
    json=_json_text,
    listed=_json_text,
    readers={
        **_AS_GIVEN,
        Uuid: _from_sqlite_uuid,
        UtcTimestamp: _from_sqlite_timestamp,
        Boolean: _from_sqlite_boolean,
        JSON: _from_json_text,
    },
)
# The rows written go as one JSON document (UUIDs and zoned datetimes as orjson writes
# them); asyncpg reads JSON through the codec the dialect sets on each connection.
_POSTGRESQL = DriverValues(
    uuid=_as_is,
    timestamp=_utc,
    json=_json_fragment,
    listed=_as_is,
    readers={**_AS_GIVEN, Uuid: None, UtcTimestamp: _utc, Boolean: None, JSON: None},
)


Rows = Sequence[Mapping[str, Any]]
Parameters = Callable[[Rows], list[tuple[Any, ...]]]


Compiled = TypeVar("Compiled")


class _CompiledOncePerDialect(ABC, Generic[Compiled]):
    def __init__(self) -> None:
        self._compiled: dict[str, Compiled] = {}

    def compiled(self, dialect: Dialect) -> Compiled:
        """What :meth:`compile` gives for ``dialect``, compiled on first use."""
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = self.compile(dialect)
        return compiled

    @abstractmethod
    def compile(self, dialect: Dialect) -> Compiled: ...


class DriverStatement(_CompiledOncePerDialect[tuple[str, Parameters]]):
    """A Core statement run for many rows with ``exec_driver_sql``: an executemany of the
    statement compiled once per dialect (its text, and how rows become the driver's
    parameters). Each row is a mapping holding ``keys`` with values already in the driver's
    types."""

    def __init__(self, statement: UpdateBase, keys: Sequence[str]) -> None:
        super().__init__()
        self.statement = statement
        self.keys = tuple(keys)

    def compile(self, dialect: Dialect) -> tuple[str, Parameters]:
        statement = self.statement.compile(dialect=dialect, column_keys=list(self.keys))
        order = statement.positiontup or []
        if sorted(order) != sorted(self.keys):
            raise ValueError(f"the statement takes {order}, not {self.keys}")
        return str(statement), _in_order(order)

    async def execute_many(self, connection: AsyncConnection, rows: Rows) -> CursorResult[Any]:
        sql, parameters = self.compiled(connection.dialect)
        return await connection.exec_driver_sql(sql, parameters(rows))


class DriverInsert(DriverStatement):
    """Rows inserted at the driver. On PostgreSQL the rows go as one JSON document, read
    back into typed rows by ``json_to_recordset``, in a single ``INSERT … SELECT``, instead
    of an executemany of a statement per row; the rows keep their order."""

    def __init__(self, table: Table, keys: Sequence[str]) -> None:
        super().__init__(table.insert(), keys)
        self.table = table

    def compile(self, dialect: Dialect) -> tuple[str, Parameters]:
        if dialect.name != "postgresql":
            return super().compile(dialect)
        table, values, given = _recordset(dialect, self.table, self.keys)
        names = ", ".join(name for name, _ in values)
        sql = f"INSERT INTO {table} ({names}) SELECT * FROM {given}"
        return sql, _as_document(self.keys)


def _in_order(keys: Sequence[str]) -> Parameters:
    """Each row as a tuple of its values of ``keys``."""
    # itemgetter of one key returns the value, not a 1-tuple.
    ordered = itemgetter(*keys) if len(keys) > 1 else lambda row: (row[keys[0]],)
    return lambda rows: [ordered(row) for row in rows]


def _as_document(keys: Sequence[str]) -> Parameters:
    """All rows as one parameter: a JSON array of objects holding ``keys``. Encoding the
    rows' values as one array per column cost asyncpg several times as much (an abstract
    base class check for every array and every value in it): 400 against 170 µs of CPU
    for a statement of 31 door scans."""

    def document(rows: Rows) -> list[tuple[Any, ...]]:
        given = [{key: row[key] for key in keys} for row in rows]
        return [(orjson.dumps(given, default=_uuid_text, option=orjson.OPT_NAIVE_UTC).decode(),)]

    return document


def _uuid_text(value: Any) -> str:
    """asyncpg reads UUIDs as its own subclass of ``UUID``, which orjson does not take."""
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not written at the driver")


def _recordset(
    dialect: Dialect,
    table: Table,
    keys: Sequence[str],
    name: str = "given",
    also: Sequence[tuple[str, str]] = (),
) -> tuple[str, list[tuple[str, str]], str]:
    """For a PostgreSQL statement taking its rows as :func:`_as_document` gives them: the
    table's quoted name; for each key its quoted column name and its value in the given
    row; and the given rows, ``json_to_recordset($1::json) AS given (key type, …)``, with
    ``also`` the names and types of given values that are no column of the table."""
    quote = dialect.identifier_preparer
    columns = [(key, table.c[key]) for key in keys]
    typed = ", ".join(
        [f"{quote.quote(k)} {c.type.compile(dialect=dialect)}" for k, c in columns]
        + [f"{quote.quote(k)} {sql_type}" for k, sql_type in also]
    )
    given = f"json_to_recordset($1::json) AS {name} ({typed})"
    values = [(quote.format_column(c), f"{name}.{quote.quote(k)}") for k, c in columns]
    return quote.format_table(table), values, given


ROW_READ_AS = "row_read_as"
CHANGED_SINCE_READ = "sinergi_changed_since_read"
"""The function a guarded :class:`DriverUpdate` calls on PostgreSQL to fail its statement
(SQL has no way to raise an error of its own); a migration creates it (see the kit's
``migration_steps``)."""


def row_read_as(table: Table, backend: str) -> ColumnElement[int]:
    """The version of a row as a select reads it, labelled :data:`ROW_READ_AS`, for a
    :class:`DriverUpdate` made ``unchanged_since_read``: on PostgreSQL the row's ``xmin``
    (the transaction that wrote this version of it, changed by every update); elsewhere 0,
    as SQLite's write transactions exclude each other from the read to the write."""
    if backend == "postgresql":
        return literal_column(f"{table.name}.xmin::text::bigint", BigInteger).label(ROW_READ_AS)
    return literal_column("0", BigInteger).label(ROW_READ_AS)


class DriverUpdate(DriverStatement):
    """Rows of ``table`` updated at the driver by their ``key`` column: each row sets
    ``columns`` of the row whose key it holds. On PostgreSQL the rows go as one JSON
    document in a single ``UPDATE … FROM json_to_recordset(…)``, as :class:`DriverInsert`
    sends them; elsewhere as an executemany of a statement per row. Each key appears in one
    row at most.

    ``unchanged_since_read``: each row also holds :data:`ROW_READ_AS` as
    :func:`row_read_as` read it, and on PostgreSQL the statement fails with SQLSTATE 40001
    (see :data:`CHANGED_SINCE_READ`) if a row has changed since, so that a write
    decided on rows read without a lock writes nothing when another got in between."""

    def __init__(
        self, table: Table, key: str, columns: Sequence[str], *, unchanged_since_read: bool = False
    ) -> None:
        # A bind parameter may not take the name of a column the statement sets.
        self._key_parameter = f"{key}_key"
        super().__init__(
            update(table)
            .where(table.c[key] == bindparam(self._key_parameter))
            .values({column: bindparam(column) for column in columns}),
            [key, *columns],
        )
        self.table = table
        self.unchanged_since_read = unchanged_since_read

    def compile(self, dialect: Dialect) -> tuple[str, Parameters]:
        if dialect.name != "postgresql":
            statement = self.statement.compile(dialect=dialect)
            order = [
                self.keys[0] if name == self._key_parameter else name
                for name in statement.positiontup or []
            ]
            return str(statement), _in_order(order)
        guarded = [(ROW_READ_AS, "xid")] if self.unchanged_since_read else []
        table, values, given = _recordset(dialect, self.table, self.keys, also=guarded)
        (key, given_key), *changed = values
        _, [(_, listed_key)], listed = _recordset(dialect, self.table, self.keys[:1], "listed")
        # The planner takes a function's rows for a hundred, too many to find each by the
        # key's index: it read the whole table into a hash join (0.5 ms for 31 rows among
        # 6,400, growing with the table). A list of keys lets it find them by the index.
        sql = (
            f"UPDATE {table} SET {', '.join(f'{name} = {value}' for name, value in changed)} "
            f"FROM {given} WHERE {table}.{key} = {given_key} "
            f"AND {table}.{key} = ANY(ARRAY(SELECT {listed_key} FROM {listed}))"
        )
        if guarded:
            # True for a pair of rows the join leaves out, whichever condition runs first.
            name = self.table.name.replace("'", "''")
            sql += (
                f" AND CASE WHEN {table}.{key} <> {given_key}"
                f" OR {table}.xmin = given.{ROW_READ_AS} THEN true"
                f" ELSE {CHANGED_SINCE_READ}('{name}') END"
            )
        return sql, _as_document([*self.keys, *(k for k, _ in guarded)])


@dataclass(frozen=True)
class CompiledQuery:
    sql: str
    parameters: Callable[[Mapping[str, Any]], tuple[Any, ...]]
    """The driver's parameters from the caller's values by name, each sent as its type's
    bind processor sends it (the statement's own constants filled in)."""
    row: Callable[[Sequence[Any]], Any]
    """A row as the driver gives it, as a named tuple of the values Core would return."""


class DriverQuery(_CompiledOncePerDialect[CompiledQuery]):
    """A select run at the driver. ``build`` makes the statement for a backend's name (a
    list parameter differs between them, see the kit's ``one_of``); it is compiled once per
    dialect. Parameters are given by name as Core takes them; rows come back as named tuples
    whose values are those Core returns; a column of a type :class:`DriverValues` does not
    read is refused when the query is compiled."""

    def __init__(self, build: Callable[[str], Select[Any]]) -> None:
        super().__init__()
        self.build = build

    def compile(self, dialect: Dialect) -> CompiledQuery:
        statement = self.build(dialect.name)
        compiled = statement.compile(dialect=dialect)
        order = compiled.positiontup or []
        constants = compiled.params
        processors = [
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in order
        ]

        def parameters(given: Mapping[str, Any]) -> tuple[Any, ...]:
            values = [given[n] if n in given else constants[n] for n in order]
            return tuple(
                value if process is None else process(value)
                for process, value in zip(processors, values, strict=True)
            )

        reading = DriverValues.of(dialect)
        readers = [
            (index, read)
            for index, column in enumerate(statement.selected_columns)
            if (read := reading.reader(column.type)) is not None
        ]
        row_type: Any = namedtuple("Row", statement.selected_columns.keys())  # type: ignore[misc]
        make: Callable[[list[Any]], Any] = row_type._make

        def row(raw: Sequence[Any]) -> Any:
            values = list(raw)
            for index, read in readers:
                values[index] = read(values[index])
            return make(values)

        return CompiledQuery(str(compiled), parameters, row)
