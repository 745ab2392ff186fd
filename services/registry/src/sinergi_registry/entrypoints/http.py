"""The registry's HTTP API."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from sinergi_kit.contracts.registry import AccountState
from sinergi_kit.http.problems import PROBLEM_RESPONSES, ProblemError
from sinergi_kit.i18n import register_messages
from sinergi_kit.runtime import ServiceRuntime
from sinergi_registry.adapters.repository import AccountRepository
from sinergi_registry.service_layer.accounts import RegisterAccount, register_account

register_messages(
    {
        "registry.invalid_handle": {
            "id": "Handle atau URL profil '{handle}' tidak dikenali.",
            "en": "The handle or profile URL '{handle}' is not recognised.",
        },
        "registry.account_exists": {
            "id": "Akun {platform} '{handle}' sudah terdaftar.",
            "en": "The {platform} account '{handle}' is already registered.",
        },
        "registry.account_not_found": {
            "id": "Akun tidak ditemukan.",
            "en": "Account not found.",
        },
    }
)

router = APIRouter(prefix="/accounts", tags=["accounts"], responses=PROBLEM_RESPONSES)


class AccountPage(BaseModel):
    items: list[AccountState]
    next_cursor: str | None


def _runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


@router.post("", status_code=201, response_model=AccountState, summary="Register an account")
async def create_account(
    command: RegisterAccount, request: Request, response: Response
) -> AccountState:
    account = await register_account(_runtime(request).uow, command)
    response.headers["Location"] = f"/accounts/{account.id}"
    return account.state()


@router.get("/{account_id}", response_model=AccountState, summary="Get one account")
async def get_account(account_id: UUID, request: Request) -> AccountState:
    async with _runtime(request).db.read() as session:
        account = await AccountRepository(session).get(account_id)
    if account is None:
        raise ProblemError(404, "account_not_found", detail_key="registry.account_not_found")
    return account.state()


@router.get("", response_model=AccountPage, summary="List accounts (cursor pagination)")
async def list_accounts(
    request: Request,
    cursor: Annotated[UUID | None, Query(description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> AccountPage:
    async with _runtime(request).db.read() as session:
        page = await AccountRepository(session).list_page(after=cursor, limit=limit + 1)
    more = len(page) > limit
    items = page[:limit]
    return AccountPage(
        items=[a.state() for a in items],
        next_cursor=str(items[-1].id) if more and items else None,
    )
