"""Who a segment means right now, evaluated on the local projections with the shared filter."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sinergi_events.adapters.tables import directory_accounts, people, segments
from sinergi_events.domain.errors import DomainError
from sinergi_kit.contracts.registry import AccountState, PersonState
from sinergi_kit.contracts.segments import SegmentState, matching_people

CHUNK = 5_000


async def segment_state(session: AsyncSession, segment_id: UUID) -> SegmentState:
    state = (
        await session.execute(
            select(segments.c.state).where(
                segments.c.id == segment_id, segments.c.deleted_at.is_(None)
            )
        )
    ).scalar_one_or_none()
    if state is None:
        raise DomainError("segment_not_found")
    return SegmentState.model_validate(state)


async def _accounts(session: AsyncSession, ids: set[UUID]) -> dict[UUID, AccountState]:
    wanted = sorted(ids)
    found: dict[UUID, AccountState] = {}
    for start in range(0, len(wanted), CHUNK):
        rows = await session.execute(
            select(directory_accounts.c.state).where(
                directory_accounts.c.id.in_(wanted[start : start + CHUNK])
            )
        )
        for state in rows.scalars():
            account = AccountState.model_validate(state)
            found[account.id] = account
    return found


async def segment_members(session: AsyncSession, segment: SegmentState) -> list[UUID]:
    """The ids of the people (not erased) the segment matches, in id order."""
    rows = await session.execute(
        select(people.c.state)
        .where(people.c.erased_at.is_(None), people.c.state.is_not(None))
        .order_by(people.c.id)
    )
    persons = [PersonState.model_validate(state) for state in rows.scalars()]
    accounts: dict[UUID, AccountState] = {}
    if segment.filter.has_account_criteria():
        accounts = await _accounts(
            session, {a for person in persons for a in person.managed_account_ids}
        )
    return [person.id for person in matching_people(segment.filter, persons, accounts)]
