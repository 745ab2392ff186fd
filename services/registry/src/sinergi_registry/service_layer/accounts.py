"""Account use cases. Each runs inside the caller's unit of work: state, audit entry and
events commit together."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError

from sinergi_kit.auth import Principal
from sinergi_kit.clock import utcnow
from sinergi_kit.contracts.registry import (
    AccountCategory,
    AccountRegisteredV1,
    AccountRetiredV1,
    AccountState,
    AccountSuspendedV1,
    AccountUpdatedV1,
    AccountVerifiedV1,
    ManagedBy,
    Platform,
    VerificationStatus,
)
from sinergi_kit.http.conditional import precondition_failed
from sinergi_kit.http.problems import ProblemError
from sinergi_kit.ids import new_id
from sinergi_kit.uow import UnitOfWork
from sinergi_registry.adapters.repository import (
    AccountRepository,
    OrganizationRepository,
    StaleVersionError,
)
from sinergi_registry.domain.accounts import clean_tags
from sinergi_registry.domain.districts import UnknownDistrictError, canonical_district
from sinergi_registry.domain.handles import InvalidHandleError, normalise_handle, profile_url
from sinergi_registry.domain.verification import IllegalTransitionError, transition
from sinergi_registry.service_layer.common import (
    audit,
    audit_many,
    check_scope,
    check_version,
    revise_or_problem,
)


class AccountFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: str | None = Field(
        default=None, min_length=1, max_length=200, examples=["Diskominfo Jombang"]
    )
    url: str | None = Field(default=None, max_length=500)
    managed_by: ManagedBy | None = None
    category: AccountCategory | None = None
    organization_id: UUID | None = None
    district: str | None = Field(default=None, max_length=100, examples=["Diwek"])
    tags: list[str] | None = Field(default=None, max_length=50, examples=[["pemilu", "opd"]])
    followers: int | None = Field(default=None, ge=0, le=2_000_000_000, examples=[15200])


class RegisterAccount(AccountFields):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "platform": "instagram",
                    "handle": "https://www.instagram.com/diskominfo.jombang/",
                    "display_name": "Diskominfo Kabupaten Jombang",
                    "managed_by": "government",
                    "category": "government",
                    "district": "Jombang",
                    "tags": ["opd"],
                }
            ]
        },
    )

    platform: Platform
    handle: str = Field(min_length=1, max_length=500, examples=["@diskominfo.jombang"])
    display_name: str = Field(min_length=1, max_length=200, examples=["Diskominfo Jombang"])
    managed_by: ManagedBy
    category: AccountCategory


class UpdateAccount(AccountFields):
    """Only the fields sent change; ``null`` clears an optional field."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"followers": 16400, "tags": ["opd", "pemilu"]}]},
    )

    handle: str | None = Field(default=None, min_length=1, max_length=500)


class ChangeVerification(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"status": "verified", "reason": "Dikonfirmasi oleh admin OPD"}]
        },
    )

    status: VerificationStatus
    reason: str = Field(default="", max_length=2000)


def canonical_handle(platform: Platform, raw: str) -> str:
    try:
        return normalise_handle(platform, raw)
    except InvalidHandleError as exc:
        raise ProblemError(
            422,
            "invalid_handle",
            detail_key="registry.invalid_handle",
            handle=raw,
            platform=platform,
        ) from exc


def canonical_district_or_problem(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    try:
        return canonical_district(raw)
    except UnknownDistrictError as exc:
        raise ProblemError(
            422, "unknown_district", detail_key="registry.unknown_district", district=raw
        ) from exc


async def _resolved(uow: UnitOfWork, fields: dict[str, Any], platform: Platform) -> dict[str, Any]:
    """The sent fields in canonical form, with what follows from them."""
    values = dict(fields)
    if values.get("handle") is not None:
        values["handle"] = canonical_handle(platform, values["handle"])
    if "district" in values:
        values["district"] = canonical_district_or_problem(values["district"])
    if "tags" in values:
        values["tags"] = clean_tags(values["tags"] or [])
    if values.get("display_name") is not None:
        values["display_name"] = values["display_name"].strip()
    if "organization_id" in values:
        values["organization_kind"] = None
        if values["organization_id"] is not None:
            organization = await OrganizationRepository(uow.session).get(values["organization_id"])
            if organization is None:
                raise ProblemError(
                    422, "organization_not_found", detail_key="registry.organization_not_found"
                )
            values["organization_kind"] = organization.kind
    if "followers" in values:
        values["followers_observed_at"] = utcnow() if values["followers"] is not None else None
    return values


def _exists(platform: str, handle: str) -> ProblemError:
    return ProblemError(
        409,
        "account_exists",
        detail_key="registry.account_exists",
        platform=platform,
        handle=handle,
    )


async def new_account(uow: UnitOfWork, command: RegisterAccount, actor: Principal) -> AccountState:
    """The account in canonical form, checked but not yet stored."""
    values = await _resolved(uow, command.model_dump(), command.platform)
    check_scope(actor, values.get("organization_id"))
    now = utcnow()
    values["url"] = values.get("url") or profile_url(command.platform, values["handle"])
    return AccountState.model_validate(
        values | {"id": new_id(), "version": 1, "created_at": now, "updated_at": now}
    )


async def store_new_accounts(
    uow: UnitOfWork, states: list[AccountState], actor: Principal, source: str
) -> None:
    """Store new accounts in bulk, with their first follower counts, audit entries and
    events."""
    repository = AccountRepository(uow.session)
    await repository.add_many(states)
    await repository.record_followers_many(
        [(s.id, s.followers, s.created_at) for s in states if s.followers is not None], source
    )
    await audit_many(uow, actor, "account.registered", "account", [s.id for s in states])
    for state in states:
        uow.emit(AccountRegisteredV1(account=state))


async def register_account(
    uow: UnitOfWork, command: RegisterAccount, actor: Principal, *, source: str = "api"
) -> AccountState:
    state = await new_account(uow, command, actor)
    if await AccountRepository(uow.session).find_by_handle(state.platform, state.handle):
        raise _exists(state.platform, state.handle)
    try:
        await store_new_accounts(uow, [state], actor, source)
    except IntegrityError as exc:  # a concurrent registration of the same handle won
        raise _exists(state.platform, state.handle) from exc
    return state


async def load_account(uow: UnitOfWork, account_id: UUID) -> AccountState:
    state = await AccountRepository(uow.session).get(account_id)
    if state is None:
        raise ProblemError(404, "account_not_found", detail_key="registry.account_not_found")
    return state


async def update_account(
    uow: UnitOfWork,
    account_id: UUID,
    command: UpdateAccount,
    actor: Principal,
    expected_version: int | None,
    *,
    source: str = "api",
    current: AccountState | None = None,
) -> AccountState:
    account = current or await load_account(uow, account_id)
    check_scope(actor, account.organization_id)
    check_version(account.version, expected_version)
    changes = await _resolved(uow, command.model_dump(exclude_unset=True), account.platform)
    if "organization_id" in changes:
        check_scope(actor, changes["organization_id"])
    if changes.get("followers") == account.followers:
        changes.pop("followers", None)
        changes.pop("followers_observed_at", None)
    repository = AccountRepository(uow.session)
    if (
        "handle" in changes
        and changes["handle"] != account.handle
        and await repository.find_by_handle(account.platform, changes["handle"])
    ):
        raise _exists(account.platform, changes["handle"])
    revised, changed = revise_or_problem(account, changes)
    if not changed:
        return account
    try:
        await repository.save(revised, account.version)
    except StaleVersionError as exc:
        raise precondition_failed(account.version + 1) from exc
    except IntegrityError as exc:
        raise _exists(revised.platform, revised.handle) from exc
    if "followers" in changed and revised.followers is not None:
        await repository.record_followers(revised.id, revised.followers, revised.updated_at, source)
    await audit(uow, actor, "account.updated", "account", revised.id, changed)
    uow.emit(AccountUpdatedV1(account=revised, changed=changed))
    return revised


_VERIFICATION_EVENTS = {
    "verified": AccountVerifiedV1,
    "suspended": AccountSuspendedV1,
    "retired": AccountRetiredV1,
}


async def change_verification(
    uow: UnitOfWork,
    account_id: UUID,
    command: ChangeVerification,
    actor: Principal,
    expected_version: int | None,
) -> AccountState:
    account = await load_account(uow, account_id)
    check_scope(actor, account.organization_id)
    check_version(account.version, expected_version)
    try:
        revised, change = transition(
            account, command.status, by=actor.subject, reason=command.reason, at=utcnow()
        )
    except IllegalTransitionError as exc:
        raise ProblemError(
            409,
            "illegal_transition",
            detail_key="registry.illegal_transition",
            current=exc.current,
            wanted=exc.wanted,
        ) from exc
    repository = AccountRepository(uow.session)
    try:
        await repository.save(revised, account.version)
    except StaleVersionError as exc:
        raise precondition_failed(account.version + 1) from exc
    await repository.record_verification(account.id, change)
    await audit(uow, actor, f"account.{command.status}", "account", account.id, ["verification"])
    uow.emit(_VERIFICATION_EVENTS[command.status](account=revised, change=change))
    return revised
