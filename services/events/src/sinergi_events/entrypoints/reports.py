"""Attendance reports: the funnel per event and per segment, across events, as CSV too."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from sinergi_events.adapters.repository import EventRepository
from sinergi_events.domain.errors import DomainError
from sinergi_events.domain.events import Event
from sinergi_events.domain.reports import to_csv
from sinergi_events.entrypoints.deps import Context
from sinergi_events.entrypoints.errors import DomainRoute
from sinergi_events.entrypoints.schemas import AttendanceOut
from sinergi_events.service_layer.context import EventsContext
from sinergi_events.service_layer.reports import EventAttendance, event_attendance
from sinergi_kit.auth import Reader
from sinergi_kit.http.problems import PROBLEM_RESPONSES

router = APIRouter(tags=["reports"], responses=PROBLEM_RESPONSES, route_class=DomainRoute)
CSV = "text/csv; charset=utf-8"


async def _reports(ctx: EventsContext, event_ids: list[UUID] | None) -> list[EventAttendance]:
    async with ctx.db.read() as session:
        repository = EventRepository(session)
        events: list[Event] = []
        for event_id in event_ids or []:
            event = await repository.get(event_id)
            if event is None:
                raise DomainError("event_not_found")
            events.append(event)
        if not event_ids:
            events = await repository.page(limit=200, after=None)
        return [await event_attendance(session, event) for event in events]


def _csv(body: str, filename: str) -> Response:
    return Response(
        body, media_type=CSV, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@router.get(
    "/events/{event_id}/attendance",
    response_model=AttendanceOut,
    summary="The attendance funnel of an event, in total and per segment",
)
async def attendance(event_id: UUID, ctx: Context, _: Reader) -> AttendanceOut:
    (report,) = await _reports(ctx, [event_id])
    return AttendanceOut.of(report)


@router.get(
    "/events/{event_id}/attendance.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
    summary="The attendance funnel as CSV (a total line, then one per segment)",
)
async def attendance_csv(event_id: UUID, ctx: Context, _: Reader) -> Response:
    (report,) = await _reports(ctx, [event_id])
    return _csv(to_csv(report.rows()), f"kehadiran-{event_id}.csv")


EventIds = Annotated[list[UUID] | None, Query(description="Default: the first 200 events")]
SegmentId = Annotated[
    UUID | None,
    Query(description="Compare one segment's funnel across the events that invited it"),
]


async def _compared(
    ctx: EventsContext, event_ids: list[UUID] | None, segment_id: UUID | None
) -> list[EventAttendance]:
    reports = await _reports(ctx, event_ids)
    if segment_id is None:
        return reports
    return [found for r in reports if (found := r.only_segment(segment_id)) is not None]


@router.get(
    "/reports/attendance",
    response_model=list[AttendanceOut],
    summary="Funnels compared across events (in total, or for one segment)",
)
async def compare(
    ctx: Context, _: Reader, event_id: EventIds = None, segment_id: SegmentId = None
) -> list[AttendanceOut]:
    return [AttendanceOut.of(report) for report in await _compared(ctx, event_id, segment_id)]


@router.get(
    "/reports/attendance.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
    summary="Funnels across events as CSV (one line per event: its total, or the segment's)",
)
async def compare_csv(
    ctx: Context, _: Reader, event_id: EventIds = None, segment_id: SegmentId = None
) -> Response:
    reports = await _compared(ctx, event_id, segment_id)
    rows = [report.rows()[0 if segment_id is None else 1] for report in reports]
    return _csv(to_csv(rows), "kehadiran.csv")
