"""Events the registry publishes about accounts, organisations and people. Each carries the
aggregate's full current state, so projections never call back. Segment events live in
``contracts.segments`` beside the filter they carry."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar, Literal
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
OrganizationKind = Literal[
    "government_office",
    "media",
    "community",
    "partner_body",
    "kkd",
    "fact_check",
]
"""``government_office`` is an OPD; ``partner_body`` is KPU, Bawaslu, Polres, TNI and the like."""
PersonRole = Literal["account_admin", "influencer", "official", "speaker", "verifier", "liaison"]
Language = Literal["id", "en"]
TimeZoneName = Annotated[
    str,
    Field(
        max_length=60,
        pattern=r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$",
        examples=["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"],
        description="An IANA time zone",
    ),
]
ConsentPurpose = Literal[
    "communication",
    "event_invitations",
    "amplification_requests",
    "data_sharing",
]
"""What a person agreed to be contacted or processed for (UU PDP 27/2022)."""

_STATE = ConfigDict(extra="forbid", frozen=True)
_VERSION = Field(ge=1, description="Increases with every change; projections keep the highest.")


class VerificationChange(BaseModel):
    """One legal transition of an account's verification status."""

    model_config = _STATE

    from_status: VerificationStatus
    to_status: VerificationStatus
    by: str = Field(description="Subject of the operator user who made the change")
    reason: str = ""
    at: datetime


class AccountState(BaseModel):
    """A social-media account as the registry knows it at ``version``."""

    model_config = _STATE

    id: UUID
    version: int = _VERSION
    platform: Platform
    handle: str = Field(
        min_length=1, max_length=200, description="Canonical handle, unique per platform"
    )
    display_name: str = Field(min_length=1, max_length=200)
    url: str | None = None
    managed_by: ManagedBy
    organization_id: UUID | None = None
    category: AccountCategory
    district: str | None = Field(default=None, description="Kecamatan of Jombang")
    tags: list[str] = Field(default_factory=list)
    verification_status: VerificationStatus = "pending"
    created_at: datetime
    updated_at: datetime
    organization_kind: OrganizationKind | None = Field(
        default=None, description="Kind of the managing organisation, for segment filters"
    )
    followers: int | None = Field(default=None, ge=0, description="Latest follower count")
    followers_observed_at: datetime | None = None
    last_verification: VerificationChange | None = None


class ContactPoints(BaseModel):
    model_config = _STATE

    email: str | None = Field(default=None, max_length=254)
    whatsapp: str | None = Field(
        default=None, pattern=r"^\+[1-9][0-9]{6,14}$", description="E.164, e.g. +6281234567890"
    )
    telegram: str | None = Field(
        default=None, max_length=64, description="Username without @, or a numeric chat id"
    )


class ConsentRecord(BaseModel):
    """A grant or withdrawal; the newest record for a purpose decides."""

    model_config = _STATE

    purpose: ConsentPurpose
    granted: bool
    recorded_at: datetime
    source: str = Field(
        min_length=1, max_length=200, examples=["form:kopilaborasi-2022", "import", "operator"]
    )


class PersonState(BaseModel):
    """A person as the registry knows them at ``version``. Personal data: purge on
    ``person.erased``."""

    model_config = _STATE

    id: UUID
    version: int = _VERSION
    name: str = Field(min_length=1, max_length=200)
    roles: list[PersonRole] = Field(default_factory=list)
    contact: ContactPoints = Field(default_factory=ContactPoints)
    preferred_language: Language = "id"
    timezone: TimeZoneName | None = Field(
        default=None, description="Where the person lives; none: Asia/Jakarta (WIB)"
    )
    consents: list[ConsentRecord] = Field(default_factory=list)
    organization_id: UUID | None = None
    organization_kind: OrganizationKind | None = None
    managed_account_ids: list[UUID] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime

    def consents_to(self, purpose: ConsentPurpose) -> bool:
        latest: ConsentRecord | None = None
        for record in self.consents:
            if record.purpose == purpose and (
                latest is None or record.recorded_at >= latest.recorded_at
            ):
                latest = record
        return latest is not None and latest.granted


class OrganizationContacts(BaseModel):
    model_config = _STATE

    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, pattern=r"^\+[1-9][0-9]{6,14}$")
    website: str | None = Field(default=None, max_length=500)
    address: str | None = Field(default=None, max_length=500)


class OrganizationState(BaseModel):
    """An organisation: an OPD, a media outlet, a community, a partner body, the KKD."""

    model_config = _STATE

    id: UUID
    version: int = _VERSION
    kind: OrganizationKind
    name: str = Field(min_length=1, max_length=200)
    short_name: str | None = Field(default=None, max_length=50, examples=["Diskominfo"])
    district: str | None = None
    contacts: OrganizationContacts = Field(default_factory=OrganizationContacts)
    created_at: datetime
    updated_at: datetime


class _AccountEvent(EventContract):
    account: AccountState

    def subject_id(self) -> str:
        return str(self.account.id)


class AccountRegisteredV1(_AccountEvent):
    event_type: ClassVar[str] = "sinergi.registry.account.registered.v1"
    summary: ClassVar[str] = "A social-media account joined the registry."


class AccountUpdatedV1(_AccountEvent):
    event_type: ClassVar[str] = "sinergi.registry.account.updated.v1"
    summary: ClassVar[str] = "An account's details or follower count changed."

    changed: list[str] = Field(default_factory=list, description="Names of the changed fields")


class _VerificationEvent(_AccountEvent):
    change: VerificationChange


class AccountVerifiedV1(_VerificationEvent):
    event_type: ClassVar[str] = "sinergi.registry.account.verified.v1"
    summary: ClassVar[str] = "An account was verified (or reinstated after a suspension)."


class AccountSuspendedV1(_VerificationEvent):
    event_type: ClassVar[str] = "sinergi.registry.account.suspended.v1"
    summary: ClassVar[str] = "A verified account was suspended."


class AccountRetiredV1(_VerificationEvent):
    event_type: ClassVar[str] = "sinergi.registry.account.retired.v1"
    summary: ClassVar[str] = "An account left the network for good."


ACCOUNT_STATE_EVENTS: tuple[type[_AccountEvent], ...] = (
    AccountRegisteredV1,
    AccountUpdatedV1,
    AccountVerifiedV1,
    AccountSuspendedV1,
    AccountRetiredV1,
)
"""Every registry event that carries an account's whole state: what a projection upserts."""


class _OrganizationEvent(EventContract):
    organization: OrganizationState

    def subject_id(self) -> str:
        return str(self.organization.id)


class OrganizationRegisteredV1(_OrganizationEvent):
    event_type: ClassVar[str] = "sinergi.registry.organization.registered.v1"
    summary: ClassVar[str] = "An organisation joined the registry."


class OrganizationUpdatedV1(_OrganizationEvent):
    event_type: ClassVar[str] = "sinergi.registry.organization.updated.v1"
    summary: ClassVar[str] = "An organisation's details changed."


class _PersonEvent(EventContract):
    person: PersonState

    def subject_id(self) -> str:
        return str(self.person.id)


class PersonRegisteredV1(_PersonEvent):
    event_type: ClassVar[str] = "sinergi.registry.person.registered.v1"
    summary: ClassVar[str] = "A person joined the registry."


class PersonUpdatedV1(_PersonEvent):
    event_type: ClassVar[str] = "sinergi.registry.person.updated.v1"
    summary: ClassVar[str] = (
        "A person's details, roles, consents, organisation or managed accounts changed."
    )


class PersonErasedV1(EventContract):
    event_type: ClassVar[str] = "sinergi.registry.person.erased.v1"
    summary: ClassVar[str] = (
        "A person's personal data was erased (UU PDP); every projection must purge it."
    )

    person_id: UUID
    version: int = Field(ge=1, description="The erased person's last version; newer than any state")
    erased_at: datetime

    def subject_id(self) -> str:
        return str(self.person_id)
