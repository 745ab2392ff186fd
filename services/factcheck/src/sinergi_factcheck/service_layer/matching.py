"""The process's match index, kept in step with the database.

Each process holds its own index and learns its own reports at once. At most every
``SYNC_INTERVAL_S`` it also reads the reports and merges written since its last look (by any
replica; a little overlap absorbs clock skew and transactions that committed late), so
replicas agree within about a second without talking to each other."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import select

from sinergi_factcheck.adapters.tables import cases, reports
from sinergi_factcheck.domain.matching.index import Match, MatchIndex, Thresholds
from sinergi_kit.clock import as_utc
from sinergi_kit.db import Database

OVERLAP = timedelta(seconds=2)
SYNC_INTERVAL_S = 1.0


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
            report_query = select(
                reports.c.id,
                reports.c.case_id,
                reports.c.normalised,
                reports.c.urls,
                reports.c.received_at,
            ).order_by(reports.c.received_at)
            merge_query = select(cases.c.id, cases.c.merged_into, cases.c.updated_at).where(
                cases.c.status == "merged"
            )
            if since is not None:
                report_query = report_query.where(reports.c.received_at >= since)
                merge_query = merge_query.where(cases.c.updated_at >= since)
            async with db.read() as session:
                new_reports = (await session.execute(report_query)).all()
                merges = (await session.execute(merge_query)).all()
            latest = self._seen_until
            for row in new_reports:
                self.index.add(row.id, row.case_id, row.normalised, row.urls)
                latest = max(latest, as_utc(row.received_at)) if latest else as_utc(row.received_at)
            for merge in merges:
                self.index.redirect(merge.id, merge.merged_into)
                at = as_utc(merge.updated_at)
                latest = max(latest, at) if latest else at
            self._seen_until = latest

    def match(self, normalised: str, urls: list[str]) -> Match | None:
        found = self.index.match(normalised, urls, limit=1)
        return found[0] if found else None

    def learn(self, report_id: UUID, case_id: UUID, normalised: str, urls: list[str]) -> None:
        """A report this process just committed."""
        self.index.add(report_id, case_id, normalised, urls)

    def merged(self, case_id: UUID, into: UUID) -> None:
        self.index.redirect(case_id, into)
