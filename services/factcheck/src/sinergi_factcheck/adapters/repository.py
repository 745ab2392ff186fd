"""Persistence of the factcheck aggregates. Updates check the version they read, so two
verifiers acting on one case at once cannot both win."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sinergi_factcheck.adapters.tables import (
    audit,
    cases,
    clarifications,
    evidence,
    referrals,
    reports,
    verdicts,
)
from sinergi_factcheck.domain.cases import Case
from sinergi_factcheck.domain.evidence import Evidence
from sinergi_factcheck.domain.publication import Clarification, Text
from sinergi_factcheck.domain.referrals import Referral
from sinergi_factcheck.domain.verdicts import Verdict
from sinergi_kit.clock import as_utc
from sinergi_kit.contracts.factcheck import CaseFlags
from sinergi_kit.ids import new_id


class StaleStateError(RuntimeError):
    """Someone else changed the aggregate between our read and our write."""


def _utc(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


def case_from_row(row: Row[Any]) -> Case:
    return Case(
        id=row.id,
        version=row.version,
        status=row.status,
        claim=row.claim,
        urls=tuple(row.urls),
        urgency=row.urgency,
        flags=CaseFlags(**row.flags),
        report_count=row.report_count,
        assignee=row.assignee,
        organization_id=row.organization_id,
        rejection_reason=row.rejection_reason,
        merged_into=row.merged_into,
        due_at=_utc(row.due_at),
        opened_at=as_utc(row.opened_at),
        updated_at=as_utc(row.updated_at),
    )


def _case_values(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "version": case.version,
        "status": case.status,
        "claim": case.claim,
        "urls": list(case.urls),
        "urgency": case.urgency,
        "flags": case.flags.model_dump(),
        "report_count": case.report_count,
        "assignee": case.assignee,
        "organization_id": case.organization_id,
        "rejection_reason": case.rejection_reason,
        "merged_into": case.merged_into,
        "due_at": case.due_at,
        "opened_at": case.opened_at,
        "updated_at": case.updated_at,
    }


async def _save_versioned(
    session: AsyncSession, table: Table, key: UUID, values: dict[str, Any], version: int
) -> None:
    result = await session.execute(
        update(table).where(table.c.id == key, table.c.version == version - 1).values(**values)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise StaleStateError(str(key))


class Cases:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, case_id: UUID) -> Case | None:
        row = (await self.session.execute(select(cases).where(cases.c.id == case_id))).first()
        return case_from_row(row) if row else None

    async def add(self, case: Case) -> None:
        await self.add_all([case])

    async def add_all(self, new_cases: Sequence[Case]) -> None:
        if new_cases:
            await self.session.execute(cases.insert(), [_case_values(c) for c in new_cases])

    async def save(self, case: Case, *, over: int | None = None) -> None:
        """Write ``case`` over the version read (by default the version before it)."""
        read = case.version - 1 if over is None else over
        await _save_versioned(self.session, cases, case.id, _case_values(case), read + 1)

    async def report_ids(self, case_id: UUID) -> list[UUID]:
        query = select(reports.c.id).where(reports.c.case_id == case_id).order_by(reports.c.id)
        return list((await self.session.execute(query)).scalars())

    async def move_reports(self, source: UUID, target: UUID) -> list[UUID]:
        moved = await self.report_ids(source)
        await self.session.execute(
            update(reports).where(reports.c.case_id == source).values(case_id=target)
        )
        return moved


class EvidenceChain:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of(self, case_id: UUID) -> list[Evidence]:
        query = select(evidence).where(evidence.c.case_id == case_id).order_by(evidence.c.seq)
        return [
            Evidence(
                id=r.id,
                case_id=r.case_id,
                seq=r.seq,
                kind=r.kind,
                official=r.official,
                source=r.source,
                url=r.url,
                archived_sha256=r.archived_sha256,
                note=r.note,
                added_by=r.added_by,
                added_at=as_utc(r.added_at),
                prev_hash=r.prev_hash,
                hash=r.hash,
            )
            for r in (await self.session.execute(query)).all()
        ]

    async def add(self, item: Evidence) -> None:
        """Append only: the (case, seq) key refuses a second writer of the same position."""
        values = {k: v for k, v in item.__dict__.items()}
        await self.session.execute(evidence.insert().values(**values))


class Verdicts:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, case_id: UUID) -> Verdict | None:
        row = (
            await self.session.execute(select(verdicts).where(verdicts.c.case_id == case_id))
        ).first()
        if row is None:
            return None
        return Verdict(
            case_id=row.case_id,
            rating=row.rating,
            hoax_type=row.hoax_type,
            label=row.label,
            flags=CaseFlags(**row.flags),
            author=row.author,
            author_organization_id=row.author_organization_id,
            drafted_at=as_utc(row.drafted_at),
            approver=row.approver,
            approver_organization_id=row.approver_organization_id,
            approved_at=_utc(row.approved_at),
        )

    async def put(self, verdict: Verdict) -> None:
        values = {**verdict.__dict__, "flags": verdict.flags.model_dump()}
        await self.session.execute(verdicts.delete().where(verdicts.c.case_id == verdict.case_id))
        await self.session.execute(verdicts.insert().values(**values))


def clarification_from_row(row: Row[Any], report_ids: Sequence[UUID]) -> Clarification:
    return Clarification(
        id=row.id,
        case_id=row.case_id,
        version=row.version,
        status=row.status,
        label=row.label,
        rating=row.rating,
        text=Text(
            row.title_id, row.title_en, row.summary_id, row.summary_en, row.body_id, row.body_en
        ),
        url=row.url,
        claim_review=row.claim_review,
        report_ids=tuple(report_ids),
        published_at=as_utc(row.published_at),
        updated_at=as_utc(row.updated_at),
    )


def _clarification_values(item: Clarification) -> dict[str, Any]:
    return {
        "id": item.id,
        "case_id": item.case_id,
        "version": item.version,
        "status": item.status,
        "label": item.label,
        "rating": item.rating,
        **item.text.__dict__,
        "url": item.url,
        "claim_review": item.claim_review,
        "published_at": item.published_at,
        "updated_at": item.updated_at,
    }


class Clarifications:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, clarification_id: UUID) -> Clarification | None:
        query = select(clarifications).where(clarifications.c.id == clarification_id)
        row = (await self.session.execute(query)).first()
        if row is None:
            return None
        return clarification_from_row(row, await Cases(self.session).report_ids(row.case_id))

    async def id_for_case(self, case_id: UUID) -> UUID | None:
        query = select(clarifications.c.id).where(clarifications.c.case_id == case_id)
        found: UUID | None = (await self.session.execute(query)).scalar()
        return found

    async def add(self, item: Clarification) -> None:
        await self.session.execute(clarifications.insert().values(**_clarification_values(item)))

    async def save(self, item: Clarification) -> None:
        await _save_versioned(
            self.session, clarifications, item.id, _clarification_values(item), item.version
        )


def referral_from_row(row: Row[Any]) -> Referral:
    return Referral(
        id=row.id,
        case_id=row.case_id,
        version=row.version,
        partner=row.partner,
        organization_id=row.organization_id,
        reason=row.reason,
        status=row.status,
        deadline=as_utc(row.deadline),
        evidence_bundle_sha256=row.evidence_bundle_sha256,
        sent_by=row.sent_by,
        sent_at=as_utc(row.sent_at),
        response=row.response,
        responded_at=_utc(row.responded_at),
    )


class Referrals:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, referral_id: UUID) -> Referral | None:
        query = select(referrals).where(referrals.c.id == referral_id)
        row = (await self.session.execute(query)).first()
        return referral_from_row(row) if row else None

    async def add(self, item: Referral, bundle: dict[str, Any]) -> None:
        values = {**item.__dict__, "evidence_bundle": bundle}
        await self.session.execute(referrals.insert().values(**values))

    async def save(self, item: Referral) -> None:
        values = {
            "version": item.version,
            "status": item.status,
            "response": item.response,
            "responded_at": item.responded_at,
        }
        await _save_versioned(self.session, referrals, item.id, values, item.version)


async def record_audit(
    session: AsyncSession,
    case_id: UUID,
    actor: str,
    action: str,
    at: datetime,
    **detail: Any,
) -> None:
    await session.execute(
        audit.insert().values(
            id=new_id(), case_id=case_id, at=at, actor=actor, action=action, detail=detail
        )
    )


async def count(session: AsyncSession, table: Table) -> int:
    return int((await session.execute(select(func.count()).select_from(table))).scalar_one())
