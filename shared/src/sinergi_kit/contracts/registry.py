"""Events the registry publishes. Each carries the aggregate's full current state."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from sinergi_kit.contracts.base import EventContract

Platform = Literal[
    "instagram",
    "facebook",
    "x",
    "tiktok",
    "youtube",
    "threads",
    "whatsapp_channel",
    "telegram",
    "website",
]
ManagedBy = Literal["government", "independent"]
AccountCategory = Literal["government", "influencer", "community", "media", "partner"]
VerificationStatus = Literal["pending", "verified", "suspended", "retired"]


class AccountState(BaseModel):
    """A social-media account as the registry knows it at ``version``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: UUID
    version: int = Field(
        ge=1, description="Increases with every change; projections keep the highest."
    )
    platform: Platform
    handle: str = Field(min_length=1, max_length=200)
    display_name: str = Field(min_length=1, max_length=200)
    url: str | None = None
    managed_by: ManagedBy
    organization_id: UUID | None = None
    category: AccountCategory
    district: str | None = None
    tags: list[str] = Field(default_factory=list)
    verification_status: VerificationStatus = "pending"
    created_at: datetime
    updated_at: datetime


class AccountRegisteredV1(EventContract):
    event_type: ClassVar[str] = "sinergi.registry.account.registered.v1"
    summary: ClassVar[str] = "A social-media account joined the registry."

    account: AccountState

    def subject_id(self) -> str:
        return str(self.account.id)
