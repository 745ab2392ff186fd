"""``one_of``: a column matched against a list given as one parameter, on each backend."""

from __future__ import annotations

from uuid import uuid4

from sqlalchemy import Column, Integer, Table, Uuid, insert, select
from sqlalchemy.ext.asyncio import create_async_engine

from sinergi_kit.db import Database, make_metadata, one_of

metadata = make_metadata()
items = Table("items", metadata, Column("id", Uuid, primary_key=True), Column("n", Integer))


async def test_the_rows_whose_column_is_in_the_list_are_found(database_url: str) -> None:
    db = Database(database_url)
    try:
        rows = [{"id": uuid4(), "n": n} for n in range(5)]
        async with db.engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
            await connection.execute(insert(items), rows)
        statement = select(items.c.n).where(one_of(items.c.id, "ids", db.backend))
        async with db.read() as session:
            for wanted in ([rows[2]], [rows[0], rows[3], rows[4]], []):
                found = await session.scalars(statement, {"ids": [r["id"] for r in wanted]})
                assert sorted(found) == [r["n"] for r in wanted]
    finally:
        await db.dispose()


def test_on_postgresql_the_list_is_one_array_parameter() -> None:
    statement = select(items.c.n).where(one_of(items.c.id, "ids", "postgresql"))
    compiled = statement.compile(dialect=create_async_engine("postgresql+asyncpg://").dialect)
    assert "= ANY ($1::UUID[])" in str(compiled)
    assert compiled.positiontup == ["ids"]
