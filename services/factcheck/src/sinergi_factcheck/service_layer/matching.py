"""The process's match index, kept in step with the database.

Each process holds its own index and learns its own reports at once. At most every
``SYNC_INTERVAL_S`` it also reads the reports and merges written since its last look (by any
replica; a little overlap absorbs clock skew and transactions that committed late), so
replicas agree within about a second without talking to each other. The look reads only the
ids of those reports; the ones the index does not know yet (another replica's) are read in
full."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Row, Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from sinergi_factcheck.adapters.tables import cases, reports
from sinergi_factcheck.domain.matching.index import Match, MatchIndex, Thresholds
from sinergi_kit.clock import as_utc
from sinergi_kit.db import Database

OVERLAP = timedelta(seconds=2)
SYNC_INTERVAL_S = 1.0


READ_CHUNK = 500
"""Report ids in one ``IN`` list when reading the reports this process has not indexed."""


def _indexed() -> Select[Any]:
    """What the index needs of a report."""
    return select(
        reports.c.id, reports.c.case_id, reports.c.normalised, reports.c.urls, reports.c.received_at
    )


class Matcher:
    def __init__(self, suggest: float, merge: float) -> None:
        self.thresholds = Thresholds(suggest=suggest, merge=merge)
        self.index = MatchIndex()
        self._seen_until: datetime | None = None
        self._lock = asyncio.Lock()
        self._synced_at = float("-inf")

    async def sync(self, db: Database) -> None:
        if time.monotonic() - self._synced_at < SYNC_INTERVAL_S:
            return
        async with self._lock:
            if time.monotonic() - self._synced_at < SYNC_INTERVAL_S:
                return
            self._synced_at = time.monotonic()
            since = self._seen_until - OVERLAP if self._seen_until else None
            merge_query = select(cases.c.id, cases.c.merged_into, cases.c.updated_at).where(
                cases.c.status == "merged"
            )
            if since is not None:
                merge_query = merge_query.where(cases.c.updated_at >= since)
            async with db.read() as session:
                if since is None:
                    query = _indexed().order_by(reports.c.received_at)
                    new_reports: Sequence[Row[Any]] = (await session.execute(query)).all()
                    seen = [row.received_at for row in new_reports]
                else:
                    new_reports, seen = await self._unindexed_since(session, since)
                merges = (await session.execute(merge_query)).all()
            for row in new_reports:
                self.index.add(row.id, row.case_id, row.normalised, row.urls)
            for merge in merges:
                self.index.redirect(merge.id, merge.merged_into)
            times = [as_utc(at) for at in seen] + [as_utc(m.updated_at) for m in merges]
            if self._seen_until is not None:
                times.append(self._seen_until)
            self._seen_until = max(times, default=None)

    async def _unindexed_since(
        self, session: AsyncSession, since: datetime
    ) -> tuple[Sequence[Row[Any]], list[datetime]]:
        """The reports received since ``since`` that the index does not know yet, oldest
        first, and when each report of that time was received. Reading only the ids first
        keeps the overlap cheap: the reports this process wrote are known already."""
        query = select(reports.c.id, reports.c.received_at).where(reports.c.received_at >= since)
        seen = (await session.execute(query)).all()
        unknown = [row.id for row in seen if not self.index.knows(row.id)]
        rows: list[Row[Any]] = []
        for start in range(0, len(unknown), READ_CHUNK):
            chunk = unknown[start : start + READ_CHUNK]
            rows += (await session.execute(_indexed().where(reports.c.id.in_(chunk)))).all()
        rows.sort(key=lambda row: as_utc(row.received_at))
        return rows, [row.received_at for row in seen]

    def match(self, normalised: str, urls: list[str]) -> Match | None:
        found = self.index.match(normalised, urls, limit=1)
        return found[0] if found else None

    def learn(self, report_id: UUID, case_id: UUID, normalised: str, urls: list[str]) -> None:
        """A report this process just committed."""
        self.index.add(report_id, case_id, normalised, urls)

    def merged(self, case_id: UUID, into: UUID) -> None:
        self.index.redirect(case_id, into)
