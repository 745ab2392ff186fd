"""Persistence of the registry's aggregates. Each row keeps the aggregate's state as JSON
text; updates are conditional on the version read, so a lost update cannot happen."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    delete,
    exists,
    func,
    intersect,
    select,
    update,
)
from sqlalchemy import (
    text as sql,
)
from sqlalchemy.ext.asyncio import AsyncSession

from sinergi_kit.clock import as_utc
from sinergi_kit.contracts.registry import (
    AccountState,
    OrganizationState,
    PersonState,
    VerificationChange,
)
from sinergi_kit.contracts.segments import SegmentState
from sinergi_kit.http.pagination import after, decode_cursor, encode_cursor
from sinergi_kit.ids import new_id
from sinergi_registry.adapters.tables import (
    account_terms,
    accounts,
    follower_snapshots,
    organizations,
    people,
    person_accounts,
    segments,
    verification_changes,
)
from sinergi_registry.domain.search import fold, query_words, tag_term, terms

COMMON_TERM = 1_000


class StaleVersionError(Exception):
    """The row changed since it was read."""


async def _conditional_update(
    session: AsyncSession, table: Table, row: dict[str, Any], previous_version: int
) -> None:
    result = await session.execute(
        update(table)
        .where(table.c.id == row["id"], table.c.version == previous_version)
        .values(**{k: v for k, v in row.items() if k != "id"})
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleVersionError


@dataclass(frozen=True)
class Page:
    states: list[str]
    next_cursor: str | None

    def json(self) -> bytes:
        cursor = f'"{self.next_cursor}"' if self.next_cursor else "null"
        return f'{{"items":[{",".join(self.states)}],"next_cursor":{cursor}}}'.encode()


AccountSort = Literal["created", "-created", "name", "-name", "followers", "-followers"]


@dataclass(frozen=True)
class AccountQuery:
    platform: Sequence[str] = ()
    category: Sequence[str] = ()
    managed_by: Sequence[str] = ()
    district: Sequence[str] = ()
    verification_status: Sequence[str] = ()
    organization_id: UUID | None = None
    tag: str | None = None
    min_followers: int | None = None
    q: str | None = None


def _account_row(state: AccountState) -> dict[str, Any]:
    return {
        "id": state.id,
        "version": state.version,
        "platform": state.platform,
        "handle": state.handle,
        "display_name": state.display_name,
        "url": state.url,
        "managed_by": state.managed_by,
        "organization_id": state.organization_id,
        "category": state.category,
        "district": state.district,
        "tags": state.tags,
        "verification_status": state.verification_status,
        "created_at": state.created_at,
        "updated_at": state.updated_at,
        "sort_name": fold(state.display_name)[:200],
        "followers": -1 if state.followers is None else state.followers,
        "organization_kind": state.organization_kind,
        "state": state.model_dump_json(),
    }


def _sort_columns(sort: AccountSort) -> tuple[list[ColumnElement[Any]], bool]:
    column: ColumnElement[Any] = {
        "created": accounts.c.created_at,
        "name": accounts.c.sort_name,
        "followers": accounts.c.followers,
    }[sort.lstrip("-")]
    return [column, accounts.c.id], sort.startswith("-")


def _cursor_values(sort: AccountSort, values: list[Any]) -> list[Any]:
    first: Any = values[0]
    if sort.lstrip("-") == "created":
        first = datetime.fromisoformat(str(first))
    return [first, UUID(str(values[1]))]


class AccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_many(self, states: list[AccountState]) -> None:
        if states:
            await self.session.execute(accounts.insert(), [_account_row(s) for s in states])
            await self._index_terms(states)

    async def save(self, state: AccountState, previous_version: int) -> None:
        await _conditional_update(self.session, accounts, _account_row(state), previous_version)
        await self.session.execute(
            delete(account_terms).where(account_terms.c.account_id == state.id)
        )
        await self._index_terms([state])

    async def _index_terms(self, states: list[AccountState]) -> None:
        await self.session.execute(
            account_terms.insert(),
            [
                {"term": term, "account_id": state.id}
                for state in states
                for term in terms(state.display_name, state.handle)
                | {tag_term(tag) for tag in state.tags}
            ],
        )

    async def get(self, account_id: UUID) -> AccountState | None:
        raw = await self.get_raw(account_id)
        return AccountState.model_validate_json(raw[0]) if raw else None

    async def get_raw(self, account_id: UUID) -> tuple[str, int] | None:
        """The stored JSON state and its version, as they are."""
        row = (
            await self.session.execute(
                select(accounts.c.state, accounts.c.version).where(accounts.c.id == account_id)
            )
        ).first()
        return (row[0], row[1]) if row else None

    async def get_many(self, ids: Iterable[UUID]) -> list[AccountState]:
        wanted = list(ids)
        if not wanted:
            return []
        rows = await self.session.execute(select(accounts.c.state).where(accounts.c.id.in_(wanted)))
        return [AccountState.model_validate_json(text) for text in rows.scalars()]

    async def find_by_handle(self, platform: str, handle: str) -> AccountState | None:
        text = (
            await self.session.execute(
                select(accounts.c.state).where(
                    accounts.c.platform == platform, accounts.c.handle == handle
                )
            )
        ).scalar_one_or_none()
        return AccountState.model_validate_json(text) if text else None

    async def find_many_by_handle(
        self, keys: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], AccountState]:
        found: dict[tuple[str, str], AccountState] = {}
        by_platform: dict[str, list[str]] = {}
        for platform, handle in keys:
            by_platform.setdefault(platform, []).append(handle)
        for platform, handles in by_platform.items():
            rows = await self.session.execute(
                select(accounts.c.state).where(
                    accounts.c.platform == platform, accounts.c.handle.in_(handles)
                )
            )
            for text in rows.scalars():
                state = AccountState.model_validate_json(text)
                found[(state.platform, state.handle)] = state
        return found

    async def of_organization(self, organization_id: UUID) -> list[AccountState]:
        rows = await self.session.execute(
            select(accounts.c.state).where(accounts.c.organization_id == organization_id)
        )
        return [AccountState.model_validate_json(text) for text in rows.scalars()]

    async def _has_term(self, low: str, high: str | None) -> ColumnElement[bool]:
        """Accounts with a term in [low, high), or equal to ``low`` without ``high``. A common
        term is checked row by row while the sort index is walked (the first page comes
        quickly); a rare one drives the query from its few matches."""
        in_range = (
            account_terms.c.term == low
            if high is None
            else (account_terms.c.term >= low) & (account_terms.c.term < high)
        )
        sample = select(account_terms.c.account_id).where(in_range).limit(COMMON_TERM + 1)
        matches = (
            await self.session.execute(select(func.count()).select_from(sample.subquery()))
        ).scalar_one()
        if matches > COMMON_TERM:
            return exists().where(account_terms.c.account_id == accounts.c.id, in_range)
        return accounts.c.id.in_(select(account_terms.c.account_id).where(in_range))

    async def _filtered(self, query: AccountQuery, *columns: Any) -> Select[Any]:
        statement = select(*(columns or (accounts.c.state,)))
        for column, values in (
            (accounts.c.platform, query.platform),
            (accounts.c.category, query.category),
            (accounts.c.managed_by, query.managed_by),
            (accounts.c.district, query.district),
            (accounts.c.verification_status, query.verification_status),
        ):
            if values:
                statement = statement.where(column.in_(list(values)))
        if query.organization_id is not None:
            statement = statement.where(accounts.c.organization_id == query.organization_id)
        if query.min_followers is not None:
            statement = statement.where(accounts.c.followers >= query.min_followers)
        if query.tag:
            tag = tag_term(query.tag)
            statement = statement.where(await self._has_term(tag, None))
        words = query_words(query.q or "")
        if len(words) == 1:
            statement = statement.where(await self._has_term(words[0], words[0] + "\uffff"))
        elif words:
            # every word must match: intersect the (indexed) term ranges, then sort the few
            ranges = [
                select(account_terms.c.account_id).where(
                    account_terms.c.term >= word, account_terms.c.term < word + "\uffff"
                )
                for word in words
            ]
            statement = statement.where(accounts.c.id.in_(intersect(*ranges)))
        return statement

    async def page(
        self, query: AccountQuery, *, sort: AccountSort, cursor: str | None, limit: int
    ) -> Page:
        """Keys first (narrow rows, indexes), then the states of just that page."""
        columns, descending = _sort_columns(sort)
        statement = await self._filtered(query, *columns)
        if cursor:
            statement = statement.where(
                after(
                    columns, _cursor_values(sort, decode_cursor(cursor, 2)), descending=descending
                )
            )
        order = [c.desc() for c in columns] if descending else columns
        keys = (await self.session.execute(statement.order_by(*order).limit(limit + 1))).all()
        next_cursor = None
        if len(keys) > limit:
            key, last_id = keys[limit - 1]
            if isinstance(key, datetime):
                key = as_utc(key).isoformat()
            next_cursor = encode_cursor([key, str(last_id)])
        ids = [row[1] for row in keys[:limit]]
        states = (
            dict(
                (
                    await self.session.execute(
                        select(accounts.c.id, accounts.c.state).where(accounts.c.id.in_(ids))
                    )
                ).all()
            )
            if ids
            else {}
        )
        return Page([states[i] for i in ids], next_cursor)

    async def matching(self, query: AccountQuery) -> list[AccountState]:
        rows = await self.session.execute((await self._filtered(query)).order_by(accounts.c.id))
        return [AccountState.model_validate_json(text) for text in rows.scalars()]

    async def refresh_statistics(self) -> None:
        """Let the query planner see the data as it is now (after a bulk change), so it walks
        the sort index for common search terms."""
        for table in ("accounts", "account_terms"):
            await self.session.execute(sql(f"ANALYZE {table}"))

    async def counts_by(self, column_name: str) -> dict[str, int]:
        column = accounts.c[column_name]
        rows = await self.session.execute(
            select(column, func.count()).group_by(column).order_by(column)
        )
        return {str(key) if key is not None else "": int(count) for key, count in rows.all()}

    async def record_followers(
        self, account_id: UUID, followers: int, observed_at: datetime, source: str
    ) -> None:
        await self.record_followers_many([(account_id, followers, observed_at)], source)

    async def record_followers_many(
        self, counts: list[tuple[UUID, int, datetime]], source: str
    ) -> None:
        if counts:
            await self.session.execute(
                follower_snapshots.insert(),
                [
                    {
                        "id": new_id(),
                        "account_id": account_id,
                        "followers": followers,
                        "observed_at": observed_at,
                        "source": source,
                    }
                    for account_id, followers, observed_at in counts
                ],
            )

    async def follower_history(self, account_id: UUID) -> list[tuple[datetime, int, str]]:
        rows = await self.session.execute(
            select(
                follower_snapshots.c.observed_at,
                follower_snapshots.c.followers,
                follower_snapshots.c.source,
            )
            .where(follower_snapshots.c.account_id == account_id)
            .order_by(follower_snapshots.c.observed_at)
        )
        return [(as_utc(at), count, source) for at, count, source in rows.all()]

    async def record_verification(self, account_id: UUID, change: VerificationChange) -> None:
        await self.session.execute(
            verification_changes.insert().values(
                id=new_id(), account_id=account_id, **change.model_dump()
            )
        )

    async def verification_history(self, account_id: UUID) -> list[VerificationChange]:
        rows = await self.session.execute(
            select(verification_changes)
            .where(verification_changes.c.account_id == account_id)
            .order_by(verification_changes.c.at, verification_changes.c.id)
        )
        return [
            VerificationChange(
                from_status=r.from_status,
                to_status=r.to_status,
                by=r.by,
                reason=r.reason,
                at=as_utc(r.at),
            )
            for r in rows.all()
        ]


def _organization_row(state: OrganizationState) -> dict[str, Any]:
    return {
        "id": state.id,
        "version": state.version,
        "kind": state.kind,
        "name": state.name,
        "name_key": fold(state.name)[:200],
        "short_name_key": fold(state.short_name)[:50] if state.short_name else None,
        "district": state.district,
        "state": state.model_dump_json(),
        "created_at": state.created_at,
        "updated_at": state.updated_at,
    }


class OrganizationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, state: OrganizationState) -> None:
        await self.session.execute(organizations.insert().values(**_organization_row(state)))

    async def save(self, state: OrganizationState, previous_version: int) -> None:
        await _conditional_update(
            self.session, organizations, _organization_row(state), previous_version
        )

    async def get(self, organization_id: UUID) -> OrganizationState | None:
        text = (
            await self.session.execute(
                select(organizations.c.state).where(organizations.c.id == organization_id)
            )
        ).scalar_one_or_none()
        return OrganizationState.model_validate_json(text) if text else None

    async def find_by_name(self, name: str) -> OrganizationState | None:
        """By full name or short name, in any case."""
        key = fold(name.strip())
        text = (
            await self.session.execute(
                select(organizations.c.state)
                .where((organizations.c.name_key == key) | (organizations.c.short_name_key == key))
                .limit(1)
            )
        ).scalar_one_or_none()
        return OrganizationState.model_validate_json(text) if text else None

    async def all(self, kind: str | None = None) -> list[OrganizationState]:
        statement = select(organizations.c.state).order_by(organizations.c.name_key)
        if kind:
            statement = statement.where(organizations.c.kind == kind)
        rows = await self.session.execute(statement)
        return [OrganizationState.model_validate_json(text) for text in rows.scalars()]


def _person_row(state: PersonState) -> dict[str, Any]:
    return {
        "id": state.id,
        "version": state.version,
        "sort_name": fold(state.name)[:200],
        "email": state.contact.email,
        "whatsapp": state.contact.whatsapp,
        "organization_id": state.organization_id,
        "state": state.model_dump_json(),
        "erased_at": None,
        "created_at": state.created_at,
        "updated_at": state.updated_at,
    }


class PersonRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, state: PersonState) -> None:
        await self.session.execute(people.insert().values(**_person_row(state)))
        await self._link_accounts(state)

    async def save(self, state: PersonState, previous_version: int) -> None:
        await _conditional_update(self.session, people, _person_row(state), previous_version)
        await self.session.execute(
            delete(person_accounts).where(person_accounts.c.person_id == state.id)
        )
        await self._link_accounts(state)

    async def _link_accounts(self, state: PersonState) -> None:
        if state.managed_account_ids:
            await self.session.execute(
                person_accounts.insert(),
                [{"person_id": state.id, "account_id": a} for a in state.managed_account_ids],
            )

    async def erase(self, person_id: UUID, version: int, at: datetime, previous: int) -> None:
        """Keep only the id, version and times: no name, contact, consent or links."""
        result = await self.session.execute(
            update(people)
            .where(people.c.id == person_id, people.c.version == previous)
            .values(
                version=version,
                sort_name=None,
                email=None,
                whatsapp=None,
                organization_id=None,
                state=None,
                erased_at=at,
                updated_at=at,
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise StaleVersionError
        await self.session.execute(
            delete(person_accounts).where(person_accounts.c.person_id == person_id)
        )

    async def get(self, person_id: UUID) -> PersonState | None:
        text = (
            await self.session.execute(select(people.c.state).where(people.c.id == person_id))
        ).scalar_one_or_none()
        return PersonState.model_validate_json(text) if text else None

    async def is_erased(self, person_id: UUID) -> bool:
        erased = (
            await self.session.execute(select(people.c.erased_at).where(people.c.id == person_id))
        ).scalar_one_or_none()
        return erased is not None

    async def find_by_contact(self, email: str | None, whatsapp: str | None) -> PersonState | None:
        conditions = []
        if email:
            conditions.append(people.c.email == email)
        if whatsapp:
            conditions.append(people.c.whatsapp == whatsapp)
        if not conditions:
            return None
        for condition in conditions:
            text = (
                await self.session.execute(select(people.c.state).where(condition))
            ).scalar_one_or_none()
            if text:
                return PersonState.model_validate_json(text)
        return None

    async def find_by_name(self, name: str, organization_id: UUID | None) -> PersonState | None:
        text = (
            await self.session.execute(
                select(people.c.state)
                .where(
                    people.c.sort_name == fold(name.strip())[:200],
                    people.c.organization_id == organization_id
                    if organization_id
                    else people.c.organization_id.is_(None),
                )
                .limit(1)
            )
        ).scalar_one_or_none()
        return PersonState.model_validate_json(text) if text else None

    async def managers_of(self, account_id: UUID) -> list[PersonState]:
        rows = await self.session.execute(
            select(people.c.state)
            .join(person_accounts, person_accounts.c.person_id == people.c.id)
            .where(person_accounts.c.account_id == account_id)
        )
        return [PersonState.model_validate_json(text) for text in rows.scalars()]

    async def page(
        self,
        *,
        q: str | None,
        role: str | None,
        organization_id: UUID | None,
        cursor: str | None,
        limit: int,
    ) -> Page:
        statement = select(people.c.state, people.c.sort_name, people.c.id).where(
            people.c.erased_at.is_(None)
        )
        if q:
            statement = statement.where(people.c.sort_name.contains(fold(q.strip())))
        if role:
            statement = statement.where(people.c.state.contains(f'"{role}"'))
        if organization_id:
            statement = statement.where(people.c.organization_id == organization_id)
        columns: list[ColumnElement[Any]] = [people.c.sort_name, people.c.id]
        if cursor:
            name, last_id = decode_cursor(cursor, 2)
            statement = statement.where(after(columns, [name, UUID(str(last_id))]))
        rows = (await self.session.execute(statement.order_by(*columns).limit(limit + 1))).all()
        next_cursor = None
        if len(rows) > limit:
            next_cursor = encode_cursor([rows[limit - 1][1], str(rows[limit - 1][2])])
        return Page([row[0] for row in rows[:limit]], next_cursor)

    async def all_active(self) -> list[PersonState]:
        rows = await self.session.execute(
            select(people.c.state).where(people.c.erased_at.is_(None))
        )
        return [PersonState.model_validate_json(text) for text in rows.scalars()]


class SegmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _row(state: SegmentState) -> dict[str, Any]:
        return {
            "id": state.id,
            "version": state.version,
            "name_key": fold(state.name)[:200],
            "state": state.model_dump_json(),
            "created_at": state.created_at,
            "updated_at": state.updated_at,
        }

    async def add(self, state: SegmentState) -> None:
        await self.session.execute(segments.insert().values(**self._row(state)))

    async def save(self, state: SegmentState, previous_version: int) -> None:
        await _conditional_update(self.session, segments, self._row(state), previous_version)

    async def delete(self, segment_id: UUID, previous_version: int) -> None:
        result = await self.session.execute(
            delete(segments).where(
                segments.c.id == segment_id, segments.c.version == previous_version
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise StaleVersionError

    async def get(self, segment_id: UUID) -> SegmentState | None:
        text = (
            await self.session.execute(select(segments.c.state).where(segments.c.id == segment_id))
        ).scalar_one_or_none()
        return SegmentState.model_validate_json(text) if text else None

    async def name_taken(self, name: str, other_than: UUID | None = None) -> bool:
        statement = select(segments.c.id).where(segments.c.name_key == fold(name)[:200])
        if other_than:
            statement = statement.where(segments.c.id != other_than)
        return (await self.session.execute(statement)).first() is not None

    async def all(self) -> list[SegmentState]:
        rows = await self.session.execute(select(segments.c.state).order_by(segments.c.name_key))
        return [SegmentState.model_validate_json(text) for text in rows.scalars()]
