"""HTTP: segments and their preview."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from sinergi_kit.auth import Reader, Writer
from sinergi_kit.contracts.segments import SegmentFilter, SegmentState
from sinergi_kit.http.conditional import ExpectedVersion
from sinergi_kit.http.idempotency import Idempotency
from sinergi_kit.http.problems import PROBLEM_RESPONSES
from sinergi_registry.adapters.repository import SegmentRepository
from sinergi_registry.entrypoints.common import created, runtime, versioned
from sinergi_registry.service_layer.common import create_once
from sinergi_registry.service_layer.segments import (
    CreateSegment,
    SegmentPreview,
    UpdateSegment,
    create_segment,
    delete_segment,
    load_segment,
    preview,
    update_segment,
)

router = APIRouter(prefix="/segments", tags=["segments"], responses=PROBLEM_RESPONSES)
Members = Annotated[int, Query(ge=0, le=500, description="How many members to list")]


@router.post("", status_code=201, response_model=SegmentState, summary="Create a segment")
async def post_segment(
    command: CreateSegment, request: Request, actor: Writer, idempotency: Idempotency
) -> Response:
    result = await create_once(
        runtime(request).uow,
        idempotency,
        lambda uow: create_segment(uow, command, actor),
        lambda id_: f"/segments/{id_}",
    )
    return created(result)


@router.get("", response_model=list[SegmentState], summary="List segments")
async def list_segments(request: Request, _: Reader) -> list[SegmentState]:
    async with runtime(request).db.read() as session:
        return await SegmentRepository(session).all()


@router.post(
    "/preview",
    response_model=SegmentPreview,
    summary="Preview an unsaved filter: count and members",
)
async def preview_filter(
    segment: SegmentFilter, request: Request, _: Reader, limit: Members = 50
) -> SegmentPreview:
    async with runtime(request).db.read() as session:
        return await preview(session, segment, limit)


@router.get("/{segment_id}", response_model=SegmentState, summary="Get a segment")
async def get_segment(segment_id: UUID, request: Request, _: Reader) -> Response:
    async with runtime(request).db.read() as session:
        state = await load_segment(session, segment_id)
    return versioned(state.model_dump_json(), state.version)


@router.get("/{segment_id}/preview", response_model=SegmentPreview, summary="Count and members")
async def preview_segment(
    segment_id: UUID, request: Request, _: Reader, limit: Members = 50
) -> SegmentPreview:
    async with runtime(request).db.read() as session:
        state = await load_segment(session, segment_id)
        return await preview(session, state.filter, limit)


@router.patch("/{segment_id}", response_model=SegmentState, summary="Change a segment")
async def patch_segment(
    segment_id: UUID,
    command: UpdateSegment,
    request: Request,
    actor: Writer,
    expected: ExpectedVersion,
) -> Response:
    async with runtime(request).uow() as uow:
        state = await update_segment(uow, segment_id, command, actor, expected)
    return versioned(state.model_dump_json(), state.version)


@router.delete("/{segment_id}", status_code=204, summary="Delete a segment")
async def remove_segment(
    segment_id: UUID, request: Request, actor: Writer, expected: ExpectedVersion
) -> Response:
    async with runtime(request).uow() as uow:
        await delete_segment(uow, segment_id, actor, expected)
    return Response(status_code=204)
