"""Segments: named saved filters, evaluated by the shared contracts' function so the preview
here is what every other service will compute on its own projection."""

from __future__ import annotations

from typing import Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sinergi_kit.auth import Principal
from sinergi_kit.clock import utcnow
from sinergi_kit.contracts.registry import AccountState, PersonState
from sinergi_kit.contracts.segments import (
    SegmentCreatedV1,
    SegmentDeletedV1,
    SegmentFilter,
    SegmentState,
    SegmentUpdatedV1,
    matching_accounts,
    matching_people,
)
from sinergi_kit.http.conditional import precondition_failed
from sinergi_kit.http.problems import ProblemError
from sinergi_kit.ids import new_id
from sinergi_kit.uow import UnitOfWork
from sinergi_registry.adapters.repository import (
    AccountQuery,
    AccountRepository,
    PersonRepository,
    SegmentRepository,
    StaleVersionError,
)
from sinergi_registry.service_layer.common import audit, check_version, revise_or_problem


class CreateSegment(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Admin akun mandiri",
                    "description": "Pengelola akun media sosial mandiri (non-OPD)",
                    "filter": {"managed_by": ["independent"], "roles": ["account_admin"]},
                }
            ]
        },
    )

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    filter: SegmentFilter = Field(default_factory=SegmentFilter)


class UpdateSegment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    filter: SegmentFilter | None = None


T = TypeVar("T", bound=BaseModel)


class Members(BaseModel, Generic[T]):
    count: int
    members: list[T]


class SegmentPreview(BaseModel):
    accounts: Members[AccountState]
    people: Members[PersonState]


def _exists(name: str) -> ProblemError:
    return ProblemError(409, "segment_exists", detail_key="registry.segment_exists", name=name)


async def create_segment(uow: UnitOfWork, command: CreateSegment, actor: Principal) -> SegmentState:
    repository = SegmentRepository(uow.session)
    name = command.name.strip()
    if await repository.name_taken(name):
        raise _exists(name)
    now = utcnow()
    state = SegmentState(
        id=new_id(),
        version=1,
        name=name,
        description=command.description,
        filter=command.filter,
        created_at=now,
        updated_at=now,
    )
    try:
        await repository.add(state)
    except IntegrityError as exc:
        raise _exists(name) from exc
    await audit(uow, actor, "segment.created", "segment", state.id)
    uow.emit(SegmentCreatedV1(segment=state))
    return state


async def load_segment(session: AsyncSession, segment_id: UUID) -> SegmentState:
    state = await SegmentRepository(session).get(segment_id)
    if state is None:
        raise ProblemError(404, "segment_not_found", detail_key="registry.segment_not_found")
    return state


async def update_segment(
    uow: UnitOfWork,
    segment_id: UUID,
    command: UpdateSegment,
    actor: Principal,
    expected_version: int | None,
) -> SegmentState:
    segment = await load_segment(uow.session, segment_id)
    check_version(segment.version, expected_version)
    changes = command.model_dump(exclude_unset=True)
    if changes.get("name"):
        changes["name"] = changes["name"].strip()
        if await SegmentRepository(uow.session).name_taken(changes["name"], segment.id):
            raise _exists(changes["name"])
    revised, changed = revise_or_problem(segment, changes)
    if not changed:
        return segment
    try:
        await SegmentRepository(uow.session).save(revised, segment.version)
    except StaleVersionError as exc:
        raise precondition_failed(segment.version + 1) from exc
    await audit(uow, actor, "segment.updated", "segment", revised.id, changed)
    uow.emit(SegmentUpdatedV1(segment=revised))
    return revised


async def delete_segment(
    uow: UnitOfWork, segment_id: UUID, actor: Principal, expected_version: int | None
) -> None:
    segment = await load_segment(uow.session, segment_id)
    check_version(segment.version, expected_version)
    try:
        await SegmentRepository(uow.session).delete(segment.id, segment.version)
    except StaleVersionError as exc:
        raise precondition_failed(segment.version + 1) from exc
    await audit(uow, actor, "segment.deleted", "segment", segment.id)
    uow.emit(
        SegmentDeletedV1(segment_id=segment.id, version=segment.version + 1, deleted_at=utcnow())
    )


async def preview(session: AsyncSession, segment: SegmentFilter, limit: int) -> SegmentPreview:
    """Count and list the segment's accounts and people. The database narrows the accounts
    by the criteria it stores verbatim; the shared evaluation decides."""
    narrowed = AccountQuery(
        platform=segment.platforms,
        category=segment.categories,
        managed_by=segment.managed_by,
        verification_status=segment.verification_statuses,
        min_followers=segment.min_followers,
    )
    accounts = await AccountRepository(session).matching(narrowed)
    chosen = matching_accounts(segment, accounts)
    everyone = await PersonRepository(session).all_active()
    wanted = {a for p in everyone for a in p.managed_account_ids}
    by_id = {a.id: a for a in await AccountRepository(session).get_many(wanted)}
    people = matching_people(segment, everyone, by_id)
    people.sort(key=lambda p: p.name.casefold())
    return SegmentPreview(
        accounts=Members[AccountState](count=len(chosen), members=chosen[:limit]),
        people=Members[PersonState](count=len(people), members=people[:limit]),
    )
