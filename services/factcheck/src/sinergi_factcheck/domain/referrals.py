"""Referrals to partner bodies: Bawaslu or KPU for election rules, the police for crimes,
the platform for a takedown; each with an evidence bundle, a deadline and the response."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID

from sinergi_kit.contracts.factcheck import ReferralPartner, ReferralState, ReferralStatus

RESPONSE_TIME: dict[ReferralPartner, timedelta] = {
    "bawaslu": timedelta(hours=24),
    "kpu": timedelta(hours=24),
    "police": timedelta(hours=72),
    "platform": timedelta(hours=48),
    "other": timedelta(days=7),
}


class ReferralStatusError(ValueError):
    pass


@dataclass(frozen=True)
class Referral:
    id: UUID
    case_id: UUID
    partner: ReferralPartner
    organization_id: UUID | None
    reason: str
    deadline: datetime
    evidence_bundle_sha256: str
    sent_by: str
    sent_at: datetime
    status: ReferralStatus = "sent"
    response: str | None = None
    responded_at: datetime | None = None
    version: int = 1

    def respond(self, response: str, now: datetime) -> Referral:
        if self.status != "sent":
            raise ReferralStatusError(self.status)
        return replace(
            self, status="responded", response=response, responded_at=now, version=self.version + 1
        )

    def is_overdue(self, now: datetime) -> bool:
        return self.status == "sent" and now > self.deadline

    def state(self) -> ReferralState:
        return ReferralState(
            id=self.id,
            case_id=self.case_id,
            version=self.version,
            partner=self.partner,
            organization_id=self.organization_id,
            reason=self.reason,
            status=self.status,
            deadline=self.deadline,
            evidence_bundle_sha256=self.evidence_bundle_sha256,
            sent_at=self.sent_at,
            responded_at=self.responded_at,
        )
