"""A statement run alone (the outbox relay's read and marking) is its own transaction: a write
is committed at once, a failing one leaves nothing, and no transaction stays open after it."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, Table, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from sinergi_kit.db import Database, make_metadata

metadata = make_metadata()
items = Table("items", metadata, Column("id", Integer, primary_key=True), Column("n", Integer))


async def test_statements_run_alone_commit_and_read_back(database_url: str) -> None:
    db = Database(database_url)
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        await db.execute_alone(insert(items), {"id": 1, "n": 1})
        await db.execute_alone(update(items).values(n=items.c.n + 1))
        with pytest.raises(IntegrityError):
            await db.execute_alone(insert(items), {"id": 1, "n": 9})

        async with db.read() as session:
            assert (await session.execute(select(items.c.id, items.c.n))).all() == [(1, 2)]
        assert [tuple(row) for row in await db.fetch_all(select(items))] == [(1, 2)]
        if not db.is_sqlite:
            open_transactions = await db.fetch_all(
                select(func.count())
                .select_from(text("pg_stat_activity"))
                .where(text("datname = current_database() AND state LIKE 'idle in transaction%'"))
            )
            assert open_transactions[0][0] == 0
    finally:
        await db.dispose()
