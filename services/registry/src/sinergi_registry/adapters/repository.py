"""Account persistence."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from sinergi_kit.clock import as_utc
from sinergi_registry.adapters.tables import accounts
from sinergi_registry.domain.accounts import Account


def _to_domain(row: Row[Any]) -> Account:
    return Account(
        id=row.id,
        version=row.version,
        platform=row.platform,
        handle=row.handle,
        display_name=row.display_name,
        url=row.url,
        managed_by=row.managed_by,
        organization_id=row.organization_id,
        category=row.category,
        district=row.district,
        tags=tuple(row.tags),
        verification_status=row.verification_status,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
    )


class AccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, account: Account) -> None:
        values = account.state().model_dump()
        await self.session.execute(accounts.insert().values(**values))

    async def get(self, account_id: UUID) -> Account | None:
        row = (
            await self.session.execute(select(accounts).where(accounts.c.id == account_id))
        ).first()
        return _to_domain(row) if row else None

    async def find_by_handle(self, platform: str, handle: str) -> Account | None:
        row = (
            await self.session.execute(
                select(accounts).where(accounts.c.platform == platform, accounts.c.handle == handle)
            )
        ).first()
        return _to_domain(row) if row else None

    async def list_page(self, *, after: UUID | None, limit: int) -> list[Account]:
        query = select(accounts).order_by(accounts.c.id).limit(limit)
        if after is not None:
            query = query.where(accounts.c.id > after)
        return [_to_domain(row) for row in (await self.session.execute(query)).all()]
