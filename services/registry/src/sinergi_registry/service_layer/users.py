"""Operator users and API tokens. Users sign in with a password (argon2) and get a signed
bearer token (JWT) every service verifies; machine clients exchange an API token for one."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from uuid import UUID

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sinergi_kit.auth import Principal, Role
from sinergi_kit.clock import as_utc, utcnow
from sinergi_kit.http.problems import ProblemError
from sinergi_kit.ids import new_id
from sinergi_kit.uow import UnitOfWork
from sinergi_registry.adapters.tables import api_tokens, users
from sinergi_registry.service_layer.common import audit

HASHER = PasswordHash((Argon2Hasher(),))
TOKEN_PREFIX = "sgr_"
ACCESS_TTL = timedelta(hours=8)
MACHINE_TTL = timedelta(hours=1)


class CreateUser(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "username": "operator.kominfo",
                    "name": "Operator Diskominfo",
                    "password": "ganti-kata-sandi-ini",
                    "roles": ["operator"],
                }
            ]
        },
    )

    username: str = Field(min_length=3, max_length=100, pattern=r"^[a-zA-Z0-9._@\-]+$")
    name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=10, max_length=200)
    roles: list[Role] = Field(min_length=1)
    organization_id: UUID | None = Field(
        default=None, description="Scope a partner user to their organisation"
    )


class UserView(BaseModel):
    id: UUID
    username: str
    name: str
    roles: list[Role]
    organization_id: UUID | None
    active: bool
    created_at: datetime


class Login(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"username": "admin", "password": "kata-sandi-anda"}]},
    )

    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)


class CreateApiToken(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "notify-sync", "roles": ["viewer"]}]},
    )

    name: str = Field(min_length=1, max_length=200)
    roles: list[Role] = Field(min_length=1)
    organization_id: UUID | None = None


class ApiTokenView(BaseModel):
    id: UUID
    name: str
    roles: list[Role]
    organization_id: UUID | None
    created_by: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class IssuedApiToken(ApiTokenView):
    token: str = Field(description="Shown once; keep it secret")


def _user_view(row: object) -> UserView:
    return UserView.model_validate(
        {
            "id": row.id,  # type: ignore[attr-defined]
            "username": row.username,  # type: ignore[attr-defined]
            "name": row.name,  # type: ignore[attr-defined]
            "roles": row.roles,  # type: ignore[attr-defined]
            "organization_id": row.organization_id,  # type: ignore[attr-defined]
            "active": row.active,  # type: ignore[attr-defined]
            "created_at": as_utc(row.created_at),  # type: ignore[attr-defined]
        }
    )


async def create_user(uow: UnitOfWork, command: CreateUser, actor: Principal) -> UserView:
    now = utcnow()
    user_id = new_id()
    username = command.username.lower()
    taken = (
        await uow.session.execute(select(users.c.id).where(users.c.username == username))
    ).first()
    exists = ProblemError(
        409, "user_exists", detail_key="registry.user_exists", username=command.username
    )
    if taken:
        raise exists
    try:
        await uow.session.execute(
            users.insert().values(
                id=user_id,
                version=1,
                username=username,
                name=command.name,
                password_hash=HASHER.hash(command.password),
                roles=sorted(set(command.roles)),
                organization_id=command.organization_id,
                active=True,
                created_at=now,
                updated_at=now,
            )
        )
    except IntegrityError as exc:
        raise exists from exc
    await audit(uow, actor, "user.created", "user", user_id, ["roles"])
    row = (await uow.session.execute(select(users).where(users.c.id == user_id))).one()
    return _user_view(row)


async def list_users(session: AsyncSession) -> list[UserView]:
    rows = await session.execute(select(users).order_by(users.c.username))
    return [_user_view(row) for row in rows.all()]


async def authenticate(session: AsyncSession, login: Login) -> Principal:
    row = (
        await session.execute(select(users).where(users.c.username == login.username.lower()))
    ).first()
    if row is None or not row.active:
        HASHER.hash(login.password)  # spend the same time as a real check
        raise ProblemError(401, "login_failed", detail_key="registry.login_failed")
    if not HASHER.verify(login.password, row.password_hash):
        raise ProblemError(401, "login_failed", detail_key="registry.login_failed")
    return Principal(
        subject=str(row.id),
        roles=frozenset(Role(r) for r in row.roles),
        organization_id=row.organization_id,
        name=row.name,
    )


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _token_view(row: object) -> ApiTokenView:
    values = {name: getattr(row, name) for name in ApiTokenView.model_fields}
    for name in ("created_at", "revoked_at", "last_used_at"):
        if values[name] is not None:
            values[name] = as_utc(values[name])
    return ApiTokenView.model_validate(values)


async def create_api_token(
    uow: UnitOfWork, command: CreateApiToken, actor: Principal
) -> IssuedApiToken:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token_id = new_id()
    await uow.session.execute(
        api_tokens.insert().values(
            id=token_id,
            name=command.name,
            token_hash=_token_hash(secret),
            roles=sorted(set(command.roles)),
            organization_id=command.organization_id,
            created_by=actor.subject,
            created_at=utcnow(),
        )
    )
    await audit(uow, actor, "api_token.created", "api_token", token_id, ["roles"])
    row = (await uow.session.execute(select(api_tokens).where(api_tokens.c.id == token_id))).one()
    return IssuedApiToken(token=secret, **_token_view(row).model_dump())


async def list_api_tokens(session: AsyncSession) -> list[ApiTokenView]:
    rows = await session.execute(select(api_tokens).order_by(api_tokens.c.created_at))
    return [_token_view(row) for row in rows.all()]


async def revoke_api_token(uow: UnitOfWork, token_id: UUID, actor: Principal) -> None:
    result = await uow.session.execute(
        update(api_tokens)
        .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ProblemError(404, "token_not_found", detail_key="registry.token_not_found")
    await audit(uow, actor, "api_token.revoked", "api_token", token_id)


async def exchange_api_token(uow: UnitOfWork, secret: str) -> Principal:
    row = (
        await uow.session.execute(
            select(api_tokens).where(
                api_tokens.c.token_hash == _token_hash(secret), api_tokens.c.revoked_at.is_(None)
            )
        )
    ).first()
    if row is None:
        raise ProblemError(401, "api_token_invalid", detail_key="registry.api_token_invalid")
    await uow.session.execute(
        update(api_tokens).where(api_tokens.c.id == row.id).values(last_used_at=utcnow())
    )
    return Principal(
        subject=f"token:{row.id}",
        roles=frozenset(Role(r) for r in row.roles),
        organization_id=row.organization_id,
        name=row.name,
    )
