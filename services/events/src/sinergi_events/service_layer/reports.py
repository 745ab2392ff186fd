"""Attendance reports: the funnel of an event, per segment, and across events."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sinergi_events.adapters.tables import invitations, segment_sends, segments, walk_ins
from sinergi_events.domain.events import Event
from sinergi_events.domain.reports import FunnelCounts, FunnelRow, attendance
from sinergi_kit.contracts.events import AttendanceCounts


def _count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


_COUNTS = (
    func.count().label("invited"),
    _count_if(invitations.c.response != "pending").label("responded"),
    _count_if((invitations.c.response == "accepted") & (invitations.c.seat == "confirmed")).label(
        "accepted"
    ),
    _count_if(invitations.c.response == "declined").label("declined"),
    _count_if(invitations.c.response == "tentative").label("tentative"),
    _count_if(invitations.c.seat.in_(["waitlisted", "offered"])).label("waitlisted"),
    _count_if(invitations.c.first_entry_at.is_not(None)).label("checked_in"),
)


def _counts(row: Any) -> FunnelCounts:
    return FunnelCounts(
        invited=int(row.invited),
        responded=int(row.responded),
        accepted=int(row.accepted),
        declined=int(row.declined),
        tentative=int(row.tentative),
        waitlisted=int(row.waitlisted),
        checked_in=int(row.checked_in),
    )


@dataclass(frozen=True)
class EventAttendance:
    event: Event
    total: FunnelCounts
    walk_ins: int
    segments: list[FunnelRow]

    def attendance(self) -> AttendanceCounts:
        return attendance(self.total, self.walk_ins)

    def only_segment(self, segment_id: UUID) -> EventAttendance | None:
        """This event's funnel for one segment; None when the segment was not invited."""
        rows = [row for row in self.segments if row.segment_id == segment_id]
        return replace(self, segments=rows) if rows else None

    def rows(self) -> list[FunnelRow]:
        title = self.event.title.id
        total = FunnelRow(self.event.id, title, None, "", self.total, self.walk_ins)
        return [total, *self.segments]


async def _segment_names(session: AsyncSession, ids: set[UUID]) -> dict[UUID, str]:
    if not ids:
        return {}
    names = {
        row.segment_id: row.segment_name
        for row in await session.execute(
            select(segment_sends.c.segment_id, segment_sends.c.segment_name).where(
                segment_sends.c.segment_id.in_(ids)
            )
        )
    }
    for row in await session.execute(
        select(segments.c.id, segments.c.name).where(segments.c.id.in_(ids))
    ):
        names[row.id] = row.name
    return names


async def event_attendance(session: AsyncSession, event: Event) -> EventAttendance:
    """Revoked invitations are left out; erased people's invitations still count."""
    active = (invitations.c.event_id == event.id) & invitations.c.revoked_at.is_(None)
    total = (await session.execute(select(*_COUNTS).where(active))).one()
    by_segment = (
        await session.execute(
            select(invitations.c.segment_id, *_COUNTS)
            .where(active, invitations.c.segment_id.is_not(None))
            .group_by(invitations.c.segment_id)
        )
    ).all()
    names = await _segment_names(session, {row.segment_id for row in by_segment})
    walk_in_count = (
        await session.execute(
            select(func.count()).select_from(walk_ins).where(walk_ins.c.event_id == event.id)
        )
    ).scalar_one()
    return EventAttendance(
        event=event,
        total=_counts(total),
        walk_ins=int(walk_in_count),
        segments=[
            FunnelRow(
                event.id,
                event.title.id,
                row.segment_id,
                names.get(row.segment_id, ""),
                _counts(row),
            )
            for row in by_segment
        ],
    )
