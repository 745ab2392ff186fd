"""HTTP: organisations."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from sinergi_kit.auth import Reader, Writer
from sinergi_kit.contracts.registry import OrganizationKind, OrganizationState
from sinergi_kit.http.conditional import ExpectedVersion
from sinergi_kit.http.idempotency import Idempotency
from sinergi_kit.http.problems import PROBLEM_RESPONSES
from sinergi_registry.adapters.repository import OrganizationRepository
from sinergi_registry.entrypoints.common import created, runtime, versioned
from sinergi_registry.service_layer.common import create_once
from sinergi_registry.service_layer.organizations import (
    RegisterOrganization,
    UpdateOrganization,
    load_organization,
    register_organization,
    update_organization,
)

router = APIRouter(prefix="/organizations", tags=["organizations"], responses=PROBLEM_RESPONSES)


@router.post(
    "", status_code=201, response_model=OrganizationState, summary="Register an organisation"
)
async def create_organization(
    command: RegisterOrganization, request: Request, actor: Writer, idempotency: Idempotency
) -> Response:
    result = await create_once(
        runtime(request).uow,
        idempotency,
        lambda uow: register_organization(uow, command, actor),
        lambda id_: f"/organizations/{id_}",
    )
    return created(result)


@router.get("", response_model=list[OrganizationState], summary="List organisations")
async def list_organizations(
    request: Request, _: Reader, kind: Annotated[OrganizationKind | None, Query()] = None
) -> list[OrganizationState]:
    async with runtime(request).db.read() as session:
        return await OrganizationRepository(session).all(kind)


@router.get("/{organization_id}", response_model=OrganizationState, summary="Get an organisation")
async def get_organization(organization_id: UUID, request: Request, _: Reader) -> Response:
    async with runtime(request).uow() as uow:
        state = await load_organization(uow, organization_id)
    return versioned(state.model_dump_json(), state.version)


@router.patch(
    "/{organization_id}", response_model=OrganizationState, summary="Change an organisation"
)
async def patch_organization(
    organization_id: UUID,
    command: UpdateOrganization,
    request: Request,
    actor: Writer,
    expected: ExpectedVersion,
) -> Response:
    async with runtime(request).uow() as uow:
        state = await update_organization(uow, organization_id, command, actor, expected)
    return versioned(state.model_dump_json(), state.version)
