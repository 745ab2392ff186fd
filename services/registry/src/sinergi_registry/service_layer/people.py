"""People: account managers, influencers, officials, speakers, verifiers, liaisons. Their
contact points and consents are personal data under UU PDP 27/2022: they can be exported and
erased."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError

from sinergi_kit.auth import Principal
from sinergi_kit.clock import utcnow
from sinergi_kit.contracts.registry import (
    AccountState,
    ConsentPurpose,
    ConsentRecord,
    ContactPoints,
    Language,
    PersonErasedV1,
    PersonRegisteredV1,
    PersonRole,
    PersonState,
    PersonUpdatedV1,
    TimeZoneName,
)
from sinergi_kit.http.conditional import precondition_failed
from sinergi_kit.http.problems import ProblemError
from sinergi_kit.ids import new_id
from sinergi_kit.uow import UnitOfWork
from sinergi_registry.adapters.repository import (
    AccountRepository,
    OrganizationRepository,
    PersonRepository,
    StaleVersionError,
)
from sinergi_registry.domain.contacts import (
    InvalidContactError,
    normalise_email,
    normalise_phone,
    normalise_telegram,
)
from sinergi_registry.domain.people import known_time_zone, record_consent
from sinergi_registry.service_layer.audit import entries_for
from sinergi_registry.service_layer.common import (
    audit,
    check_scope,
    check_version,
    revise_or_problem,
)

KnownTimeZone = Annotated[TimeZoneName, AfterValidator(known_time_zone)]


class ContactInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str | None = Field(default=None, max_length=254, examples=["siti@example.id"])
    whatsapp: str | None = Field(default=None, max_length=30, examples=["0812-3456-7890"])
    telegram: str | None = Field(default=None, max_length=64, examples=["@siti_jombang"])


class ConsentInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: ConsentPurpose
    granted: bool = True
    source: str = Field(min_length=1, max_length=200, examples=["form:kopilaborasi-2023"])


class RegisterPerson(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Siti Rahmawati",
                    "roles": ["account_admin"],
                    "contact": {"whatsapp": "0812-3456-7890", "email": "siti@example.id"},
                    "preferred_language": "id",
                    "consents": [
                        {"purpose": "event_invitations", "source": "form:kopilaborasi-2023"}
                    ],
                }
            ]
        },
    )

    name: str = Field(min_length=1, max_length=200)
    roles: list[PersonRole] = Field(default_factory=list)
    contact: ContactInput = Field(default_factory=ContactInput)
    preferred_language: Language = "id"
    timezone: KnownTimeZone | None = None
    consents: list[ConsentInput] = Field(default_factory=list, max_length=20)
    organization_id: UUID | None = None
    managed_account_ids: list[UUID] = Field(default_factory=list, max_length=200)


class UpdatePerson(BaseModel):
    """Only the fields sent change. Consents are recorded through their own endpoint."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"roles": ["account_admin", "speaker"]}]}
    )

    name: str | None = Field(default=None, min_length=1, max_length=200)
    roles: list[PersonRole] | None = None
    contact: ContactInput | None = None
    preferred_language: Language | None = None
    timezone: KnownTimeZone | None = None
    organization_id: UUID | None = None
    managed_account_ids: list[UUID] | None = Field(default=None, max_length=200)


class PersonExport(BaseModel):
    """Everything the registry holds about a person (the right of access, UU PDP)."""

    person: PersonState
    managed_accounts: list[AccountState]
    organization_name: str | None
    audit: list[dict[str, Any]]
    exported_at: datetime


def _invalid(exc: InvalidContactError) -> ProblemError:
    return ProblemError(
        422,
        "invalid_contact",
        detail_key="registry.invalid_contact",
        field=exc.field,
        value=exc.value,
    )


def contact_points(contact: ContactInput) -> ContactPoints:
    try:
        return ContactPoints(
            email=normalise_email(contact.email) if contact.email else None,
            whatsapp=normalise_phone(contact.whatsapp) if contact.whatsapp else None,
            telegram=normalise_telegram(contact.telegram) if contact.telegram else None,
        )
    except InvalidContactError as exc:
        raise _invalid(exc) from exc


async def _check_contacts_free(
    uow: UnitOfWork, contact: ContactPoints, person_id: UUID | None
) -> None:
    repository = PersonRepository(uow.session)
    for field, value in (("email", contact.email), ("whatsapp", contact.whatsapp)):
        if value is None:
            continue
        other = await repository.find_by_contact(
            value if field == "email" else None, value if field == "whatsapp" else None
        )
        if other is not None and other.id != person_id:
            raise ProblemError(
                409, "contact_taken", detail_key="registry.contact_taken", field=field, value=value
            )


async def _organization_kind(uow: UnitOfWork, organization_id: UUID | None) -> str | None:
    if organization_id is None:
        return None
    organization = await OrganizationRepository(uow.session).get(organization_id)
    if organization is None:
        raise ProblemError(
            422, "organization_not_found", detail_key="registry.organization_not_found"
        )
    return organization.kind


async def _check_accounts(uow: UnitOfWork, account_ids: list[UUID]) -> list[UUID]:
    wanted = list(dict.fromkeys(account_ids))
    found = {a.id for a in await AccountRepository(uow.session).get_many(wanted)}
    missing = [str(a) for a in wanted if a not in found]
    if missing:
        raise ProblemError(
            422,
            "accounts_not_found",
            detail_key="registry.accounts_not_found",
            ids=", ".join(missing),
        )
    return wanted


async def register_person(
    uow: UnitOfWork, command: RegisterPerson, actor: Principal
) -> PersonState:
    check_scope(actor, command.organization_id)
    contact = contact_points(command.contact)
    await _check_contacts_free(uow, contact, None)
    now = utcnow()
    state = PersonState.model_validate(
        {
            "id": new_id(),
            "version": 1,
            "name": command.name.strip(),
            "roles": sorted(set(command.roles)),
            "contact": contact,
            "preferred_language": command.preferred_language,
            "timezone": command.timezone,
            "consents": [
                ConsentRecord(recorded_at=now, **c.model_dump()) for c in command.consents
            ],
            "organization_id": command.organization_id,
            "organization_kind": await _organization_kind(uow, command.organization_id),
            "managed_account_ids": await _check_accounts(uow, command.managed_account_ids),
            "created_at": now,
            "updated_at": now,
        }
    )
    try:
        await PersonRepository(uow.session).add(state)
    except IntegrityError as exc:  # a concurrent registration took the contact
        raise ProblemError(
            409, "contact_taken", detail_key="registry.contact_taken", field="contact", value=""
        ) from exc
    await audit(uow, actor, "person.registered", "person", state.id)
    uow.emit(PersonRegisteredV1(person=state))
    return state


async def load_person(uow: UnitOfWork, person_id: UUID) -> PersonState:
    repository = PersonRepository(uow.session)
    state = await repository.get(person_id)
    if state is None:
        if await repository.is_erased(person_id):
            raise ProblemError(410, "person_erased", detail_key="registry.person_erased")
        raise ProblemError(404, "person_not_found", detail_key="registry.person_not_found")
    return state


async def _save(
    uow: UnitOfWork, person: PersonState, revised: PersonState, changed: list[str], actor: Principal
) -> PersonState:
    try:
        await PersonRepository(uow.session).save(revised, person.version)
    except StaleVersionError as exc:
        raise precondition_failed(person.version + 1) from exc
    except IntegrityError as exc:
        raise ProblemError(
            409, "contact_taken", detail_key="registry.contact_taken", field="contact", value=""
        ) from exc
    await audit(uow, actor, "person.updated", "person", revised.id, changed)
    uow.emit(PersonUpdatedV1(person=revised))
    return revised


async def update_person(
    uow: UnitOfWork,
    person_id: UUID,
    command: UpdatePerson,
    actor: Principal,
    expected_version: int | None,
    *,
    current: PersonState | None = None,
) -> PersonState:
    person = current or await load_person(uow, person_id)
    check_scope(actor, person.organization_id)
    check_version(person.version, expected_version)
    changes = command.model_dump(exclude_unset=True)
    if "contact" in changes:
        contact = contact_points(command.contact or ContactInput())
        await _check_contacts_free(uow, contact, person.id)
        changes["contact"] = contact.model_dump()
    if "roles" in changes:
        changes["roles"] = sorted(set(changes["roles"] or []))
    if "organization_id" in changes:
        check_scope(actor, changes["organization_id"])
        changes["organization_kind"] = await _organization_kind(uow, changes["organization_id"])
    if "managed_account_ids" in changes:
        changes["managed_account_ids"] = await _check_accounts(
            uow, changes["managed_account_ids"] or []
        )
    if "name" in changes and changes["name"] is not None:
        changes["name"] = changes["name"].strip()
    revised, changed = revise_or_problem(person, changes)
    if not changed:
        return person
    return await _save(uow, person, revised, changed, actor)


async def record_person_consent(
    uow: UnitOfWork,
    person_id: UUID,
    command: ConsentInput,
    actor: Principal,
    expected_version: int | None,
) -> PersonState:
    person = await load_person(uow, person_id)
    check_scope(actor, person.organization_id)
    check_version(person.version, expected_version)
    revised = record_consent(
        person, command.purpose, granted=command.granted, source=command.source, at=utcnow()
    )
    return await _save(uow, person, revised, ["consents"], actor)


async def erase_person(
    uow: UnitOfWork, person_id: UUID, actor: Principal, expected_version: int | None
) -> PersonErasedV1:
    """Remove the personal data and tell every projection to purge it."""
    person = await load_person(uow, person_id)
    check_scope(actor, person.organization_id)
    check_version(person.version, expected_version)
    now = utcnow()
    event = PersonErasedV1(person_id=person.id, version=person.version + 1, erased_at=now)
    try:
        await PersonRepository(uow.session).erase(person.id, event.version, now, person.version)
    except StaleVersionError as exc:
        raise precondition_failed(person.version + 1) from exc
    await audit(uow, actor, "person.erased", "person", person.id)
    uow.emit(event)
    return event


async def export_person(uow: UnitOfWork, person_id: UUID, actor: Principal) -> PersonExport:
    person = await load_person(uow, person_id)
    check_scope(actor, person.organization_id)
    organization = (
        await OrganizationRepository(uow.session).get(person.organization_id)
        if person.organization_id
        else None
    )
    history = await entries_for(uow.session, "person", person.id)
    export = PersonExport(
        person=person,
        managed_accounts=await AccountRepository(uow.session).get_many(person.managed_account_ids),
        organization_name=organization.name if organization else None,
        audit=[entry.model_dump(mode="json") for entry in history],
        exported_at=utcnow(),
    )
    await audit(uow, actor, "person.exported", "person", person.id)
    return export
