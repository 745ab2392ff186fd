"""Dead letters: messages a consumer gave up on, kept with their error until replayed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import Row, select, update

from sinergi_kit.clock import utcnow
from sinergi_kit.db import Database
from sinergi_kit.logging import get_logger
from sinergi_kit.messaging.consumer import Consumer
from sinergi_kit.messaging.tables import MessagingTables

log = get_logger(__name__)


async def list_dead_letters(
    db: Database, tables: MessagingTables, *, include_resolved: bool = False, limit: int = 100
) -> list[Row[Any]]:
    query = select(tables.dead_letters).order_by(tables.dead_letters.c.created_at).limit(limit)
    if not include_resolved:
        query = query.where(tables.dead_letters.c.resolved_at.is_(None))
    async with db.read() as session:
        return list((await session.execute(query)).all())


@dataclass(frozen=True)
class ReplayOutcome:
    dead_letter_id: UUID
    ok: bool
    error: str = ""


async def replay_dead_letters(
    db: Database,
    tables: MessagingTables,
    consumers: Sequence[Consumer],
    ids: Sequence[UUID] | None = None,
) -> list[ReplayOutcome]:
    """Apply unresolved dead letters again through their consumer's handlers (idempotent:
    the inbox skips an event that was applied meanwhile). Successes are marked resolved."""
    by_name = {consumer.name: consumer for consumer in consumers}
    outcomes: list[ReplayOutcome] = []
    records = await list_dead_letters(db, tables, limit=10_000)
    selected = [r for r in records if ids is None or r.id in set(ids)]
    for index, record in enumerate(selected, start=1):
        consumer = by_name.get(record.consumer)
        if consumer is None:
            outcomes.append(ReplayOutcome(record.id, False, f"no consumer {record.consumer}"))
            continue
        try:
            await consumer.replay(dict(record.headers), bytes(record.body))
        except Exception as exc:
            outcomes.append(ReplayOutcome(record.id, False, repr(exc)))
            continue
        async with db.sessions() as session, session.begin():
            await session.execute(
                update(tables.dead_letters)
                .where(tables.dead_letters.c.id == record.id)
                .values(resolved_at=utcnow())
            )
        outcomes.append(ReplayOutcome(record.id, True))
        log.info("dead_letter.replayed", id=str(record.id), progress=f"{index}/{len(selected)}")
    return outcomes
