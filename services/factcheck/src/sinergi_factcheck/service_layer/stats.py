"""Figures for KKD: reports per day (WIB), time to verdict, verdict mix, recurring hoaxes."""

from __future__ import annotations

import statistics
from datetime import date, timedelta
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.sql.elements import ColumnElement

from sinergi_factcheck.adapters.tables import cases, reports, verdicts
from sinergi_factcheck.service_layer.context import Factcheck
from sinergi_kit.clock import as_utc, utcnow
from sinergi_kit.contracts.factcheck import CaseStatus


class DayCount(BaseModel):
    day: date
    reports: int


class RecurringHoax(BaseModel):
    case_id: UUID
    claim: str
    reports: int
    status: CaseStatus


class Stats(BaseModel):
    days: int
    reports_per_day: list[DayCount]
    verdicts: int
    hours_to_verdict_median: float | None
    hours_to_verdict_p90: float | None
    verdict_mix: dict[str, int]
    recurring: list[RecurringHoax]


def _wib_day(column: ColumnElement[object], dialect: str) -> ColumnElement[object]:
    if dialect == "sqlite":
        return func.date(column, "+7 hours")
    return func.date(func.timezone("Asia/Jakarta", column))


async def stats(fc: Factcheck, days: int) -> Stats:
    since = utcnow() - timedelta(days=days)
    async with fc.db.read() as session:
        day = _wib_day(reports.c.received_at, session.get_bind().dialect.name).label("day")
        per_day = (
            await session.execute(
                select(day, func.count())
                .where(reports.c.received_at >= since)
                .group_by(day)
                .order_by(day)
            )
        ).all()
        approved = (
            await session.execute(
                select(verdicts.c.rating, verdicts.c.approved_at, cases.c.opened_at)
                .join(cases, cases.c.id == verdicts.c.case_id)
                .where(verdicts.c.approved_at.is_not(None), verdicts.c.approved_at >= since)
            )
        ).all()
        recurring = (
            await session.execute(
                select(cases.c.id, cases.c.claim, cases.c.report_count, cases.c.status)
                .where(cases.c.report_count >= 2, cases.c.updated_at >= since)
                .order_by(cases.c.report_count.desc())
                .limit(10)
            )
        ).all()
    hours = sorted(
        (as_utc(r.approved_at) - as_utc(r.opened_at)).total_seconds() / 3600 for r in approved
    )
    mix: dict[str, int] = {}
    for r in approved:
        mix[r.rating] = mix.get(r.rating, 0) + 1
    return Stats(
        days=days,
        reports_per_day=[
            DayCount(day=d if isinstance(d, date) else date.fromisoformat(str(d)), reports=n)
            for d, n in per_day
        ],
        verdicts=len(hours),
        hours_to_verdict_median=round(statistics.median(hours), 2) if hours else None,
        hours_to_verdict_p90=round(hours[min(len(hours) - 1, int(len(hours) * 0.9))], 2)
        if hours
        else None,
        verdict_mix=mix,
        recurring=[
            RecurringHoax(
                case_id=r.id, claim=r.claim[:300], reports=r.report_count, status=r.status
            )
            for r in recurring
        ],
    )
