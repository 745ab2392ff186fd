"""A zone-aware time keeps its instant in the database: SQLite has no zoned column type, so the
kit's column type converts to UTC before writing and gives back an aware UTC datetime."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import Column, Integer, Table, insert, select

from sinergi_kit.db import Database, UtcTimestamp, make_metadata

WIB_OFFSET = timezone(timedelta(hours=7))

metadata = make_metadata()
moments = Table(
    "moments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UtcTimestamp(), nullable=True),
)


async def test_an_offset_time_is_stored_as_its_utc_instant(database_url: str) -> None:
    db = Database(database_url)
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        async with db.sessions() as session, session.begin():
            await session.execute(
                insert(moments),
                [
                    {"id": 1, "at": datetime(2026, 12, 1, 12, 13, tzinfo=WIB_OFFSET)},
                    {"id": 2, "at": datetime(2026, 12, 1, 5, 14)},
                    {"id": 3, "at": None},
                ],
            )
        async with db.read() as session:
            rows = {row.id: row.at for row in await session.execute(select(moments))}
            later = await session.scalars(
                select(moments.c.id).where(
                    moments.c.at > datetime(2026, 12, 1, 12, 13, 30, tzinfo=WIB_OFFSET)
                )
            )
            later_ids = list(later)
        assert rows[1] == datetime(2026, 12, 1, 5, 13, tzinfo=UTC)
        assert rows[1].utcoffset() == timedelta(0)
        assert rows[2] == datetime(2026, 12, 1, 5, 14, tzinfo=UTC)
        assert rows[3] is None
        assert later_ids == [2]
    finally:
        await db.dispose()
