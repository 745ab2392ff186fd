"""What anyone may call without signing in: report a hoax, read the verdicts, confirm a
share. Reports and uploads are rate limited per client address and per reporter contact; a
share confirmation only per share link, whose token is its credential."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, File, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from sinergi_factcheck.entrypoints.atom import atom_feed
from sinergi_factcheck.entrypoints.limits import LimitedRoute, client_address
from sinergi_factcheck.service_layer import amplification, intake, publication
from sinergi_factcheck.service_layer.context import Factcheck
from sinergi_factcheck.service_layer.intake import (
    RateLimitedError,
    Receipt,
    SubmitReport,
    contact_key,
)
from sinergi_factcheck.service_layer.publication import ClarificationView
from sinergi_factcheck.settings import FactcheckSettings
from sinergi_kit.clock import utcnow
from sinergi_kit.http.problems import PROBLEM_RESPONSES, problem_response, problem_responses
from sinergi_kit.i18n import negotiate, translate
from sinergi_kit.runtime import ServiceRuntime

router = APIRouter(tags=["public"], responses=PROBLEM_RESPONSES, route_class=LimitedRoute)


def factcheck(request: Request) -> Factcheck:
    """The app's use-case context, made on first use from the kit's runtime."""
    state = request.app.state
    fc: Factcheck | None = getattr(state, "factcheck", None)
    if fc is None:
        runtime: ServiceRuntime = state.runtime
        assert isinstance(runtime.settings, FactcheckSettings)
        fc = state.factcheck = Factcheck(runtime.uow, runtime.db, runtime.settings)
    return fc


def _too_many(
    request: Request, wait: float, detail_key: str = "factcheck.rate_limited"
) -> JSONResponse:
    """A 429 problem: the client or the contact has used up its reports (or a share link
    its confirmations)."""
    seconds = max(1, math.ceil(wait))
    lang = negotiate(request.headers.get("accept-language"))
    return problem_response(
        request,
        429,
        "rate_limited",
        detail=translate(detail_key, lang, seconds=seconds),
        headers={"Retry-After": str(seconds)},
    )


async def _limited(request: Request, fc: Factcheck) -> JSONResponse | None:
    client = client_address(request, fc.settings.trust_forwarded_for)
    wait = await fc.spend(fc.charge(client))
    return _too_many(request, wait) if wait else None


JSON_LD: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/ld+json": {"schema": {"type": "object"}}}}
}


class ImageReceipt(BaseModel):
    sha256: str


@router.post(
    "/reports",
    status_code=201,
    response_model=Receipt,
    summary="Report a suspected hoax (no sign-in)",
    responses={429: PROBLEM_RESPONSES[422]},
)
async def report_hoax(command: SubmitReport, request: Request) -> Receipt | JSONResponse:
    fc = factcheck(request)
    contact = contact_key(command.contact) if command.contact and command.consent else None
    charge = fc.charge(client_address(request, fc.settings.trust_forwarded_for), contact)
    try:
        return await intake.submit_report(fc, command, channel="public", charge=charge)
    except RateLimitedError as exc:
        return _too_many(request, exc.wait_s)


@router.post(
    "/reports/images",
    status_code=201,
    response_model=ImageReceipt,
    summary="Upload a screenshot; refer to it by its sha256 in a report",
    responses={429: PROBLEM_RESPONSES[422], **problem_responses(415)},
)
async def upload_image(
    request: Request, file: Annotated[UploadFile, File()]
) -> ImageReceipt | JSONResponse:
    fc = factcheck(request)
    if refused := await _limited(request, fc):
        return refused
    data = await file.read(fc.settings.intake_max_image_bytes + 1)
    return ImageReceipt(sha256=await intake.store_image(fc, data))


@router.get(
    "/clarifications",
    response_model=list[ClarificationView],
    summary="Public feed of clarifications, newest first; search with q",
)
async def list_clarifications(
    request: Request,
    q: Annotated[str | None, Query(max_length=200)] = None,
    before: Annotated[datetime | None, Query(description="published_at of the last item")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[ClarificationView]:
    items = await publication.feed(factcheck(request), query=q, before=before, limit=limit)
    return [ClarificationView.of(item) for item in items]


@router.get("/feed.atom", summary="Public feed as Atom", response_class=Response)
async def atom(request: Request) -> Response:
    fc = factcheck(request)
    items = await publication.feed(fc, query=None, before=None, limit=50)
    body = atom_feed(
        items,
        feed_url=fc.public_url("/feed.atom"),
        title="Klarifikasi Hoaks — KKD Kabupaten Jombang",
        updated=utcnow(),
    )
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@router.get(
    "/clarifications/{clarification_id}",
    response_model=ClarificationView,
    summary="One clarification",
)
async def get_clarification(clarification_id: UUID, request: Request) -> ClarificationView:
    return ClarificationView.of(await publication.get_public(factcheck(request), clarification_id))


@router.get(
    "/clarifications/{clarification_id}/claimreview",
    summary="The clarification's ClaimReview JSON-LD",
    response_class=JSONResponse,
    responses=JSON_LD,
)
async def claim_review(clarification_id: UUID, request: Request) -> JSONResponse:
    item = await publication.get_public(factcheck(request), clarification_id)
    return JSONResponse(item.claim_review, media_type="application/ld+json")


@router.get(
    "/claimreview",
    summary="Every ClaimReview (export feed)",
    response_class=JSONResponse,
    responses=JSON_LD,
)
async def claim_review_export(
    request: Request, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> JSONResponse:
    items = await publication.feed(factcheck(request), query=None, before=None, limit=limit)
    document: dict[str, Any] = {
        "@context": "https://schema.org",
        "@graph": [item.claim_review for item in items if item.status != "retracted"],
    }
    return JSONResponse(document, media_type="application/ld+json")


@router.get(
    "/share/{token}",
    response_model=amplification.ShareView,
    summary="A share request, seen through its token link",
)
async def view_share(token: str, request: Request) -> amplification.ShareView:
    return await amplification.view_share(factcheck(request), token)


@router.post(
    "/share/{token}",
    response_model=amplification.ShareView,
    summary="Confirm a share with the URL of the post",
    responses={429: PROBLEM_RESPONSES[422]},
)
async def confirm_share(
    token: str, command: amplification.Confirm, request: Request
) -> amplification.ShareView | JSONResponse:
    try:
        return await amplification.confirm_share(factcheck(request), token, command)
    except RateLimitedError as exc:
        return _too_many(request, exc.wait_s, "factcheck.share_rate_limited")
