"""The door device's API: scans (live and offline uploads) and walk-ins. The device signs
in like any operator client (an operator's bearer token)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from sinergi_events.entrypoints.deps import Context, Language
from sinergi_events.entrypoints.errors import DirectDomainRoute, DomainRoute
from sinergi_events.entrypoints.schemas import ScanOut, WalkInOut
from sinergi_events.service_layer import checkin
from sinergi_events.service_layer.checkin import ScanOutcome
from sinergi_events.service_layer.commands import OfflineUpload, Scan, WalkIn
from sinergi_kit.auth import Writer
from sinergi_kit.http.direct import direct_route
from sinergi_kit.http.problems import PROBLEM_RESPONSES
from sinergi_kit.i18n import Lang, translate

router = APIRouter(
    prefix="/events/{event_id}",
    tags=["check-in"],
    responses=PROBLEM_RESPONSES,
    route_class=DomainRoute,
)


def _out(outcome: ScanOutcome, lang: Lang) -> ScanOut:
    key = outcome.reason or f"accepted_{outcome.direction}"
    return ScanOut.of(outcome, translate(f"events.scan.{key}", lang))


@direct_route(
    router,
    "/scans",
    methods=["POST"],
    route_class=DirectDomainRoute,
    response_model=ScanOut,
    summary="A scan at the door; the same nonce always gets the same answer",
)
async def scan(event_id: UUID, command: Scan, ctx: Context, lang: Language, _: Writer) -> ScanOut:
    return _out(await checkin.scan(ctx, event_id, command), lang)


@router.post(
    "/scans/offline",
    response_model=list[ScanOut],
    summary="Scans taken offline, uploaded later (applied in the order taken)",
)
async def upload(
    event_id: UUID, command: OfflineUpload, ctx: Context, lang: Language, _: Writer
) -> list[ScanOut]:
    outcomes = await checkin.upload_offline(ctx, event_id, command.scans)
    return [_out(outcome, lang) for outcome in outcomes]


@router.post("/walk-ins", status_code=201, response_model=WalkInOut, summary="Register a walk-in")
async def walk_in(
    event_id: UUID, command: WalkIn, ctx: Context, response: Response, _: Writer
) -> WalkInOut:
    walk_in_id = await checkin.register_walk_in(ctx, event_id, command)
    response.headers["Location"] = f"/events/{event_id}/walk-ins/{walk_in_id}"
    return WalkInOut(id=walk_in_id)
