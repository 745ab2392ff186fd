"""HTTP: accounts — register, read, list and search, update, verification, history."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from sinergi_kit.auth import Reader, Writer
from sinergi_kit.clock import UtcDateTime
from sinergi_kit.contracts.registry import (
    AccountCategory,
    AccountState,
    ManagedBy,
    Platform,
    VerificationChange,
    VerificationStatus,
)
from sinergi_kit.http.conditional import ExpectedVersion
from sinergi_kit.http.direct import direct_route
from sinergi_kit.http.idempotency import Idempotency
from sinergi_kit.http.problems import PROBLEM_RESPONSES, ProblemError
from sinergi_registry.adapters.repository import AccountQuery, AccountRepository, AccountSort
from sinergi_registry.domain.districts import DISTRICTS
from sinergi_registry.entrypoints.common import (
    PAGE_LIMIT,
    Verifier,
    account_reader,
    created,
    runtime,
    versioned,
)
from sinergi_registry.service_layer.accounts import (
    ChangeVerification,
    RegisterAccount,
    UpdateAccount,
    change_verification,
    register_account,
    update_account,
)
from sinergi_registry.service_layer.common import create_once

router = APIRouter(prefix="/accounts", tags=["accounts"], responses=PROBLEM_RESPONSES)


class AccountPage(BaseModel):
    items: list[AccountState]
    next_cursor: str | None


class FollowerSnapshot(BaseModel):
    observed_at: UtcDateTime
    followers: int
    source: str


class AccountHistory(BaseModel):
    verification: list[VerificationChange]
    followers: list[FollowerSnapshot]


_ETAG = {"ETag": {"description": "The version, for If-Match", "schema": {"type": "string"}}}


@router.post(
    "",
    status_code=201,
    response_model=AccountState,
    summary="Register an account",
    responses={201: {"headers": _ETAG}},
    description="A profile URL in any of its forms or a handle; it is stored in canonical "
    "form. Send an `Idempotency-Key` to retry safely.",
)
async def create_account(
    command: RegisterAccount, request: Request, actor: Writer, idempotency: Idempotency
) -> Response:
    result = await create_once(
        runtime(request).uow,
        idempotency,
        lambda uow: register_account(uow, command, actor),
        lambda id_: f"/accounts/{id_}",
    )
    return created(result)


@direct_route(
    router,
    "/{account_id}",
    methods=["GET"],
    response_model=AccountState,
    summary="Get one account",
    responses={200: {"headers": _ETAG}},
)
async def get_account(account_id: UUID, request: Request, _: Reader) -> Response:
    raw = await account_reader(request).get_raw(account_id)
    if raw is None:
        raise ProblemError(404, "account_not_found", detail_key="registry.account_not_found")
    return versioned(*raw)


@router.get("", response_model=AccountPage, summary="List and search accounts")
async def list_accounts(
    request: Request,
    _: Reader,
    q: Annotated[
        str | None,
        Query(
            max_length=100, description="Words that start names or handles", examples=["kominfo"]
        ),
    ] = None,
    platform: Annotated[list[Platform] | None, Query()] = None,
    category: Annotated[list[AccountCategory] | None, Query()] = None,
    managed_by: Annotated[list[ManagedBy] | None, Query()] = None,
    district: Annotated[list[str] | None, Query(description=", ".join(DISTRICTS))] = None,
    verification_status: Annotated[list[VerificationStatus] | None, Query()] = None,
    organization_id: UUID | None = None,
    tag: Annotated[str | None, Query(max_length=64)] = None,
    min_followers: Annotated[int | None, Query(ge=0)] = None,
    sort: AccountSort = "created",
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT)] = 50,
) -> Response:
    query = AccountQuery(
        platform=platform or (),
        category=category or (),
        managed_by=managed_by or (),
        district=district or (),
        verification_status=verification_status or (),
        organization_id=organization_id,
        tag=tag,
        min_followers=min_followers,
        q=q,
    )
    async with runtime(request).db.read() as session:
        page = await AccountRepository(session).page(query, sort=sort, cursor=cursor, limit=limit)
    return Response(content=page.json(), media_type="application/json")


@router.patch(
    "/{account_id}",
    response_model=AccountState,
    summary="Change an account (If-Match required)",
    responses={200: {"headers": _ETAG}, 412: PROBLEM_RESPONSES[409], 428: PROBLEM_RESPONSES[409]},
)
async def patch_account(
    account_id: UUID,
    command: UpdateAccount,
    request: Request,
    actor: Writer,
    expected: ExpectedVersion,
) -> Response:
    async with runtime(request).uow() as uow:
        state = await update_account(uow, account_id, command, actor, expected)
    return versioned(state.model_dump_json(), state.version)


@router.post(
    "/{account_id}/verification",
    response_model=AccountState,
    summary="Move the verification status (pending → verified → suspended → verified; retired)",
    responses={200: {"headers": _ETAG}, 412: PROBLEM_RESPONSES[409], 428: PROBLEM_RESPONSES[409]},
)
async def verify_account(
    account_id: UUID,
    command: ChangeVerification,
    request: Request,
    actor: Verifier,
    expected: ExpectedVersion,
) -> Response:
    async with runtime(request).uow() as uow:
        state = await change_verification(uow, account_id, command, actor, expected)
    return versioned(state.model_dump_json(), state.version)


@router.get(
    "/{account_id}/history",
    response_model=AccountHistory,
    summary="Verification changes and follower counts over time",
)
async def account_history(account_id: UUID, request: Request, _: Reader) -> AccountHistory:
    async with runtime(request).db.read() as session:
        repository = AccountRepository(session)
        if await repository.get_raw(account_id) is None:
            raise ProblemError(404, "account_not_found", detail_key="registry.account_not_found")
        verification = await repository.verification_history(account_id)
        followers = await repository.follower_history(account_id)
    return AccountHistory(
        verification=verification,
        followers=[FollowerSnapshot(observed_at=a, followers=f, source=s) for a, f, s in followers],
    )
