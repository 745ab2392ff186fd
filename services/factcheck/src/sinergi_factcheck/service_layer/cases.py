"""What verifiers read: case lists (scoped to their organisation), one case in full."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy import select

from sinergi_factcheck.adapters.repository import (
    Cases,
    Clarifications,
    EvidenceChain,
    Verdicts,
    case_from_row,
)
from sinergi_factcheck.adapters.tables import audit, cases, reports
from sinergi_factcheck.domain.cases import OPEN_STATUSES
from sinergi_factcheck.domain.evidence import export_bundle
from sinergi_factcheck.service_layer.context import Factcheck
from sinergi_kit.auth import Principal
from sinergi_kit.clock import as_utc, utcnow
from sinergi_kit.contracts.factcheck import CaseState, CaseStatus, MatchKind, ReportChannel
from sinergi_kit.http.problems import ProblemError


class CaseSummary(BaseModel):
    case: CaseState
    overdue: bool


class ReportView(BaseModel):
    id: UUID
    channel: ReportChannel
    text: str
    urls: list[str]
    image_sha256: list[str]
    match: MatchKind
    match_score: float | None
    suggested_case_id: UUID | None
    received_at: datetime


class AuditEntry(BaseModel):
    at: datetime
    actor: str
    action: str
    detail: dict[str, Any]


class CaseDetail(BaseModel):
    case: CaseState
    overdue: bool
    reports: list[ReportView]
    evidence: list[dict[str, Any]]
    verdict: dict[str, Any] | None
    clarification_id: UUID | None
    audit: list[AuditEntry]


async def list_cases(
    fc: Factcheck,
    principal: Principal,
    *,
    status: CaseStatus | None,
    overdue: bool,
    limit: int,
) -> list[CaseSummary]:
    statement = select(cases).order_by(cases.c.due_at, cases.c.id).limit(limit)
    if status is not None:
        statement = statement.where(cases.c.status == status)
    now = utcnow()
    if overdue:
        statement = statement.where(cases.c.status.in_(OPEN_STATUSES), cases.c.due_at < now)
    if not fc.full_scope(principal):
        statement = statement.where(cases.c.organization_id == principal.organization_id)
    async with fc.db.read() as session:
        found = [case_from_row(row) for row in (await session.execute(statement)).all()]
    return [CaseSummary(case=c.state(), overdue=c.is_overdue(now)) for c in found]


async def case_detail(fc: Factcheck, principal: Principal, case_id: UUID) -> CaseDetail:
    async with fc.db.read() as session:
        case = await Cases(session).get(case_id)
        if case is None:
            raise ProblemError(404, "case_not_found", detail_key="factcheck.case_not_found")
        fc.ensure_access(principal, case)
        report_rows = (
            await session.execute(
                select(reports).where(reports.c.case_id == case.id).order_by(reports.c.received_at)
            )
        ).all()
        chain = await EvidenceChain(session).of(case.id)
        verdict = await Verdicts(session).get(case.id)
        clarification_id = await Clarifications(session).id_for_case(case.id)
        audit_rows = (
            await session.execute(
                select(audit).where(audit.c.case_id == case.id).order_by(audit.c.at, audit.c.id)
            )
        ).all()
    return CaseDetail(
        case=case.state(),
        overdue=case.is_overdue(utcnow()),
        reports=[
            ReportView(
                id=r.id,
                channel=r.channel,
                text=r.text,
                urls=r.urls,
                image_sha256=r.image_sha256,
                match=r.match,
                match_score=r.match_score,
                suggested_case_id=r.suggested_case_id,
                received_at=as_utc(r.received_at),
            )
            for r in report_rows
        ],
        evidence=[item.as_dict() for item in chain],
        verdict={
            k: (str(v) if isinstance(v, UUID) else v)
            for k, v in verdict.__dict__.items()
            if k not in ("case_id", "flags")
        }
        if verdict
        else None,
        clarification_id=clarification_id,
        audit=[
            AuditEntry(at=as_utc(a.at), actor=a.actor, action=a.action, detail=a.detail)
            for a in audit_rows
        ],
    )


async def evidence_bundle(fc: Factcheck, principal: Principal, case_id: UUID) -> dict[str, Any]:
    async with fc.db.read() as session:
        case = await Cases(session).get(case_id)
        if case is None:
            raise ProblemError(404, "case_not_found", detail_key="factcheck.case_not_found")
        fc.ensure_access(principal, case)
        chain = await EvidenceChain(session).of(case.id)
    return export_bundle(case.id, chain, utcnow())
