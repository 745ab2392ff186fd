"""Fact-check pages: the case queue with its time limits, a case with its reports, evidence,
verdict and approval, publication, and amplification progress."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from sinergi_console.api import ApiProblemError
from sinergi_console.charts import bar_chart
from sinergi_console.web import SignedIn

router = APIRouter()
Text = Annotated[str, Form()]
OptionalText = Annotated[str, Form()]
FLAGS = ("election", "hate_speech", "potentially_criminal")


@router.get("/cases")
async def queue(page: SignedIn, request: Request) -> Response:
    status = request.query_params.get("status", "")
    overdue = request.query_params.get("overdue") == "1"
    found = await page.api.get(
        "factcheck", "/cases", status=status, overdue=str(overdue).lower(), limit=200
    )
    return page.render(
        "cases.html",
        cases=found,
        status=status,
        overdue=overdue,
        status_options=page.options("case_status"),
    )


@router.get("/cases/{case_id}")
async def case(page: SignedIn, case_id: UUID) -> Response:
    detail = await page.api.get("factcheck", f"/cases/{case_id}")
    campaigns = await _campaigns(page, case_id) if detail.get("clarification_id") else None
    return page.render(
        "case.html",
        detail=detail,
        case=detail["case"],
        flags=FLAGS,
        campaigns=campaigns,
    )


async def _campaigns(page: SignedIn, case_id: UUID) -> list[dict[str, Any]] | None:
    """The case's amplification campaigns, newest first; None for a verifier of a partner
    organisation, who may not see campaigns."""
    try:
        found = await page.api.get("factcheck", "/campaigns", case_id=str(case_id), limit=200)
    except ApiProblemError as refused:
        if refused.status == 403:
            return None
        raise
    items: list[dict[str, Any]] = found["items"]
    return items


async def _act(page: SignedIn, case_id: UUID, action: str, body: Any, done: str) -> Response:
    await page.api.post("factcheck", f"/cases/{case_id}/{action}", body)
    return page.redirect(f"/cases/{case_id}", ok=page.t(done))


@router.post("/cases/{case_id}/triage")
async def triage(page: SignedIn, case_id: UUID, request: Request, urgency: Text) -> Response:
    form = await request.form()
    flags = {flag: form.get(flag) == "on" for flag in FLAGS}
    return await _act(page, case_id, "triage", {"urgency": urgency, "flags": flags}, "cases.saved")


@router.post("/cases/{case_id}/assign")
async def assign(page: SignedIn, case_id: UUID, assignee: Text) -> Response:
    return await _act(page, case_id, "assign", {"assignee": assignee}, "cases.saved")


@router.post("/cases/{case_id}/reject")
async def reject(page: SignedIn, case_id: UUID, reason: Text) -> Response:
    return await _act(page, case_id, "reject", {"reason": reason}, "cases.saved")


@router.post("/cases/{case_id}/evidence")
async def evidence(
    page: SignedIn,
    case_id: UUID,
    kind: Text,
    source: Text,
    url: OptionalText = "",
    note: OptionalText = "",
    official: OptionalText = "",
) -> Response:
    body = {
        "kind": kind,
        "source": source,
        "url": url or None,
        "note": note,
        "official": official == "on",
    }
    return await _act(page, case_id, "evidence", body, "cases.evidence_added")


@router.post("/cases/{case_id}/verdict")
async def verdict(
    page: SignedIn,
    case_id: UUID,
    rating: Text,
    hoax_type: OptionalText = "",
    public_label: OptionalText = "",
) -> Response:
    body = {"rating": rating, "hoax_type": hoax_type or None, "label": public_label or None}
    return await _act(page, case_id, "verdict", body, "cases.verdict_drafted")


@router.post("/cases/{case_id}/approve")
async def approve(page: SignedIn, case_id: UUID) -> Response:
    return await _act(page, case_id, "approve", None, "cases.approved")


@router.post("/cases/{case_id}/send-back")
async def send_back(page: SignedIn, case_id: UUID) -> Response:
    return await _act(page, case_id, "send-back", None, "cases.sent_back")


@router.post("/cases/{case_id}/publish")
async def publish(
    page: SignedIn,
    case_id: UUID,
    title_id: Text,
    title_en: Text,
    summary_id: Text,
    summary_en: Text,
    body_id: Text,
    body_en: Text,
) -> Response:
    text = {
        "title_id": title_id,
        "title_en": title_en,
        "summary_id": summary_id,
        "summary_en": summary_en,
        "body_id": body_id,
        "body_en": body_en,
    }
    return await _act(page, case_id, "publish", text, "cases.published")


@router.post("/clarifications/{clarification_id}/campaigns")
async def amplify(
    page: SignedIn, clarification_id: UUID, segment: Text, account_ids: Text
) -> Response:
    ids = [part.strip() for part in account_ids.replace("\n", ",").split(",") if part.strip()]
    campaign = await page.api.post(
        "factcheck",
        f"/clarifications/{clarification_id}/campaigns",
        {"targets": [{"segment": segment, "account_ids": ids}]},
    )
    return page.redirect(f"/campaigns/{campaign['id']}", ok=page.t("cases.amplification_asked"))


@router.get("/campaigns/{campaign_id}")
async def campaign(page: SignedIn, campaign_id: UUID) -> Response:
    progress = await page.api.get("factcheck", f"/campaigns/{campaign_id}/progress")
    chart = bar_chart(
        page.t("campaign.confirmed_by_segment"),
        {row["segment"]: row["confirmed"] for row in progress["segments"]},
    )
    return page.render("campaign.html", progress=progress, chart=chart)
