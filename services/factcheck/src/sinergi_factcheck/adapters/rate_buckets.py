"""Intake rate buckets in the database, so every replica spends from the same buckets.

One call charges a whole batch of requests in two statements: the buckets not seen yet are
created full while every bucket of the batch is read (locked, in key order, on PostgreSQL),
then the spent ones are written back. Buckets that are full again are the same as none and
are pruned."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, delete, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from sinergi_factcheck.adapters.tables import rate_buckets
from sinergi_factcheck.domain.ratelimit import Bucket, Rate

Charge = Sequence[tuple[str, Rate]]
"""The buckets one request spends from, in order; the first empty one refuses it."""


async def take(session: AsyncSession, charges: Sequence[Charge], now: float) -> list[float]:
    """For each request: 0 if allowed (its tokens spent), else the seconds to wait."""
    rates = {key: rate for charge in charges for key, rate in charge}
    if not rates:
        return [0.0] * len(charges)
    keys = sorted(rates)
    # Creates the buckets not seen yet full and reads every bucket of the batch in one
    # statement; on PostgreSQL the no-op update locks an existing row as FOR UPDATE would,
    # in key order.
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    statement = insert(rate_buckets)
    rows = await session.execute(
        statement.on_conflict_do_update(
            index_elements=[rate_buckets.c.key], set_={"tokens": rate_buckets.c.tokens}
        ).returning(rate_buckets.c.key, rate_buckets.c.tokens, rate_buckets.c.updated_at),
        [
            {"key": key, "tokens": rates[key].capacity, "updated_at": now, "full_at": now}
            for key in keys
        ],
    )
    buckets = {row.key: Bucket(row.tokens, row.updated_at) for row in rows}
    waits: list[float] = []
    for charge in charges:
        wait = 0.0
        for key, rate in charge:
            buckets[key], wait = buckets[key].take(rate, now)
            if wait:
                break
        waits.append(wait)
    await session.execute(
        update(rate_buckets)
        .where(rate_buckets.c.key == bindparam("bucket_key"))
        .values(
            tokens=bindparam("bucket_tokens"),
            updated_at=bindparam("bucket_at"),
            full_at=bindparam("bucket_full_at"),
        ),
        [
            {
                "bucket_key": key,
                "bucket_tokens": buckets[key].tokens,
                "bucket_at": buckets[key].at,
                "bucket_full_at": buckets[key].full_at(rates[key]),
            }
            for key in keys
        ],
    )
    return waits


async def prune(session: AsyncSession, now: float) -> None:
    await session.execute(delete(rate_buckets).where(rate_buckets.c.full_at < now))
