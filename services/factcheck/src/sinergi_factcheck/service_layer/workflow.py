"""The verifiers' use cases on a case, each one unit of work and one audit entry."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field

from sinergi_factcheck.adapters.repository import (
    Cases,
    EvidenceChain,
    Verdicts,
    record_audit,
)
from sinergi_factcheck.domain.cases import Case, IllegalTransitionError
from sinergi_factcheck.domain.evidence import Evidence, EvidenceKind, append
from sinergi_factcheck.domain.verdicts import Verdict
from sinergi_factcheck.service_layer.context import Factcheck, domain_errors
from sinergi_kit.auth import Principal
from sinergi_kit.clock import utcnow
from sinergi_kit.contracts.factcheck import (
    CaseAssignedV1,
    CaseFlags,
    CaseMergedV1,
    HoaxType,
    PublicLabel,
    Rating,
    RejectionReason,
    Urgency,
    VerdictApprovedV1,
)
from sinergi_kit.http.problems import ProblemError
from sinergi_kit.ids import new_id
from sinergi_kit.uow import UnitOfWork


class Triage(BaseModel):
    urgency: Urgency
    flags: CaseFlags = Field(default_factory=CaseFlags)


class Reject(BaseModel):
    reason: RejectionReason


class Assign(BaseModel):
    assignee: str = Field(min_length=1, max_length=200, description="The verifier's subject")
    organization_id: UUID | None = None


class Merge(BaseModel):
    into: UUID


class AddEvidence(BaseModel):
    kind: EvidenceKind
    source: str = Field(min_length=1, max_length=300, examples=["KPU Kabupaten Jombang"])
    official: bool = Field(default=False, description="Issued by an official source")
    url: str | None = Field(default=None, max_length=2048)
    archived_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    note: str = Field(default="", max_length=5_000)


class DraftVerdict(BaseModel):
    rating: Rating
    hoax_type: HoaxType | None = None
    label: PublicLabel | None = Field(default=None, description="Default: from the rating")


async def load_case(uow: UnitOfWork, fc: Factcheck, principal: Principal, case_id: UUID) -> Case:
    case = await Cases(uow.session).get(case_id)
    if case is None:
        raise ProblemError(404, "case_not_found", detail_key="factcheck.case_not_found")
    fc.ensure_access(principal, case)
    return case


async def triage(fc: Factcheck, principal: Principal, case_id: UUID, command: Triage) -> Case:
    fc.ensure_kkd(principal)
    now = utcnow()
    with domain_errors():
        async with fc.uow() as uow:
            case = (await load_case(uow, fc, principal, case_id)).triage(
                command.urgency, command.flags, now
            )
            await Cases(uow.session).save(case)
            await record_audit(
                uow.session,
                case.id,
                principal.subject,
                "triaged",
                now,
                urgency=command.urgency,
                flags=command.flags.model_dump(),
            )
    return case


async def reject(fc: Factcheck, principal: Principal, case_id: UUID, command: Reject) -> Case:
    fc.ensure_kkd(principal)
    now = utcnow()
    with domain_errors():
        async with fc.uow() as uow:
            case = (await load_case(uow, fc, principal, case_id)).reject(command.reason, now)
            await Cases(uow.session).save(case)
            await record_audit(
                uow.session, case.id, principal.subject, "rejected", now, reason=command.reason
            )
    return case


async def assign(fc: Factcheck, principal: Principal, case_id: UUID, command: Assign) -> Case:
    fc.ensure_kkd(principal)
    now = utcnow()
    with domain_errors():
        async with fc.uow() as uow:
            case = (await load_case(uow, fc, principal, case_id)).assign(
                command.assignee, command.organization_id, now
            )
            await Cases(uow.session).save(case)
            await record_audit(
                uow.session,
                case.id,
                principal.subject,
                "assigned",
                now,
                assignee=command.assignee,
                organization_id=str(command.organization_id) if command.organization_id else None,
            )
            uow.emit(CaseAssignedV1(case=case.state()))
    return case


async def merge(fc: Factcheck, principal: Principal, case_id: UUID, command: Merge) -> Case:
    """A verifier confirms a duplicate: its reports move to ``command.into``."""
    fc.ensure_kkd(principal)
    now = utcnow()
    with domain_errors():
        async with fc.uow() as uow:
            repository = Cases(uow.session)
            duplicate = await load_case(uow, fc, principal, case_id)
            target = await load_case(uow, fc, principal, command.into)
            if target.id == duplicate.id or target.status == "merged":
                raise ProblemError(409, "merge_target", detail_key="factcheck.merge_target")
            merged, grown = duplicate.merge_into(target, now)
            await repository.save(merged)
            await repository.save(grown)
            moved = await repository.move_reports(duplicate.id, target.id)
            await record_audit(
                uow.session, duplicate.id, principal.subject, "merged", now, into=str(target.id)
            )
            await record_audit(
                uow.session, target.id, principal.subject, "absorbed", now, case=str(duplicate.id)
            )
            uow.emit(CaseMergedV1(case=merged.state(), into=grown.state(), report_ids=moved))
    fc.matcher.merged(merged.id, grown.id)
    return grown


async def add_evidence(
    fc: Factcheck, principal: Principal, case_id: UUID, command: AddEvidence
) -> Evidence:
    now = utcnow()
    with domain_errors():
        async with fc.uow() as uow:
            case = await load_case(uow, fc, principal, case_id)
            if case.status not in ("triage", "investigating", "in_review"):
                raise IllegalTransitionError(case.status, "investigating")
            chain = EvidenceChain(uow.session)
            item = append(
                await chain.of(case.id),
                evidence_id=new_id(),
                case_id=case.id,
                kind=command.kind,
                official=command.official,
                source=command.source,
                url=command.url,
                archived_sha256=command.archived_sha256,
                note=command.note,
                added_by=principal.subject,
                added_at=now,
            )
            await chain.add(item)
            await record_audit(
                uow.session,
                case.id,
                principal.subject,
                "evidence_added",
                now,
                seq=item.seq,
                hash=item.hash,
            )
    return item


async def draft_verdict(
    fc: Factcheck, principal: Principal, case_id: UUID, command: DraftVerdict
) -> Verdict:
    """The author's verdict; the case goes to review."""
    now = utcnow()
    with domain_errors():
        async with fc.uow() as uow:
            case = await load_case(uow, fc, principal, case_id)
            verdict = Verdict.draft(
                case.id,
                command.rating,
                command.hoax_type,
                case.flags,
                principal.subject,
                principal.organization_id,
                now,
                command.label,
            )
            case = case.submit_for_review(now)
            await Cases(uow.session).save(case)
            await Verdicts(uow.session).put(verdict)
            await record_audit(
                uow.session,
                case.id,
                principal.subject,
                "verdict_drafted",
                now,
                rating=verdict.rating,
                label=verdict.label,
            )
    return verdict


async def send_back(fc: Factcheck, principal: Principal, case_id: UUID) -> Case:
    now = utcnow()
    with domain_errors():
        async with fc.uow() as uow:
            case = (await load_case(uow, fc, principal, case_id)).send_back(now)
            await Cases(uow.session).save(case)
            await record_audit(uow.session, case.id, principal.subject, "sent_back", now)
    return case


async def approve(fc: Factcheck, principal: Principal, case_id: UUID) -> Verdict:
    now = utcnow()
    with domain_errors():
        async with fc.uow() as uow:
            case = await load_case(uow, fc, principal, case_id)
            verdict = await Verdicts(uow.session).get(case.id)
            if verdict is None or case.status != "in_review":
                raise ProblemError(409, "no_verdict", detail_key="factcheck.no_verdict")
            evidence = await EvidenceChain(uow.session).of(case.id)
            verdict = verdict.approve(principal.subject, principal.organization_id, evidence, now)
            case = case.approve(now)
            await Cases(uow.session).save(case)
            await Verdicts(uow.session).put(verdict)
            await record_audit(uow.session, case.id, principal.subject, "approved", now)
            uow.emit(VerdictApprovedV1(case=case.state(), verdict=verdict.state()))
    return verdict
