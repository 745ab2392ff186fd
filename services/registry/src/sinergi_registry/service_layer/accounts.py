"""Account use cases, each one unit of work: state and events commit together."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError

from sinergi_kit.clock import utcnow
from sinergi_kit.contracts.registry import (
    AccountCategory,
    AccountRegisteredV1,
    ManagedBy,
    Platform,
)
from sinergi_kit.http.problems import ProblemError
from sinergi_kit.ids import new_id
from sinergi_kit.uow import UnitOfWorkFactory
from sinergi_registry.adapters.repository import AccountRepository
from sinergi_registry.domain.accounts import Account, InvalidHandleError, normalise_handle


class RegisterAccount(BaseModel):
    platform: Platform
    handle: str = Field(min_length=1, max_length=300, examples=["@diskominfo.jombang"])
    display_name: str = Field(min_length=1, max_length=200, examples=["Diskominfo Jombang"])
    managed_by: ManagedBy
    category: AccountCategory
    url: str | None = Field(default=None, max_length=500)
    organization_id: UUID | None = None
    district: str | None = Field(default=None, max_length=100, examples=["Jombang"])
    tags: list[str] = Field(default_factory=list, max_length=50)


async def register_account(uow_factory: UnitOfWorkFactory, command: RegisterAccount) -> Account:
    try:
        handle = normalise_handle(command.platform, command.handle)
    except InvalidHandleError as exc:
        raise ProblemError(
            422, "invalid_handle", detail_key="registry.invalid_handle", handle=command.handle
        ) from exc
    now = utcnow()
    account = Account(
        id=new_id(),
        platform=command.platform,
        handle=handle,
        display_name=command.display_name.strip(),
        url=command.url,
        managed_by=command.managed_by,
        organization_id=command.organization_id,
        category=command.category,
        district=command.district,
        tags=tuple(sorted({t.strip().lower() for t in command.tags if t.strip()})),
        created_at=now,
        updated_at=now,
    )
    exists = ProblemError(
        409,
        "account_exists",
        detail_key="registry.account_exists",
        platform=account.platform,
        handle=account.handle,
    )
    try:
        async with uow_factory() as uow:
            repository = AccountRepository(uow.session)
            if await repository.find_by_handle(account.platform, account.handle):
                raise exists
            await repository.add(account)
            uow.emit(AccountRegisteredV1(account=account.state()))
    except IntegrityError as exc:  # a concurrent registration of the same handle won
        raise exists from exc
    return account
