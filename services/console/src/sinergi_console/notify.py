"""Notify pages: delivery status with counts per state, dead letters and resending."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sinergi_console.charts import bar_chart
from sinergi_console.registry import next_url
from sinergi_console.web import SignedIn

router = APIRouter()


@router.get("/notifications")
async def notifications(page: SignedIn, request: Request) -> Response:
    state = request.query_params.get("state", "")
    event_id = request.query_params.get("event_id", "")
    found = await page.api.get(
        "notify",
        "/notifications",
        state=state,
        event_id=event_id,
        cursor=request.query_params.get("cursor"),
        limit=50,
    )
    summary = await page.api.get("notify", "/notifications/summary", event_id=event_id)
    chart = bar_chart(
        page.t("notify.by_state"),
        summary["by_state"],
        {k: page.label("notification_state", k) for k in summary["by_state"]},
    )
    return page.render(
        "notifications.html",
        items=found["items"],
        next=next_url(request, found.get("next_cursor")),
        state=state,
        event_id=event_id,
        chart=chart,
        dead=False,
        state_options=page.options("notification_state"),
    )


@router.get("/dead-letters")
async def dead_letters(page: SignedIn, request: Request) -> Response:
    found = await page.api.get(
        "notify",
        "/dead-letters/notifications",
        cursor=request.query_params.get("cursor"),
        limit=50,
    )
    return page.render(
        "notifications.html",
        items=found["items"],
        next=next_url(request, found.get("next_cursor")),
        dead=True,
    )


@router.post("/notifications/{notification_id}/resend")
async def resend(page: SignedIn, notification_id: UUID) -> Response:
    result = await page.api.post("notify", f"/notifications/{notification_id}/resend")
    return page.redirect("/dead-letters", ok=page.t("notify.resent", count=result["resent"]))


@router.post("/dead-letters/resend")
async def resend_all(page: SignedIn) -> Response:
    result = await page.api.post("notify", "/dead-letters/notifications/resend", {})
    return page.redirect("/dead-letters", ok=page.t("notify.resent", count=result["resent"]))
