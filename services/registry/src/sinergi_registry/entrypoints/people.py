"""HTTP: people, their consents, the export of their data and its erasure."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from sinergi_kit.auth import Reader, Writer
from sinergi_kit.contracts.registry import PersonRole, PersonState
from sinergi_kit.http.conditional import ExpectedVersion
from sinergi_kit.http.idempotency import Idempotency
from sinergi_kit.http.problems import PROBLEM_RESPONSES
from sinergi_registry.adapters.repository import PersonRepository
from sinergi_registry.entrypoints.common import PAGE_LIMIT, created, runtime, versioned
from sinergi_registry.service_layer.common import create_once
from sinergi_registry.service_layer.people import (
    ConsentInput,
    PersonExport,
    RegisterPerson,
    UpdatePerson,
    erase_person,
    export_person,
    load_person,
    record_person_consent,
    register_person,
    update_person,
)

router = APIRouter(prefix="/people", tags=["people"], responses=PROBLEM_RESPONSES)


class PersonPage(BaseModel):
    items: list[PersonState]
    next_cursor: str | None


@router.post("", status_code=201, response_model=PersonState, summary="Register a person")
async def create_person(
    command: RegisterPerson, request: Request, actor: Writer, idempotency: Idempotency
) -> Response:
    result = await create_once(
        runtime(request).uow,
        idempotency,
        lambda uow: register_person(uow, command, actor),
        lambda id_: f"/people/{id_}",
    )
    return created(result)


@router.get("", response_model=PersonPage, summary="List and search people")
async def list_people(
    request: Request,
    _: Reader,
    q: Annotated[str | None, Query(max_length=100, description="Part of the name")] = None,
    role: PersonRole | None = None,
    organization_id: UUID | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT)] = 50,
) -> Response:
    async with runtime(request).db.read() as session:
        page = await PersonRepository(session).page(
            q=q, role=role, organization_id=organization_id, cursor=cursor, limit=limit
        )
    return Response(content=page.json(), media_type="application/json")


@router.get(
    "/{person_id}",
    response_model=PersonState,
    summary="Get a person",
    responses={410: PROBLEM_RESPONSES[404]},
)
async def get_person(person_id: UUID, request: Request, _: Reader) -> Response:
    async with runtime(request).uow() as uow:
        state = await load_person(uow, person_id)
    return versioned(state.model_dump_json(), state.version)


@router.patch("/{person_id}", response_model=PersonState, summary="Change a person")
async def patch_person(
    person_id: UUID,
    command: UpdatePerson,
    request: Request,
    actor: Writer,
    expected: ExpectedVersion,
) -> Response:
    async with runtime(request).uow() as uow:
        state = await update_person(uow, person_id, command, actor, expected)
    return versioned(state.model_dump_json(), state.version)


@router.post(
    "/{person_id}/consents",
    response_model=PersonState,
    summary="Record a consent or its withdrawal",
)
async def post_consent(
    person_id: UUID,
    command: ConsentInput,
    request: Request,
    actor: Writer,
    expected: ExpectedVersion,
) -> Response:
    async with runtime(request).uow() as uow:
        state = await record_person_consent(uow, person_id, command, actor, expected)
    return versioned(state.model_dump_json(), state.version)


@router.get(
    "/{person_id}/export",
    response_model=PersonExport,
    summary="Everything held about a person (right of access)",
)
async def get_export(person_id: UUID, request: Request, actor: Writer) -> PersonExport:
    async with runtime(request).uow() as uow:
        return await export_person(uow, person_id, actor)


@router.delete(
    "/{person_id}",
    status_code=204,
    summary="Erase a person's personal data; every service purges its copy",
)
async def delete_person(
    person_id: UUID, request: Request, actor: Writer, expected: ExpectedVersion
) -> Response:
    async with runtime(request).uow() as uow:
        await erase_person(uow, person_id, actor, expected)
    return Response(status_code=204)
