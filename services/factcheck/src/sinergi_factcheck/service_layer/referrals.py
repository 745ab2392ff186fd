"""Referring a case to a partner body with its evidence bundle; tracking the answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field
from sqlalchemy import select

from sinergi_factcheck.adapters.repository import (
    EvidenceChain,
    Referrals,
    record_audit,
    referral_from_row,
)
from sinergi_factcheck.adapters.tables import referrals
from sinergi_factcheck.domain.evidence import bundle_digest, export_bundle
from sinergi_factcheck.domain.referrals import RESPONSE_TIME, Referral, ReferralStatusError
from sinergi_factcheck.service_layer.context import Factcheck, domain_errors
from sinergi_factcheck.service_layer.workflow import load_case
from sinergi_kit.auth import Principal
from sinergi_kit.clock import as_utc, utcnow
from sinergi_kit.contracts.factcheck import ReferralPartner, ReferralSentV1
from sinergi_kit.http.problems import ProblemError
from sinergi_kit.ids import new_id


class Refer(BaseModel):
    partner: ReferralPartner
    organization_id: UUID | None = Field(default=None, description="The partner in the registry")
    reason: str = Field(min_length=5, max_length=2_000)
    deadline: datetime | None = Field(default=None, description="Default: by partner")


class Respond(BaseModel):
    response: str = Field(min_length=2, max_length=10_000)


async def refer(fc: Factcheck, principal: Principal, case_id: UUID, command: Refer) -> Referral:
    now = utcnow()
    with domain_errors():
        async with fc.uow() as uow:
            case = await load_case(uow, fc, principal, case_id)
            bundle = export_bundle(case.id, await EvidenceChain(uow.session).of(case.id), now)
            referral = Referral(
                id=new_id(),
                case_id=case.id,
                partner=command.partner,
                organization_id=command.organization_id,
                reason=command.reason,
                deadline=as_utc(command.deadline)
                if command.deadline
                else now + RESPONSE_TIME[command.partner],
                evidence_bundle_sha256=bundle_digest(bundle),
                sent_by=principal.subject,
                sent_at=now,
            )
            await Referrals(uow.session).add(referral, bundle)
            await record_audit(
                uow.session,
                case.id,
                principal.subject,
                "referred",
                now,
                referral_id=str(referral.id),
                partner=referral.partner,
            )
            uow.emit(ReferralSentV1(referral=referral.state()))
    return referral


async def _load(fc: Factcheck, principal: Principal, referral_id: UUID) -> Referral:
    async with fc.db.read() as session:
        referral = await Referrals(session).get(referral_id)
    if referral is None or not (
        fc.full_scope(principal) or principal.organization_id == referral.organization_id
    ):
        raise ProblemError(404, "referral_not_found", detail_key="factcheck.referral_not_found")
    return referral


async def respond(
    fc: Factcheck, principal: Principal, referral_id: UUID, command: Respond
) -> Referral:
    """The partner body's answer (its own verifiers, or KKD recording it for them)."""
    referral = await _load(fc, principal, referral_id)
    now = utcnow()
    try:
        referral = referral.respond(command.response, now)
    except ReferralStatusError as exc:
        raise ProblemError(
            409, "referral_answered", detail_key="factcheck.referral_answered"
        ) from exc
    with domain_errors():
        async with fc.uow() as uow:
            await Referrals(uow.session).save(referral)
            await record_audit(
                uow.session,
                referral.case_id,
                principal.subject,
                "referral_answered",
                now,
                referral_id=str(referral.id),
            )
    return referral


async def evidence_bundle(fc: Factcheck, principal: Principal, referral_id: UUID) -> dict[str, Any]:
    referral = await _load(fc, principal, referral_id)
    async with fc.db.read() as session:
        bundle: dict[str, Any] = (
            await session.execute(
                select(referrals.c.evidence_bundle).where(referrals.c.id == referral.id)
            )
        ).scalar_one()
    return bundle


async def list_referrals(fc: Factcheck, principal: Principal, *, overdue: bool) -> list[Referral]:
    statement = select(referrals).order_by(referrals.c.deadline).limit(500)
    if not fc.full_scope(principal):
        statement = statement.where(referrals.c.organization_id == principal.organization_id)
    if overdue:
        statement = statement.where(referrals.c.status == "sent", referrals.c.deadline < utcnow())
    async with fc.db.read() as session:
        return [referral_from_row(row) for row in (await session.execute(statement)).all()]
