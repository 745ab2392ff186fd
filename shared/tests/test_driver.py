"""Statements at the driver, on each backend.

Rows written at the driver read back through Core exactly as rows Core wrote: ids, times (an
offset time keeps its instant, a naive one is UTC), JSON, booleans and missing values;
inserted rows keep their order; rows updated by key change only themselves; a conflict is
SQLAlchemy's error. In a transaction held at the driver, reads come back as Core returns them,
writes commit together or not at all, and a unit of work writes its events to the outbox as a
session's would — on PostgreSQL together with its other writes, in one statement. A statement
run alone commits without a transaction around it on PostgreSQL."""

from __future__ import annotations

import asyncio
import enum
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Enum,
    Integer,
    String,
    Table,
    Uuid,
    bindparam,
    func,
    insert,
    literal,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import create_async_engine

from sinergi_kit.clock import as_utc
from sinergi_kit.db import Database, UtcTimestamp, make_metadata, one_of
from sinergi_kit.driver import (
    ROW_READ_AS,
    DriverInsert,
    DriverQuery,
    DriverStatement,
    DriverUpdate,
    DriverValues,
    row_read_as,
)
from sinergi_kit.driver_connection import (
    ChangedSinceReadError,
    driver_reads,
    driver_transaction,
    execute_alone,
)
from sinergi_kit.messaging.tables import messaging_tables
from sinergi_kit.migration_steps import CHANGED_SINCE_READ_FUNCTION_V1
from sinergi_kit.testing.harness import account_event
from sinergi_kit.uow import UnitOfWorkFactory

WIB = timezone(timedelta(hours=7))


class Kind(enum.Enum):
    MEETUP = "meetup"


OWNER = UUID("0192d1a4-6c1e-7a3b-9f00-5e1d2c3b4a59")

metadata = make_metadata()
tables = messaging_tables(metadata)
things = Table(
    "things",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", Uuid, nullable=False, unique=True),
    Column("owner", Uuid, nullable=True),
    Column("name", String(50), nullable=False),
    Column("at", UtcTimestamp(), nullable=False),
    Column("left_at", UtcTimestamp(), nullable=True),
    Column("active", Boolean, nullable=False),
    Column("data", JSON, nullable=False),
)
KEYS = ("id", "owner", "name", "at", "left_at", "active", "data")
ADD = DriverInsert(things, KEYS)
LEAVE = DriverStatement(
    update(things)
    .where(things.c.id == bindparam("thing_id"))
    .values(left_at=bindparam("left"), active=bindparam("still")),
    ["thing_id", "left", "still"],
)
MOVE = DriverUpdate(things, "id", ["name", "left_at", "active"])
MOVE_IF_UNCHANGED = DriverUpdate(
    things, "id", ["name", "left_at", "active"], unchanged_since_read=True
)
THINGS = DriverQuery(
    lambda backend: (
        select(*(things.c[k] for k in KEYS), things.c.data["kursi"].as_float().label("kursi"))
        .where(one_of(things.c.id, "ids", backend))
        .order_by(things.c.seq)
    )
)


def samples() -> list[dict[str, Any]]:
    return [
        {
            "id": uuid4(),
            "owner": OWNER,
            "name": "Pendopo",
            "at": datetime(2026, 12, 1, 12, 13, 14, 150_000, tzinfo=WIB),
            "left_at": None,
            "active": True,
            "data": {"judul": "Kopilaborasi", "kursi": 40, "daftar": [1, "dua"]},
        },
        {
            "id": uuid4(),
            "owner": None,
            "name": "Balai desa",
            "at": datetime(2026, 12, 1, 5, 14),
            "left_at": datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
            "active": False,
            "data": {},
        },
    ]


def at_the_driver(row: dict[str, Any], values: DriverValues) -> dict[str, Any]:
    return {
        **row,
        "id": values.uuid(row["id"]),
        "owner": values.uuid(row["owner"]),
        "at": values.timestamp(row["at"]),
        "left_at": values.timestamp(row["left_at"]),
        "data": values.json(row["data"]),
    }


def leaving(row: dict[str, Any], left: datetime, values: DriverValues) -> dict[str, Any]:
    """LEAVE's parameters for ``row``, at the driver."""
    return {"thing_id": values.uuid(row["id"]), "left": values.timestamp(left), "still": False}


async def stored(db: Database, ids: list[UUID]) -> list[tuple[Any, ...]]:
    async with db.read() as session:
        rows = await session.execute(
            select(*(things.c[k] for k in KEYS)).where(things.c.id.in_(ids)).order_by(things.c.seq)
        )
        return [tuple(row) for row in rows]


async def created(url: str) -> Database:
    database = Database(url)
    async with database.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
        if not database.is_sqlite:
            await connection.exec_driver_sql(CHANGED_SINCE_READ_FUNCTION_V1)
    return database


@pytest.fixture
async def db(database_url: str) -> Any:
    database = await created(database_url)
    yield database
    await database.dispose()


@pytest.fixture
async def postgresql_db(postgres_url: str) -> Any:
    database = await created(postgres_url)
    yield database
    await database.dispose()


async def test_rows_written_at_the_driver_read_back_as_core_writes_them(db: Database) -> None:
    by_core, by_driver = samples(), samples()
    async with db.engine.begin() as connection:
        await connection.execute(insert(things), by_core)
        values = DriverValues.of(connection.dialect)
        await ADD.execute_many(connection, [at_the_driver(r, values) for r in by_driver])

    core_rows = await stored(db, [r["id"] for r in by_core])
    driver_rows = await stored(db, [r["id"] for r in by_driver])
    assert [row[1:] for row in driver_rows] == [row[1:] for row in core_rows]
    assert [row[0] for row in driver_rows] == [r["id"] for r in by_driver]
    first = driver_rows[0]
    assert first[3] == datetime(2026, 12, 1, 5, 13, 14, 150_000, tzinfo=UTC)
    assert first[6] == {"judul": "Kopilaborasi", "kursi": 40, "daftar": [1, "dua"]}
    assert driver_rows[1][3] == datetime(2026, 12, 1, 5, 14, tzinfo=UTC)


async def test_an_update_at_the_driver_changes_only_its_rows(db: Database) -> None:
    rows = samples()
    async with db.engine.begin() as connection:
        await connection.execute(insert(things), rows)
        values = DriverValues.of(connection.dialect)
        left = datetime(2026, 12, 1, 18, 30, tzinfo=WIB)
        await LEAVE.execute_many(connection, [leaving(rows[0], left, values)])
    first, second = await stored(db, [r["id"] for r in rows])
    assert (first[4], first[5]) == (datetime(2026, 12, 1, 11, 30, tzinfo=UTC), False)
    assert (second[4], second[5]) == (datetime(2026, 12, 1, 9, 0, tzinfo=UTC), False)


def moving(row: dict[str, Any], name: str, left: datetime, values: DriverValues) -> dict[str, Any]:
    """MOVE's parameters for ``row``, at the driver."""
    return {
        "id": values.uuid(row["id"]),
        "name": name,
        "left_at": values.timestamp(left),
        "active": False,
    }


async def test_rows_updated_by_key_at_the_driver_change_only_their_rows(db: Database) -> None:
    rows = [{**samples()[0], "id": uuid4(), "name": f"kursi {n}"} for n in range(4)]
    async with db.engine.begin() as connection:
        await connection.execute(insert(things), rows)
    left = datetime(2026, 12, 1, 20, 0, tzinfo=WIB)
    async with driver_transaction(db) as transaction:
        values = transaction.values
        moves = [moving(rows[n], f"pindah {n}", left, values) for n in (2, 0)]
        await transaction.execute_many(MOVE, moves)
    found = await read_by_core(db, [r["id"] for r in rows])
    left_utc = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
    assert [(row[2], row[4], row[5]) for row in found] == [
        ("pindah 0", left_utc, False),
        ("kursi 1", None, True),
        ("pindah 2", left_utc, False),
        ("kursi 3", None, True),
    ]


@pytest.mark.parametrize("statement", [MOVE, MOVE_IF_UNCHANGED], ids=["plain", "guarded"])
async def test_rows_updated_by_key_are_found_by_the_keys_index_on_postgresql(
    postgresql_db: Database, statement: DriverUpdate
) -> None:
    """Not by reading the whole table, which costs more the more rows it holds."""
    async with postgresql_db.engine.begin() as connection:
        await connection.execute(
            insert(things), [{**samples()[0], "id": uuid4()} for _ in range(5_000)]
        )
        await connection.exec_driver_sql("ANALYZE things")
        picked = (await connection.execute(select(things.c.id).limit(3))).scalars().all()
        values = DriverValues.of(connection.dialect)
        left = datetime(2026, 12, 1, 20, 0, tzinfo=WIB)
        sql, parameters = statement.compiled(connection.dialect)
        moves = [{**moving({"id": key}, "pindah", left, values), ROW_READ_AS: 1} for key in picked]
        plan = await connection.exec_driver_sql(f"EXPLAIN (COSTS OFF) {sql}", parameters(moves)[0])
        lines = [line for (line,) in plan]
    assert not any("Seq Scan on things" in line for line in lines), lines
    assert any("Index" in line and "things" in line for line in lines), lines


async def test_many_rows_keep_the_order_they_were_given(db: Database) -> None:
    rows = [{**samples()[1], "id": uuid4(), "name": f"baris {n}"} for n in range(40)]
    async with db.engine.begin() as connection:
        values = DriverValues.of(connection.dialect)
        await ADD.execute_many(connection, [at_the_driver(r, values) for r in rows])
    assert [row[2] for row in await stored(db, [r["id"] for r in rows])] == [
        f"baris {n}" for n in range(40)
    ]


async def test_a_conflicting_row_fails_the_statement_with_an_integrity_error(
    db: Database,
) -> None:
    rows = samples()
    with pytest.raises(IntegrityError):
        async with db.engine.begin() as connection:
            values = DriverValues.of(connection.dialect)
            await ADD.execute_many(connection, [at_the_driver(r, values) for r in [*rows, rows[0]]])
    assert await stored(db, [r["id"] for r in rows]) == []


async def stored_name_or_refusal(db: Database, name: str) -> list[str]:
    """A row named ``name`` written by Core, then at the driver: the name stored, or the
    database's refusal (its SQLSTATE and message)."""
    outcomes: list[str] = []
    for write_at_the_driver in (False, True):
        row = {**samples()[0], "id": uuid4(), "name": name}
        try:
            async with db.engine.begin() as connection:
                if write_at_the_driver:
                    values = DriverValues.of(connection.dialect)
                    await ADD.execute_many(connection, [at_the_driver(row, values)])
                else:
                    await connection.execute(insert(things), [row])
        except DBAPIError as exc:
            outcomes.append(f"refused {getattr(exc.orig, 'sqlstate', '')}: {exc.orig}")
            continue
        outcomes.append((await stored(db, [row["id"]]))[0][2])
    return outcomes


async def test_a_value_too_long_for_its_column_is_treated_as_core_treats_it(
    db: Database,
) -> None:
    """PostgreSQL refuses it; SQLite, which has no length limits, keeps it whole."""
    name = "Kopilaborasi " * 10
    outcomes = await stored_name_or_refusal(db, name)
    if db.is_sqlite:
        assert outcomes == [name, name]
    else:
        assert len(outcomes) == 2
        assert all(o.startswith("refused 22001") and "value too long" in o for o in outcomes)


async def test_a_nul_character_is_a_data_exception_as_it_is_for_core(db: Database) -> None:
    """PostgreSQL's text cannot hold it: refused either way as a data exception (SQLSTATE
    class 22, which the HTTP layer answers as an unstorable value); SQLite keeps it."""
    outcomes = await stored_name_or_refusal(db, "Pen\x00dopo")
    if db.is_sqlite:
        assert outcomes == ["Pen\x00dopo"] * 2
    else:
        assert len(outcomes) == 2
        assert all(o.startswith("refused 22") for o in outcomes)


@pytest.mark.parametrize("url", ["sqlite+aiosqlite://", "postgresql+asyncpg://"])
def test_keys_that_are_not_the_statements_parameters_are_refused(url: str) -> None:
    dialect = create_async_engine(url).dialect
    wrong = DriverStatement(update(things).values(name=bindparam("nama")), ["name"])
    with pytest.raises(ValueError, match="nama"):
        wrong.compile(dialect)


async def read_by_core(db: Database, ids: list[UUID]) -> list[tuple[Any, ...]]:
    async with db.read() as session:
        return [tuple(row) for row in await session.execute(THINGS.build(db.backend), {"ids": ids})]


async def test_rows_read_at_the_driver_are_the_rows_core_reads(db: Database) -> None:
    rows = samples()
    async with db.engine.begin() as connection:
        await connection.execute(insert(things), rows)
    ids = [r["id"] for r in rows]
    async with driver_transaction(db) as transaction:
        read = await transaction.fetch(THINGS, {"ids": ids})
    assert [tuple(row) for row in read] == await read_by_core(db, ids)
    first, second = read
    assert first.id == rows[0]["id"] and isinstance(first.id, UUID)
    assert first.at == datetime(2026, 12, 1, 5, 13, 14, 150_000, tzinfo=UTC)
    assert first.active is True and second.active is False
    assert first.data == {"judul": "Kopilaborasi", "kursi": 40, "daftar": [1, "dua"]}
    assert (first.kursi, second.kursi) == (40, None)
    assert (second.owner, first.left_at) == (None, None)


async def test_ids_read_at_the_driver_key_writes_at_the_driver(db: Database) -> None:
    """The driver reads UUIDs as its own type (asyncpg's subclass of UUID); the door writes
    the invitations it read by those ids."""
    rows = samples()
    async with db.engine.begin() as connection:
        await connection.execute(insert(things), rows)
    left = datetime(2026, 12, 1, 20, 0, tzinfo=WIB)
    async with driver_transaction(db) as transaction:
        read = await transaction.fetch(THINGS, {"ids": [rows[0]["id"]]})
        moved = moving({"id": read[0].id}, "Aula", left, transaction.values)
        await transaction.execute_many(MOVE, [moved])
        copied = {**rows[0], "id": uuid4(), "owner": read[0].owner}
        await transaction.execute_many(ADD, [at_the_driver(copied, transaction.values)])
    found = await read_by_core(db, [rows[0]["id"], copied["id"]])
    assert [(row[1], row[2], row[5]) for row in found] == [
        (OWNER, "Aula", False),
        (OWNER, "Pendopo", True),
    ]


async def test_a_list_parameter_at_the_driver_finds_exactly_its_rows(db: Database) -> None:
    rows = [{**samples()[1], "id": uuid4(), "name": f"kursi {n}"} for n in range(6)]
    async with db.engine.begin() as connection:
        await connection.execute(insert(things), rows)
    async with driver_transaction(db) as transaction:
        for wanted in ([rows[1]], [rows[0], rows[4], rows[5]], []):
            found = await transaction.fetch(THINGS, {"ids": [r["id"] for r in wanted]})
            assert [row.name for row in found] == [r["name"] for r in wanted]


async def test_the_writes_of_a_driver_transaction_commit_together(db: Database) -> None:
    rows = samples()
    async with driver_transaction(db) as transaction:
        values = transaction.values
        await transaction.execute_many(ADD, [at_the_driver(r, values) for r in rows])
        left = datetime(2026, 12, 1, 20, 0, tzinfo=WIB)
        await transaction.execute_many(LEAVE, [leaving(rows[0], left, values)])
    first, second = await read_by_core(db, [r["id"] for r in rows])
    assert (first[4], first[5]) == (datetime(2026, 12, 1, 13, 0, tzinfo=UTC), False)
    assert second[2] == "Balai desa"


async def test_an_exception_rolls_a_driver_transaction_back(db: Database) -> None:
    row = samples()[1]
    with pytest.raises(RuntimeError, match="gagal"):
        async with driver_transaction(db) as transaction:
            await transaction.execute_many(ADD, [at_the_driver(row, transaction.values)])
            raise RuntimeError("gagal setelah menulis")
    assert await read_by_core(db, [row["id"]]) == []


async def test_a_conflict_at_the_driver_is_an_integrity_error_and_the_pool_serves_on(
    db: Database,
) -> None:
    row = samples()[1]
    async with db.engine.begin() as connection:
        await connection.execute(insert(things), [row])
    with pytest.raises(IntegrityError):
        async with driver_transaction(db) as transaction:
            again = {**row, "name": "Balai dusun"}
            await transaction.execute_many(ADD, [at_the_driver(again, transaction.values)])
    for _ in range(3):  # every pooled connection is back in a usable state
        async with driver_transaction(db) as transaction:
            found = await transaction.fetch(THINGS, {"ids": [row["id"]]})
        assert [r.name for r in found] == ["Balai desa"]


@pytest.mark.parametrize("url", ["sqlite+aiosqlite://", "postgresql+asyncpg://"])
def test_a_column_the_driver_cannot_read_as_core_does_is_refused(url: str) -> None:
    dialect = create_async_engine(url).dialect
    others = Table(
        "others",
        make_metadata(),
        Column("at", DateTime, primary_key=True),
        Column("kind", Enum(Kind)),
    )
    naive_time = DriverQuery(lambda _: select(others.c.at))
    with pytest.raises(ValueError, match="DateTime"):
        naive_time.compiled(dialect)
    enum_members = DriverQuery(lambda _: select(others.c.kind))
    with pytest.raises(ValueError, match="Enum"):
        enum_members.compiled(dialect)


async def test_a_unit_of_work_at_the_driver_writes_its_events_as_a_session_does(
    db: Database,
) -> None:
    woken: list[bool] = []
    units = UnitOfWorkFactory(db, tables, lambda: woken.append(True))
    event = account_event()
    async with units() as uow:
        by_session = uow.emit(event)
    async with units.at_the_driver() as uow:
        by_driver = uow.emit(event)
    async with units.at_the_driver() as uow:
        pass  # nothing emitted: the relay is not woken
    async with db.read() as session:
        statement = select(tables.outbox).order_by(tables.outbox.c.seq)
        stored = (await session.execute(statement)).all()
    assert [row.event_id for row in stored] == [by_session.id, by_driver.id]
    session_row, driver_row = (row._asdict() for row in stored)
    for column in ("seq", "event_id", "occurred_at", "traceparent"):
        session_row.pop(column), driver_row.pop(column)
    assert driver_row == session_row
    assert as_utc(stored[1].occurred_at) == by_driver.time
    assert woken == [True, True]


async def test_reads_at_the_driver_see_committed_rows_and_leave_no_transaction_open(
    db: Database,
) -> None:
    rows = samples()
    async with driver_transaction(db) as transaction:
        await transaction.execute_many(ADD, [at_the_driver(r, transaction.values) for r in rows])
    async with driver_reads(db) as reads:
        found = await reads.fetch(THINGS, {"ids": [r["id"] for r in rows]})
        assert [tuple(row) for row in found] == await read_by_core(db, [r["id"] for r in rows])
        if not db.is_sqlite:
            idle = DriverQuery(
                lambda _: (
                    select(func.count().label("open"))
                    .select_from(text("pg_stat_activity"))
                    .where(
                        text("datname = current_database() AND state LIKE 'idle in transaction%'")
                    )
                )
            )
            assert [row.open for row in await reads.fetch(idle, {})] == [0]


async def test_a_lost_connection_raises_its_own_error_and_the_pool_serves_on(
    postgres_url: str,
) -> None:
    """PostgreSQL alone: a SQLite connection is a file in this process, no server cuts it."""
    db = Database(postgres_url)
    cut_off = DriverQuery(
        lambda _: select(
            type_coerce(func.pg_terminate_backend(func.pg_backend_pid()), Boolean).label("cut")
        )
    )
    one = DriverQuery(lambda _: select(literal(1, Integer).label("one")))
    try:
        with pytest.raises(asyncpg.PostgresConnectionError, match="administrator command"):
            async with driver_transaction(db) as transaction:
                await transaction.fetch(cut_off, {})
        for _ in range(3):
            async with driver_transaction(db) as transaction:
                assert [row.one for row in await transaction.fetch(one, {})] == [1]
    finally:
        await db.dispose()


async def stored_with_a_log(db: Database, rows: list[dict[str, Any]]) -> list[str]:
    """Stores ``rows`` through Core and returns the list the statements of the pool's one
    idle connection — the one the next statement takes — are logged into on PostgreSQL
    (the driver logs each in the loop's next round)."""
    async with db.engine.begin() as connection:
        await connection.execute(insert(things), rows)
        driver = (await connection.get_raw_connection()).driver_connection
    sent: list[str] = []
    if not db.is_sqlite:
        driver.add_query_logger(lambda logged: sent.append(logged.query))
    return sent


async def test_a_unit_of_work_writes_rows_with_its_events_in_one_statement_on_postgresql(
    db: Database,
) -> None:
    existing = samples()
    sent = await stored_with_a_log(db, existing)
    added = {**samples()[1], "id": uuid4(), "name": "Aula kecamatan"}
    left = datetime(2026, 12, 1, 21, 0, tzinfo=WIB)
    woken: list[bool] = []
    units = UnitOfWorkFactory(db, tables, lambda: woken.append(True))
    async with units.at_the_driver() as uow:
        envelope = uow.emit(account_event())
        values = uow.transaction.values
        await asyncio.sleep(0)
        before = len(sent)
        await uow.write_with_events(
            [
                (ADD, [at_the_driver(added, values)]),
                (LEAVE, []),  # a write without rows is left out
                (MOVE, [moving(existing[1], "Balai dusun", left, values)]),
            ]
        )
        await asyncio.sleep(0)
        statements = sent[before:]
    found = await read_by_core(db, [existing[1]["id"], added["id"]])
    assert [(row[2], row[4]) for row in found] == [
        ("Balai dusun", datetime(2026, 12, 1, 14, 0, tzinfo=UTC)),
        ("Aula kecamatan", datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),
    ]
    async with db.read() as session:
        outbox = (await session.execute(select(tables.outbox.c.event_id))).scalars().all()
    assert outbox == [envelope.id]
    assert woken == [True]
    if not db.is_sqlite:
        # (the driver may also look up the array types the first time it meets them)
        writes = [sql for sql in statements if "things" in sql or "outbox" in sql]
        assert len(writes) == 1 and writes[0].startswith("WITH "), statements


async def test_a_statement_alone_commits_without_begin_and_commit_on_postgresql(
    db: Database,
) -> None:
    rows = samples()
    sent = await stored_with_a_log(db, rows)
    values = DriverValues.of(db.engine.dialect)
    left = datetime(2026, 12, 1, 22, 0, tzinfo=WIB)
    await execute_alone(db, LEAVE, [leaving(rows[0], left, values)])
    await asyncio.sleep(0)
    statements = list(sent)
    first, second = await read_by_core(db, [r["id"] for r in rows])
    assert (first[4], first[5]) == (datetime(2026, 12, 1, 15, 0, tzinfo=UTC), False)
    assert second[4] == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    if not db.is_sqlite:
        assert [sql.split()[0] for sql in statements] == ["UPDATE"], statements


VERSIONS = DriverQuery(
    lambda backend: select(things.c.id, row_read_as(things, backend)).where(
        one_of(things.c.id, "ids", backend)
    )
)


async def read_as(db: Database, ids: list[UUID]) -> dict[UUID, int]:
    async with driver_reads(db) as reads:
        return {row.id: row.row_read_as for row in await reads.fetch(VERSIONS, {"ids": ids})}


def moving_if_unchanged(
    row: dict[str, Any], name: str, versions: dict[UUID, int], values: DriverValues
) -> dict[str, Any]:
    left = datetime(2026, 12, 3, 19, 0, tzinfo=WIB)
    return {**moving(row, name, left, values), ROW_READ_AS: versions[row["id"]]}


async def test_an_optimistic_write_is_one_statement_without_begin_and_commit(
    db: Database,
) -> None:
    rows = samples()
    sent = await stored_with_a_log(db, rows)
    woken: list[bool] = []
    units = UnitOfWorkFactory(db, tables, lambda: woken.append(True))
    async with units.optimistic() as uow:
        versions = await read_as(db, [r["id"] for r in rows])
        envelope = uow.emit(account_event())
        values = uow.transaction.values
        await asyncio.sleep(0)
        before = len(sent)
        await uow.write_with_events(
            [(MOVE_IF_UNCHANGED, [moving_if_unchanged(rows[0], "Aula", versions, values)])]
        )
        await asyncio.sleep(0)
        statements = sent[before:]
        if not db.is_sqlite:
            with pytest.raises(RuntimeError, match="writes once"):
                await uow.write_with_events([])
    found = await read_by_core(db, [r["id"] for r in rows])
    assert [row[2] for row in found] == ["Aula", "Balai desa"]
    async with db.read() as session:
        outbox = (await session.execute(select(tables.outbox.c.event_id))).scalars().all()
    assert outbox == [envelope.id]
    assert woken == [True]
    if not db.is_sqlite:
        assert [sql.split()[0] for sql in statements] == ["WITH"], statements
        with pytest.raises(ValueError, match="where one statement was needed"):
            async with units.optimistic() as uow:
                uow.emit(account_event())
                values = uow.transaction.values
                left = datetime(2026, 12, 3, 20, 0, tzinfo=WIB)
                await uow.write_with_events([(LEAVE, [leaving(r, left, values) for r in rows])])
        with pytest.raises(RuntimeError, match="writes its events with its write"):
            async with units.optimistic() as uow:
                uow.emit(account_event())
        found = await read_by_core(db, [r["id"] for r in rows])
        assert [row[4] for row in found] == [
            datetime(2026, 12, 3, 12, 0, tzinfo=UTC),
            datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
        ], "as the first write left them"
        async with db.read() as session:
            assert len((await session.execute(select(tables.outbox))).all()) == 1


async def test_an_optimistic_write_meeting_a_row_changed_since_read_writes_nothing(
    postgresql_db: Database,
) -> None:
    """PostgreSQL alone: on SQLite the unit of work is a write transaction, which no other
    writer can get into between the read and the write."""
    db = postgresql_db
    rows = samples()
    async with db.engine.begin() as connection:
        await connection.execute(insert(things), rows)
    woken: list[bool] = []
    units = UnitOfWorkFactory(db, tables, lambda: woken.append(True))
    added = {**samples()[1], "id": uuid4(), "name": "Aula kecamatan"}

    async def move_both(change_in_between: bool) -> UUID:
        async with units.optimistic() as uow:
            versions = await read_as(db, [r["id"] for r in rows])
            if change_in_between:
                async with db.engine.begin() as connection:
                    await connection.execute(
                        update(things).where(things.c.id == rows[1]["id"]).values(name="Lain")
                    )
            envelope = uow.emit(account_event())
            values = uow.transaction.values
            moves = [
                moving_if_unchanged(row, f"Pindah {n}", versions, values)
                for n, row in enumerate(rows)
            ]
            await uow.write_with_events(
                [(ADD, [at_the_driver(added, values)]), (MOVE_IF_UNCHANGED, moves)]
            )
        return envelope.id

    with pytest.raises(ChangedSinceReadError, match="things changed since"):
        await move_both(change_in_between=True)
    found = await read_by_core(db, [rows[0]["id"], rows[1]["id"], added["id"]])
    assert [row[2] for row in found] == ["Pendopo", "Lain"]
    async with db.read() as session:
        assert (await session.execute(select(tables.outbox))).all() == []
    assert woken == []

    event_id = await move_both(change_in_between=False)
    found = await read_by_core(db, [rows[0]["id"], rows[1]["id"], added["id"]])
    assert [row[2] for row in found] == ["Pindah 0", "Pindah 1", "Aula kecamatan"]
    async with db.read() as session:
        outbox = (await session.execute(select(tables.outbox.c.event_id))).scalars().all()
    assert outbox == [event_id]
    assert woken == [True]
