"""HTTP: sign-in, API tokens, operator users and the audit log."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from sinergi_kit.auth import Principal, Reader, Role, TokenVerifier
from sinergi_kit.http.problems import PROBLEM_RESPONSES
from sinergi_registry.entrypoints.common import Admin, runtime
from sinergi_registry.service_layer.audit import AuditEntry, entries_for
from sinergi_registry.service_layer.users import (
    ACCESS_TTL,
    MACHINE_TTL,
    ApiTokenView,
    CreateApiToken,
    CreateUser,
    IssuedApiToken,
    Login,
    UserView,
    authenticate,
    create_api_token,
    create_user,
    exchange_api_token,
    list_api_tokens,
    list_users,
    revoke_api_token,
)

router = APIRouter(tags=["auth"], responses=PROBLEM_RESPONSES)


class AccessToken(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds")


class TokenExchange(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"api_token": "sgr_…"}]}
    )

    api_token: str = Field(min_length=8, max_length=200)


class Me(BaseModel):
    subject: str
    name: str
    roles: list[Role]
    organization_id: UUID | None


def _issue(request: Request, principal: Principal, ttl_s: int) -> AccessToken:
    verifier: TokenVerifier = request.app.state.token_verifier
    return AccessToken(
        access_token=verifier.issue(principal, timedelta(seconds=ttl_s)), expires_in=ttl_s
    )


@router.post("/auth/login", response_model=AccessToken, summary="Sign in with a password")
async def login(command: Login, request: Request) -> AccessToken:
    async with runtime(request).db.read() as session:
        principal = await authenticate(session, command)
    return _issue(request, principal, int(ACCESS_TTL.total_seconds()))


@router.post(
    "/auth/token", response_model=AccessToken, summary="Exchange an API token for a bearer token"
)
async def exchange(command: TokenExchange, request: Request) -> AccessToken:
    async with runtime(request).uow() as uow:
        principal = await exchange_api_token(uow, command.api_token)
    return _issue(request, principal, int(MACHINE_TTL.total_seconds()))


@router.get("/auth/me", response_model=Me, summary="Who the bearer token says you are")
async def me(principal: Reader) -> Me:
    return Me(
        subject=principal.subject,
        name=principal.name,
        roles=sorted(principal.roles),
        organization_id=principal.organization_id,
    )


@router.post("/users", status_code=201, response_model=UserView, summary="Create an operator user")
async def post_user(command: CreateUser, request: Request, actor: Admin) -> UserView:
    async with runtime(request).uow() as uow:
        return await create_user(uow, command, actor)


@router.get("/users", response_model=list[UserView], summary="List operator users")
async def get_users(request: Request, _: Admin) -> list[UserView]:
    async with runtime(request).db.read() as session:
        return await list_users(session)


@router.post(
    "/api-tokens",
    status_code=201,
    response_model=IssuedApiToken,
    summary="Create an API token for a machine client (shown once)",
)
async def post_api_token(command: CreateApiToken, request: Request, actor: Admin) -> IssuedApiToken:
    async with runtime(request).uow() as uow:
        return await create_api_token(uow, command, actor)


@router.get("/api-tokens", response_model=list[ApiTokenView], summary="List API tokens")
async def get_api_tokens(request: Request, _: Admin) -> list[ApiTokenView]:
    async with runtime(request).db.read() as session:
        return await list_api_tokens(session)


@router.delete("/api-tokens/{token_id}", status_code=204, summary="Revoke an API token")
async def delete_api_token(token_id: UUID, request: Request, actor: Admin) -> Response:
    async with runtime(request).uow() as uow:
        await revoke_api_token(uow, token_id, actor)
    return Response(status_code=204)


@router.get("/audit", response_model=list[AuditEntry], summary="Who changed what, newest first")
async def get_audit(
    request: Request,
    _: Admin,
    resource_type: Annotated[str | None, Query(max_length=30)] = None,
    resource_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AuditEntry]:
    async with runtime(request).db.read() as session:
        return await entries_for(session, resource_type, resource_id, limit)
