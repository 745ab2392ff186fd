"""HTTP: statistics."""

from __future__ import annotations

from fastapi import APIRouter, Request

from sinergi_kit.auth import Reader
from sinergi_kit.http.problems import PROBLEM_RESPONSES
from sinergi_registry.entrypoints.common import runtime
from sinergi_registry.service_layer.stats import AccountStats, account_stats

router = APIRouter(tags=["stats"], responses=PROBLEM_RESPONSES)


@router.get(
    "/stats/accounts",
    response_model=AccountStats,
    summary="Accounts by platform, category, managed-by, district and verification status",
)
async def get_account_stats(request: Request, _: Reader) -> AccountStats:
    async with runtime(request).db.read() as session:
        return await account_stats(session)
