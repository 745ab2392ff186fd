"""Social-media accounts: pure domain logic, no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit
from uuid import UUID

from sinergi_kit.contracts.registry import (
    AccountCategory,
    AccountState,
    ManagedBy,
    Platform,
    VerificationStatus,
)

_HANDLE = re.compile(r"^[a-z0-9._-]{1,100}$")


class InvalidHandleError(ValueError):
    pass


def normalise_handle(platform: Platform, raw: str) -> str:
    """One canonical handle per account: lower case, no leading @, a profile URL reduced to
    the handle it points at."""
    value = raw.strip()
    if "://" in value or value.lower().startswith(("www.", platform)):
        parts = urlsplit(value if "://" in value else "https://" + value)
        segments = [s for s in parts.path.split("/") if s]
        if platform == "website":
            value = (parts.hostname or "").removeprefix("www.")
        elif not segments:
            raise InvalidHandleError(raw)
        else:
            value = segments[-1] if segments[0] in ("c", "channel", "user") else segments[0]
    value = value.lstrip("@").lower()
    if not _HANDLE.match(value):
        raise InvalidHandleError(raw)
    return value


@dataclass(frozen=True)
class Account:
    id: UUID
    platform: Platform
    handle: str
    display_name: str
    managed_by: ManagedBy
    category: AccountCategory
    created_at: datetime
    updated_at: datetime
    version: int = 1
    url: str | None = None
    organization_id: UUID | None = None
    district: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    verification_status: VerificationStatus = "pending"

    def state(self) -> AccountState:
        return AccountState(
            id=self.id,
            version=self.version,
            platform=self.platform,
            handle=self.handle,
            display_name=self.display_name,
            url=self.url,
            managed_by=self.managed_by,
            organization_id=self.organization_id,
            category=self.category,
            district=self.district,
            tags=list(self.tags),
            verification_status=self.verification_status,
            created_at=self.created_at,
            updated_at=self.updated_at,
        )
