"""Events pages: the list, creating, publishing, moving and cancelling an event, inviting a
segment, live counts, the attendance report and the check-in page at the door."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, Response

from sinergi_console.api import ApiProblemError
from sinergi_console.charts import bar_chart
from sinergi_console.registry import next_url
from sinergi_console.web import Page, SignedIn

router = APIRouter()
WIB = ZoneInfo("Asia/Jakarta")
FUNNEL = (
    "invited",
    "responded",
    "accepted",
    "declined",
    "tentative",
    "waitlisted",
    "checked_in",
    "no_show",
)
Text = Annotated[str, Form()]
OptionalText = Annotated[str, Form()]


def local_time(value: str) -> str:
    """An ``<input type="datetime-local">`` value, read as Jakarta time, in ISO 8601 UTC."""
    return datetime.fromisoformat(value).replace(tzinfo=WIB).astimezone(UTC).isoformat()


def _input_time(value: str | None) -> str:
    """An API time as a ``datetime-local`` value in Jakarta time."""
    if not value:
        return ""
    return datetime.fromisoformat(value).astimezone(WIB).strftime("%Y-%m-%dT%H:%M")


def _bad_time(page: Page) -> ApiProblemError:
    return ApiProblemError(422, {"detail": page.t("events.bad_time")})


@router.get("/events")
async def list_events(page: SignedIn, request: Request) -> Response:
    found = await page.api.get(
        "events", "/events", cursor=request.query_params.get("cursor"), limit=25
    )
    return page.render(
        "events.html",
        events=found["items"],
        next=next_url(request, found.get("next_cursor")),
    )


@router.get("/events/new")
async def new_event(page: SignedIn) -> Response:
    return page.render("event_new.html")


@router.post("/events")
async def create_event(
    page: SignedIn,
    title_id: Text,
    title_en: Text,
    theme_id: Text,
    theme_en: Text,
    venue_name: Text,
    starts_at: Text,
    ends_at: Text,
    venue_address: OptionalText = "",
    description: OptionalText = "",
    capacity: OptionalText = "",
) -> Response:
    try:
        times = {"starts_at": local_time(starts_at), "ends_at": local_time(ends_at)}
    except ValueError:
        return page.redirect("/events/new", problem=_bad_time(page))
    body: dict[str, Any] = {
        "title": {"id": title_id, "en": title_en},
        "theme": {"id": theme_id, "en": theme_en},
        "description": description,
        "venue": {"name": venue_name, "address": venue_address},
        **times,
        "capacity": int(capacity) if capacity.strip().isdigit() else None,
    }
    created = await page.api.post("events", "/events", body)
    return page.redirect(f"/events/{created['id']}", ok=page.t("events.created"))


async def _attendance(page: Page, event_id: UUID) -> dict[str, Any]:
    report: dict[str, Any] = await page.api.get("events", f"/events/{event_id}/attendance")
    return report


def live_counts(report: dict[str, Any]) -> dict[str, int]:
    total = report["total"]
    return {
        "invited": total["invited"],
        "accepted": total["accepted"],
        "waitlisted": total["waitlisted"],
        "checked_in": total["checked_in"],
        "walk_ins": report["walk_ins"],
    }


@router.get("/events/{event_id}")
async def event_detail(page: SignedIn, event_id: UUID) -> Response:
    event = await page.api.get("events", f"/events/{event_id}")
    report = await _attendance(page, event_id)
    segments = await page.api.get("registry", "/segments") if page.can_write else []
    funnel = bar_chart(
        page.t("events.funnel"),
        {stage: report["total"][stage] for stage in FUNNEL},
        {stage: page.t(f"funnel.{stage}") for stage in FUNNEL},
        sort=False,
    )
    by_segment = bar_chart(
        page.t("events.checked_in_by_segment"),
        {row["segment_name"] or "—": row["checked_in"] for row in report["segments"]},
    )
    return page.render(
        "event.html",
        event=event,
        title=event["title"][page.lang],
        counts=live_counts(report),
        report=report,
        funnel=funnel,
        by_segment=by_segment,
        segments=segments,
        starts_input=_input_time(event["starts_at"]),
        ends_input=_input_time(event["ends_at"]),
        role_options=page.options("invitation_role"),
    )


@router.get("/events/{event_id}/counts")
async def counts(page: SignedIn, event_id: UUID) -> JSONResponse:
    return JSONResponse(live_counts(await _attendance(page, event_id)))


@router.get("/events/{event_id}/attendance.csv")
async def attendance_csv(page: SignedIn, event_id: UUID) -> Response:
    upstream = await page.api.request("events", "GET", f"/events/{event_id}/attendance.csv")
    return Response(
        upstream.content,
        media_type=upstream.headers.get("content-type", "text/csv"),
        headers={"Content-Disposition": upstream.headers.get("content-disposition", "attachment")},
    )


@router.post("/events/{event_id}/publish")
async def publish(page: SignedIn, event_id: UUID) -> Response:
    await page.api.post("events", f"/events/{event_id}/publish")
    return page.redirect(f"/events/{event_id}", ok=page.t("events.published"))


@router.post("/events/{event_id}/reschedule")
async def reschedule(page: SignedIn, event_id: UUID, starts_at: Text, ends_at: Text) -> Response:
    try:
        body = {"starts_at": local_time(starts_at), "ends_at": local_time(ends_at)}
    except ValueError:
        return page.redirect(f"/events/{event_id}", problem=_bad_time(page))
    await page.api.post("events", f"/events/{event_id}/reschedule", body)
    return page.redirect(f"/events/{event_id}", ok=page.t("events.rescheduled"))


@router.post("/events/{event_id}/cancel")
async def cancel(
    page: SignedIn, event_id: UUID, reason_id: OptionalText = "", reason_en: OptionalText = ""
) -> Response:
    reason = {"id": reason_id, "en": reason_en or reason_id} if reason_id else None
    await page.api.post("events", f"/events/{event_id}/cancel", {"reason": reason})
    return page.redirect(f"/events/{event_id}", ok=page.t("events.cancelled"))


@router.post("/events/{event_id}/invite")
async def invite_segment(
    page: SignedIn, event_id: UUID, segment_id: Annotated[UUID, Form()], role: Text = "participant"
) -> Response:
    result = await page.api.post(
        "events",
        f"/events/{event_id}/invitations/segment",
        {"segment_id": str(segment_id), "role": role},
    )
    return page.redirect(
        f"/events/{event_id}",
        ok=page.t("events.invited", invited=result["invited"], already=result["already_invited"]),
    )


@router.get("/events/{event_id}/checkin")
async def checkin_page(page: SignedIn, event_id: UUID) -> Response:
    event = await page.api.get("events", f"/events/{event_id}")
    return page.render(
        "checkin.html",
        event=event,
        title=event["title"][page.lang],
        nonce=secrets.token_hex(12),
        result=None,
    )


@router.post("/events/{event_id}/checkin")
async def checkin(
    page: SignedIn,
    event_id: UUID,
    code: Text,
    nonce: Text,
    direction: Text = "entry",
) -> Response:
    """One scan; the nonce comes with the rendered form, so sending the same form twice gets
    the same answer."""
    event = await page.api.get("events", f"/events/{event_id}")
    try:
        result = await page.api.post(
            "events",
            f"/events/{event_id}/scans",
            {"nonce": nonce, "code": code.strip(), "direction": direction, "device": "console"},
        )
    except ApiProblemError as problem:
        result = {"accepted": False, "message": problem.detail}
    return page.render(
        "checkin.html",
        event=event,
        title=event["title"][page.lang],
        nonce=secrets.token_hex(12),
        result=result,
    )
