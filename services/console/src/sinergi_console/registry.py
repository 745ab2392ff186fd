"""Registry pages: accounts, people and organisations; statistics; import; segments."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from sinergi_console.api import ApiProblemError
from sinergi_console.charts import bar_chart
from sinergi_console.web import SignedIn

router = APIRouter()
ACCOUNT_FILTERS = ("q", "platform", "category", "managed_by", "district", "verification_status")
IMPORT_MAX_BYTES = 5 * 1024 * 1024
SEGMENT_LISTS = ("platforms", "categories", "managed_by", "roles", "verification_statuses")


def next_url(request: Request, cursor: str | None) -> str | None:
    """The same page and filters, one page on."""
    if not cursor:
        return None
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
    return request.url.path + "?" + urlencode([*query, ("cursor", cursor)])


@router.get("/accounts")
async def accounts(page: SignedIn, request: Request) -> Response:
    filters = {name: request.query_params.get(name, "") for name in ACCOUNT_FILTERS}
    found = await page.api.get(
        "registry", "/accounts", cursor=request.query_params.get("cursor"), limit=25, **filters
    )
    return page.render(
        "accounts.html",
        filters=filters,
        accounts=found["items"],
        next=next_url(request, found.get("next_cursor")),
    )


@router.get("/people")
async def people(page: SignedIn, request: Request) -> Response:
    q, role = request.query_params.get("q", ""), request.query_params.get("role", "")
    found = await page.api.get(
        "registry", "/people", q=q, role=role, cursor=request.query_params.get("cursor"), limit=25
    )
    return page.render(
        "people.html",
        q=q,
        role=role,
        people=found["items"],
        next=next_url(request, found.get("next_cursor")),
        role_options=page.options("person_role"),
    )


@router.get("/organizations")
async def organizations(page: SignedIn, request: Request) -> Response:
    kind = request.query_params.get("kind", "")
    found = await page.api.get("registry", "/organizations", kind=kind)
    return page.render(
        "organizations.html",
        kind=kind,
        organizations=found,
        kind_options=page.options("organization_kind"),
    )


@router.get("/stats")
async def stats(page: SignedIn) -> Response:
    counts = await page.api.get("registry", "/stats/accounts")
    charts = [
        bar_chart(
            page.t(f"stats.{dimension}"),
            counts[f"by_{dimension}"],
            {k: page.label(kind, k) for k in counts[f"by_{dimension}"]},
        )
        for dimension, kind in (
            ("platform", "platform"),
            ("category", "category"),
            ("managed_by", "managed_by"),
            ("district", "district"),
            ("verification_status", "verification_status"),
        )
    ]
    return page.render("stats.html", total=counts["total"], charts=charts)


@router.get("/imports")
async def import_form(page: SignedIn) -> Response:
    return page.render("imports.html", report=None, kind="accounts")


@router.post("/imports")
async def run_import(
    page: SignedIn,
    kind: Annotated[str, Form(pattern="^(accounts|people)$")],
    mode: Annotated[str, Form(pattern="^(dry_run|apply)$")],
    file: Annotated[UploadFile | None, File()] = None,
    checked_file: Annotated[str, Form()] = "",
    checked_name: Annotated[str, Form()] = "",
) -> Response:
    """A dry run first; its report page carries the checked file so "apply" needs no second
    upload."""
    if file is not None and file.filename:
        content, name = await file.read(IMPORT_MAX_BYTES + 1), file.filename
    else:
        try:
            content, name = base64.b64decode(checked_file, validate=True), checked_name
        except binascii.Error:
            content, name = b"", ""
    if not content or len(content) > IMPORT_MAX_BYTES:
        return page.render(
            "imports.html",
            status_code=422,
            report=None,
            kind=kind,
            problem=ApiProblemError(422, {"detail": page.t("imports.need_file")}),
        )
    try:
        response = await page.api.request(
            "registry",
            "POST",
            f"/imports/{kind}",
            params={"dry_run": str(mode == "dry_run").lower()},
            files={"file": (name, content)},
        )
    except ApiProblemError as problem:
        return page.render(
            "imports.html", status_code=problem.status, report=None, kind=kind, problem=problem
        )
    return page.render(
        "imports.html",
        report=response.json(),
        kind=kind,
        checked_file=base64.b64encode(content).decode(),
        checked_name=name,
    )


@router.get("/segments")
async def segments(page: SignedIn) -> Response:
    found = await page.api.get("registry", "/segments")
    return page.render(
        "segments.html",
        segments=found,
    )


def segment_filter(form: dict[str, list[str]]) -> dict[str, Any]:
    chosen: dict[str, Any] = {name: [v for v in form.get(name, []) if v] for name in SEGMENT_LISTS}
    chosen["districts"] = [
        d.strip() for text in form.get("districts_text", []) for d in text.split(",") if d.strip()
    ]
    consent = next((v for v in form.get("consent_purpose", []) if v), None)
    if consent:
        chosen["consent_purpose"] = consent
    return {name: value for name, value in chosen.items() if value}


@router.post("/segments")
async def create_segment(page: SignedIn, request: Request) -> Response:
    form = await request.form()
    values = {key: [str(v) for v in form.getlist(key)] for key in form}
    body = {
        "name": str(form.get("name", "")),
        "description": str(form.get("description", "")),
        "filter": segment_filter(values),
    }
    created = await page.api.post("registry", "/segments", body)
    return page.redirect(f"/segments/{created['id']}", ok=page.t("segments.created"))


@router.get("/segments/{segment_id}")
async def segment(page: SignedIn, segment_id: UUID) -> Response:
    state = await page.api.get("registry", f"/segments/{segment_id}")
    preview = await page.api.get("registry", f"/segments/{segment_id}/preview", limit=25)
    return page.render(
        "segment.html",
        segment=state,
        filter_json=json.dumps(state["filter"], ensure_ascii=False),
        preview=preview,
    )
