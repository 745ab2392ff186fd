"""The verifiers' API: cases, evidence, verdicts, approval, publication, referrals,
amplification, imports and stats. Role verifier (or admin); partner verifiers are scoped to
their organisation's cases."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Query, Request

from sinergi_factcheck.domain.cases import Case
from sinergi_factcheck.entrypoints.limits import LimitedRoute
from sinergi_factcheck.entrypoints.public import factcheck
from sinergi_factcheck.service_layer import (
    amplification,
    cases,
    imports,
    intake,
    publication,
    referrals,
    stats,
    workflow,
)
from sinergi_factcheck.service_layer.publication import ClarificationView
from sinergi_kit.auth import Principal, Role, require_roles
from sinergi_kit.contracts.factcheck import (
    AmplificationState,
    CaseState,
    CaseStatus,
    ReferralState,
    VerdictState,
)
from sinergi_kit.http.problems import PROBLEM_RESPONSES

Verifier = Annotated[Principal, Depends(require_roles(frozenset({Role.VERIFIER, Role.ADMIN})))]

router = APIRouter(tags=["verifiers"], responses=PROBLEM_RESPONSES, route_class=LimitedRoute)


def _state(case: Case) -> CaseState:
    return case.state()


@router.post(
    "/partner/reports",
    status_code=201,
    response_model=intake.Receipt,
    summary="Report from a partner body (signed in)",
)
async def partner_report(
    command: intake.SubmitReport, request: Request, principal: Verifier
) -> intake.Receipt:
    return await intake.submit_report(
        factcheck(request), command, channel="partner", submitted_by=principal.subject
    )


@router.get("/cases", response_model=list[cases.CaseSummary], summary="Cases in your scope")
async def list_cases(
    request: Request,
    principal: Verifier,
    status: CaseStatus | None = None,
    overdue: Annotated[bool, Query(description="Only cases past their time limit")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[cases.CaseSummary]:
    return await cases.list_cases(
        factcheck(request), principal, status=status, overdue=overdue, limit=limit
    )


@router.get("/cases/{case_id}", response_model=cases.CaseDetail, summary="One case in full")
async def get_case(case_id: UUID, request: Request, principal: Verifier) -> cases.CaseDetail:
    return await cases.case_detail(factcheck(request), principal, case_id)


@router.post("/cases/{case_id}/triage", response_model=CaseState, summary="Set urgency and flags")
async def triage(
    case_id: UUID, command: workflow.Triage, request: Request, principal: Verifier
) -> CaseState:
    return _state(await workflow.triage(factcheck(request), principal, case_id, command))


@router.post("/cases/{case_id}/reject", response_model=CaseState, summary="Reject with a reason")
async def reject(
    case_id: UUID, command: workflow.Reject, request: Request, principal: Verifier
) -> CaseState:
    return _state(await workflow.reject(factcheck(request), principal, case_id, command))


@router.post("/cases/{case_id}/assign", response_model=CaseState, summary="Assign a verifier")
async def assign(
    case_id: UUID, command: workflow.Assign, request: Request, principal: Verifier
) -> CaseState:
    return _state(await workflow.assign(factcheck(request), principal, case_id, command))


@router.post(
    "/cases/{case_id}/merge", response_model=CaseState, summary="Merge a duplicate into a case"
)
async def merge(
    case_id: UUID, command: workflow.Merge, request: Request, principal: Verifier
) -> CaseState:
    return _state(await workflow.merge(factcheck(request), principal, case_id, command))


@router.post("/cases/{case_id}/evidence", status_code=201, summary="Append evidence")
async def add_evidence(
    case_id: UUID, command: workflow.AddEvidence, request: Request, principal: Verifier
) -> dict[str, Any]:
    item = await workflow.add_evidence(factcheck(request), principal, case_id, command)
    return item.as_dict()


@router.get("/cases/{case_id}/evidence/bundle", summary="Chain-of-custody bundle")
async def evidence_bundle(case_id: UUID, request: Request, principal: Verifier) -> dict[str, Any]:
    return await cases.evidence_bundle(factcheck(request), principal, case_id)


@router.post("/cases/{case_id}/verdict", summary="Draft the verdict; the case goes to review")
async def draft_verdict(
    case_id: UUID, command: workflow.DraftVerdict, request: Request, principal: Verifier
) -> dict[str, Any]:
    verdict = await workflow.draft_verdict(factcheck(request), principal, case_id, command)
    return {"rating": verdict.rating, "hoax_type": verdict.hoax_type, "label": verdict.label}


@router.post("/cases/{case_id}/send-back", response_model=CaseState, summary="Back to work")
async def send_back(case_id: UUID, request: Request, principal: Verifier) -> CaseState:
    return _state(await workflow.send_back(factcheck(request), principal, case_id))


@router.post("/cases/{case_id}/approve", response_model=VerdictState, summary="Four-eyes approval")
async def approve(case_id: UUID, request: Request, principal: Verifier) -> VerdictState:
    return (await workflow.approve(factcheck(request), principal, case_id)).state()


@router.post(
    "/cases/{case_id}/publish",
    status_code=201,
    response_model=ClarificationView,
    summary="Publish the clarification with its ClaimReview",
)
async def publish(
    case_id: UUID, command: publication.Publish, request: Request, principal: Verifier
) -> ClarificationView:
    item = await publication.publish(factcheck(request), principal, case_id, command)
    return ClarificationView.of(item)


@router.post(
    "/clarifications/{clarification_id}/corrections",
    response_model=ClarificationView,
    summary="Correct a clarification (logged and announced)",
)
async def correct(
    clarification_id: UUID, command: publication.Correct, request: Request, principal: Verifier
) -> ClarificationView:
    item = await publication.correct(factcheck(request), principal, clarification_id, command)
    return ClarificationView.of(item)


@router.post(
    "/clarifications/{clarification_id}/retraction",
    response_model=ClarificationView,
    summary="Retract a clarification (logged and announced)",
)
async def retract(
    clarification_id: UUID, command: publication.Retract, request: Request, principal: Verifier
) -> ClarificationView:
    item = await publication.retract(factcheck(request), principal, clarification_id, command)
    return ClarificationView.of(item)


@router.post(
    "/cases/{case_id}/referrals",
    status_code=201,
    response_model=ReferralState,
    summary="Refer to a partner body with the evidence bundle",
)
async def refer(
    case_id: UUID, command: referrals.Refer, request: Request, principal: Verifier
) -> ReferralState:
    return (await referrals.refer(factcheck(request), principal, case_id, command)).state()


@router.get("/referrals", response_model=list[ReferralState], summary="Referrals in your scope")
async def list_referrals(
    request: Request, principal: Verifier, overdue: bool = False
) -> list[ReferralState]:
    found = await referrals.list_referrals(factcheck(request), principal, overdue=overdue)
    return [r.state() for r in found]


@router.post(
    "/referrals/{referral_id}/response",
    response_model=ReferralState,
    summary="Record the partner body's response",
)
async def respond(
    referral_id: UUID, command: referrals.Respond, request: Request, principal: Verifier
) -> ReferralState:
    return (await referrals.respond(factcheck(request), principal, referral_id, command)).state()


@router.get("/referrals/{referral_id}/bundle", summary="The evidence bundle that was sent")
async def referral_bundle(
    referral_id: UUID, request: Request, principal: Verifier
) -> dict[str, Any]:
    return await referrals.evidence_bundle(factcheck(request), principal, referral_id)


@router.post(
    "/clarifications/{clarification_id}/campaigns",
    status_code=201,
    response_model=AmplificationState,
    summary="Ask registered accounts to share a clarification",
)
async def request_amplification(
    clarification_id: UUID,
    command: amplification.RequestAmplification,
    request: Request,
    principal: Verifier,
) -> AmplificationState:
    return await amplification.request_amplification(
        factcheck(request), principal, clarification_id, command
    )


@router.get(
    "/campaigns",
    response_model=amplification.CampaignPage,
    summary="Amplification campaigns, newest first, of one case or of all, with their progress",
)
async def list_campaigns(
    request: Request,
    principal: Verifier,
    case_id: Annotated[UUID | None, Query(description="Only this case's campaigns")] = None,
    cursor: Annotated[UUID | None, Query(description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> amplification.CampaignPage:
    return await amplification.campaigns_page(
        factcheck(request), principal, case_id=case_id, cursor=cursor, limit=limit
    )


@router.get(
    "/campaigns/{campaign_id}/progress",
    response_model=amplification.Progress,
    summary="Share progress per segment",
)
async def campaign_progress(
    campaign_id: UUID, request: Request, principal: Verifier
) -> amplification.Progress:
    return await amplification.progress(factcheck(request), principal, campaign_id)


@router.post(
    "/imports/claimreview",
    response_model=imports.ImportResult,
    summary="Import other fact-checkers' ClaimReview JSON-LD",
)
async def import_claim_reviews(
    request: Request, principal: Verifier, document: Annotated[Any, Body()]
) -> imports.ImportResult:
    return await imports.import_claim_reviews(factcheck(request), principal, document)


@router.get("/stats", response_model=stats.Stats, summary="Reports, verdicts, recurring hoaxes")
async def get_stats(
    request: Request, principal: Verifier, days: Annotated[int, Query(ge=1, le=366)] = 30
) -> stats.Stats:
    return await stats.stats(factcheck(request), days)
