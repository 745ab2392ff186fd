"""Segments: named saved filters over the registry's accounts and people, and the one
evaluation every service runs on its own projection, so a segment means the same everywhere.

Within a criterion the listed values are alternatives (any of them); criteria combine with
AND; an empty criterion does not filter. An account is judged on the account criteria. A person
is judged on the person criteria (roles, consent, the kind of their own organisation) and, when
the filter has account criteria, must manage at least one account that meets them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from sinergi_kit.contracts.base import EventContract
from sinergi_kit.contracts.registry import (
    AccountCategory,
    AccountState,
    ConsentPurpose,
    ManagedBy,
    OrganizationKind,
    PersonRole,
    PersonState,
    Platform,
    VerificationStatus,
)


class SegmentFilter(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "examples": [
                {"managed_by": ["government"], "platforms": ["instagram"]},
                {"districts": ["Diwek", "Mojowarno"], "roles": ["account_admin"]},
            ]
        },
    )

    platforms: list[Platform] = Field(default_factory=list)
    categories: list[AccountCategory] = Field(default_factory=list)
    managed_by: list[ManagedBy] = Field(default_factory=list)
    districts: list[str] = Field(default_factory=list, description="Kecamatan, any case")
    organization_kinds: list[OrganizationKind] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list, description="Any of these tags, any case")
    min_followers: int | None = Field(default=None, ge=0)
    verification_statuses: list[VerificationStatus] = Field(default_factory=list)
    roles: list[PersonRole] = Field(default_factory=list, description="People only")
    consent_purpose: ConsentPurpose | None = Field(
        default=None, description="People only: must currently consent to this purpose"
    )

    def has_account_criteria(self) -> bool:
        return bool(
            self.platforms
            or self.categories
            or self.managed_by
            or self.districts
            or self.tags
            or self.min_followers is not None
            or self.verification_statuses
        )


def _folded(values: Iterable[str]) -> set[str]:
    return {value.casefold() for value in values}


def _account_criteria_match(segment: SegmentFilter, account: AccountState) -> bool:
    if segment.platforms and account.platform not in segment.platforms:
        return False
    if segment.categories and account.category not in segment.categories:
        return False
    if segment.managed_by and account.managed_by not in segment.managed_by:
        return False
    if segment.verification_statuses and (
        account.verification_status not in segment.verification_statuses
    ):
        return False
    if segment.districts and (
        account.district is None or account.district.casefold() not in _folded(segment.districts)
    ):
        return False
    if segment.tags and not (_folded(segment.tags) & _folded(account.tags)):
        return False
    return segment.min_followers is None or (
        account.followers is not None and account.followers >= segment.min_followers
    )


def account_matches(segment: SegmentFilter, account: AccountState) -> bool:
    """Does the account belong to the segment? Person-only criteria do not apply."""
    if segment.organization_kinds and account.organization_kind not in segment.organization_kinds:
        return False
    return _account_criteria_match(segment, account)


def person_matches(
    segment: SegmentFilter, person: PersonState, managed_accounts: Iterable[AccountState]
) -> bool:
    """Does the person belong to the segment? ``managed_accounts`` are the accounts the person
    manages (those of ``person.managed_account_ids`` the caller knows)."""
    if segment.roles and not set(person.roles) & set(segment.roles):
        return False
    if segment.consent_purpose is not None and not person.consents_to(segment.consent_purpose):
        return False
    if segment.organization_kinds and person.organization_kind not in segment.organization_kinds:
        return False
    if not segment.has_account_criteria():
        return True
    return any(_account_criteria_match(segment, account) for account in managed_accounts)


def matching_accounts(
    segment: SegmentFilter, accounts: Iterable[AccountState]
) -> list[AccountState]:
    return [account for account in accounts if account_matches(segment, account)]


def matching_people(
    segment: SegmentFilter,
    people: Iterable[PersonState],
    accounts_by_id: Mapping[UUID, AccountState],
) -> list[PersonState]:
    return [
        person
        for person in people
        if person_matches(
            segment,
            person,
            (accounts_by_id[a] for a in person.managed_account_ids if a in accounts_by_id),
        )
    ]


class SegmentState(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: UUID
    version: int = Field(
        ge=1, description="Increases with every change; projections keep the highest."
    )
    name: str = Field(min_length=1, max_length=200, examples=["Akun pemerintah (OPD)"])
    description: str = Field(default="", max_length=2000)
    filter: SegmentFilter
    created_at: datetime
    updated_at: datetime


class _SegmentEvent(EventContract):
    segment: SegmentState

    def subject_id(self) -> str:
        return str(self.segment.id)


class SegmentCreatedV1(_SegmentEvent):
    event_type: ClassVar[str] = "sinergi.registry.segment.created.v1"
    summary: ClassVar[str] = "A segment (a named saved filter) was created."


class SegmentUpdatedV1(_SegmentEvent):
    event_type: ClassVar[str] = "sinergi.registry.segment.updated.v1"
    summary: ClassVar[str] = "A segment's name, description or filter changed."


class SegmentDeletedV1(EventContract):
    event_type: ClassVar[str] = "sinergi.registry.segment.deleted.v1"
    summary: ClassVar[str] = "A segment was deleted."

    segment_id: UUID
    version: int = Field(ge=1, description="The deleted segment's last version")
    deleted_at: datetime

    def subject_id(self) -> str:
        return str(self.segment_id)
