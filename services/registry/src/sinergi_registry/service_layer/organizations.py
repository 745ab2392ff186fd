"""Organisation use cases: OPD, media, communities, partner bodies, the KKD."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError

from sinergi_kit.auth import Principal
from sinergi_kit.clock import utcnow
from sinergi_kit.contracts.registry import (
    OrganizationContacts,
    OrganizationKind,
    OrganizationRegisteredV1,
    OrganizationState,
    OrganizationUpdatedV1,
)
from sinergi_kit.http.conditional import precondition_failed
from sinergi_kit.http.problems import ProblemError
from sinergi_kit.ids import new_id
from sinergi_kit.uow import UnitOfWork
from sinergi_registry.adapters.repository import OrganizationRepository, StaleVersionError
from sinergi_registry.domain.contacts import InvalidContactError, normalise_email, normalise_phone
from sinergi_registry.service_layer.accounts import canonical_district_or_problem
from sinergi_registry.service_layer.common import (
    audit,
    check_scope,
    check_version,
    revise_or_problem,
)


class ContactsInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str | None = Field(default=None, max_length=254, examples=["kominfo@jombangkab.go.id"])
    phone: str | None = Field(default=None, max_length=30, examples=["0321 861234"])
    website: str | None = Field(default=None, max_length=500)
    address: str | None = Field(default=None, max_length=500)


class RegisterOrganization(BaseModel):
    """The kind is fixed once registered; accounts and people carry it for segments."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "partner_body",
                    "name": "Badan Pengawas Pemilihan Umum Kabupaten Jombang",
                    "short_name": "Bawaslu Jombang",
                    "district": "Jombang",
                }
            ]
        },
    )

    kind: OrganizationKind
    name: str = Field(min_length=1, max_length=200)
    short_name: str | None = Field(default=None, max_length=50)
    district: str | None = Field(default=None, max_length=100)
    contacts: ContactsInput = Field(default_factory=ContactsInput)


class UpdateOrganization(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"short_name": "Diskominfo"}]}
    )

    name: str | None = Field(default=None, min_length=1, max_length=200)
    short_name: str | None = Field(default=None, max_length=50)
    district: str | None = Field(default=None, max_length=100)
    contacts: ContactsInput | None = None


def _contacts(contacts: ContactsInput) -> OrganizationContacts:
    try:
        return OrganizationContacts(
            email=normalise_email(contacts.email) if contacts.email else None,
            phone=normalise_phone(contacts.phone, "phone") if contacts.phone else None,
            website=contacts.website,
            address=contacts.address,
        )
    except InvalidContactError as exc:
        raise ProblemError(
            422,
            "invalid_contact",
            detail_key="registry.invalid_contact",
            field=exc.field,
            value=exc.value,
        ) from exc


def _exists(name: str) -> ProblemError:
    return ProblemError(
        409, "organization_exists", detail_key="registry.organization_exists", name=name
    )


async def register_organization(
    uow: UnitOfWork, command: RegisterOrganization, actor: Principal
) -> OrganizationState:
    check_scope(actor, None)
    repository = OrganizationRepository(uow.session)
    name = command.name.strip()
    if await repository.find_by_name(name):
        raise _exists(name)
    now = utcnow()
    state = OrganizationState(
        id=new_id(),
        version=1,
        kind=command.kind,
        name=name,
        short_name=command.short_name,
        district=canonical_district_or_problem(command.district),
        contacts=_contacts(command.contacts),
        created_at=now,
        updated_at=now,
    )
    try:
        await repository.add(state)
    except IntegrityError as exc:
        raise _exists(name) from exc
    await audit(uow, actor, "organization.registered", "organization", state.id)
    uow.emit(OrganizationRegisteredV1(organization=state))
    return state


async def load_organization(uow: UnitOfWork, organization_id: UUID) -> OrganizationState:
    state = await OrganizationRepository(uow.session).get(organization_id)
    if state is None:
        raise ProblemError(
            404, "organization_not_found", detail_key="registry.organization_not_found"
        )
    return state


async def update_organization(
    uow: UnitOfWork,
    organization_id: UUID,
    command: UpdateOrganization,
    actor: Principal,
    expected_version: int | None,
) -> OrganizationState:
    organization = await load_organization(uow, organization_id)
    check_scope(actor, organization.id)
    check_version(organization.version, expected_version)
    changes = command.model_dump(exclude_unset=True)
    if "district" in changes:
        changes["district"] = canonical_district_or_problem(changes["district"])
    if "contacts" in changes:
        changes["contacts"] = _contacts(command.contacts or ContactsInput()).model_dump()
    revised, changed = revise_or_problem(organization, changes)
    if not changed:
        return organization
    repository = OrganizationRepository(uow.session)
    if "name" in changed:
        other = await repository.find_by_name(revised.name)
        if other is not None and other.id != revised.id:
            raise _exists(revised.name)
    try:
        await repository.save(revised, organization.version)
    except StaleVersionError as exc:
        raise precondition_failed(organization.version + 1) from exc
    except IntegrityError as exc:
        raise _exists(revised.name) from exc
    await audit(uow, actor, "organization.updated", "organization", revised.id, changed)
    uow.emit(OrganizationUpdatedV1(organization=revised))
    return revised
