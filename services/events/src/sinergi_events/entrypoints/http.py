"""The events service's account directory, projected from the registry."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from sqlalchemy import select

from sinergi_events.adapters.tables import directory_accounts
from sinergi_kit.contracts.registry import AccountState
from sinergi_kit.http.problems import PROBLEM_RESPONSES, ProblemError
from sinergi_kit.i18n import register_messages
from sinergi_kit.runtime import request_runtime

register_messages(
    {
        "events.directory_account_not_found": {
            "id": "Akun belum ada di direktori layanan acara.",
            "en": "The account is not in the events service's directory yet.",
        }
    }
)

router = APIRouter(prefix="/directory", tags=["directory"], responses=PROBLEM_RESPONSES)


class DirectoryPage(BaseModel):
    items: list[AccountState]
    next_cursor: str | None


@router.get("/accounts/{account_id}", response_model=AccountState)
async def get_directory_account(account_id: UUID, request: Request) -> AccountState:
    async with request_runtime(request).db.read() as session:
        state = (
            await session.execute(
                select(directory_accounts.c.state).where(directory_accounts.c.id == account_id)
            )
        ).scalar_one_or_none()
    if state is None:
        raise ProblemError(
            404, "account_not_found", detail_key="events.directory_account_not_found"
        )
    return AccountState.model_validate(state)


@router.get("/accounts", response_model=DirectoryPage)
async def list_directory_accounts(
    request: Request,
    cursor: Annotated[UUID | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> DirectoryPage:
    query = (
        select(directory_accounts.c.id, directory_accounts.c.state)
        .order_by(directory_accounts.c.id)
        .limit(limit + 1)
    )
    if cursor is not None:
        query = query.where(directory_accounts.c.id > cursor)
    async with request_runtime(request).db.read() as session:
        rows = (await session.execute(query)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return DirectoryPage(
        items=[AccountState.model_validate(r.state) for r in rows],
        next_cursor=str(rows[-1].id) if more and rows else None,
    )
