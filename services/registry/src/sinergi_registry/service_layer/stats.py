"""Counts for the dashboard: accounts by platform, category, managed-by, district and
verification status (the setting's "64 government-run, 56 independent" is one of them)."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from sinergi_registry.adapters.repository import AccountRepository


class AccountStats(BaseModel):
    total: int
    by_platform: dict[str, int]
    by_category: dict[str, int]
    by_managed_by: dict[str, int]
    by_district: dict[str, int]
    by_verification_status: dict[str, int]


async def account_stats(session: AsyncSession) -> AccountStats:
    repository = AccountRepository(session)
    counts = {
        name: await repository.counts_by(name)
        for name in ("platform", "category", "managed_by", "district", "verification_status")
    }
    return AccountStats(
        total=sum(counts["platform"].values()),
        by_platform=counts["platform"],
        by_category=counts["category"],
        by_managed_by=counts["managed_by"],
        by_district=counts["district"],
        by_verification_status=counts["verification_status"],
    )
