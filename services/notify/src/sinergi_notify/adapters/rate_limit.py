"""Per-channel token buckets kept in the database, so the limit holds across replicas.

The bucket row is read and written inside the sender's claim transaction: PostgreSQL locks
it with FOR UPDATE, SQLite's BEGIN IMMEDIATE already serialises writers.
"""

from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sinergi_kit.clock import as_utc
from sinergi_notify.adapters.repository import insert_ignoring_conflicts
from sinergi_notify.adapters.tables import rate_buckets


def refill(tokens: float, elapsed_s: float, rate: float, burst: float) -> float:
    return min(burst, tokens + max(0.0, elapsed_s) * rate)


async def take_tokens(
    session: AsyncSession, channel: str, wanted: int, *, rate: float, burst: float, now: datetime
) -> int:
    """Take up to ``wanted`` whole tokens; ``rate <= 0`` means no limit."""
    if rate <= 0 or wanted <= 0:
        return wanted
    await session.execute(
        insert_ignoring_conflicts(session, rate_buckets, ["channel"]).values(
            channel=channel, tokens=burst, refreshed_at=now
        )
    )
    query = select(rate_buckets).where(rate_buckets.c.channel == channel)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    row = (await session.execute(query)).one()
    tokens = refill(row.tokens, (now - as_utc(row.refreshed_at)).total_seconds(), rate, burst)
    granted = min(wanted, math.floor(tokens))
    await session.execute(
        update(rate_buckets)
        .where(rate_buckets.c.channel == channel)
        .values(tokens=tokens - granted, refreshed_at=now)
    )
    return granted
