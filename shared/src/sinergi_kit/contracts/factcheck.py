"""Events the factcheck service publishes. Events about an aggregate carry its full state.

A reporter's contact travels only in ``report.received`` and only when the reporter consented
to be told the verdict: notify keeps it to answer them, nobody else needs it. Later events
name reports by id, so notify can find whom to tell.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from sinergi_kit.contracts.base import EventContract

CaseStatus = Literal[
    "received",
    "triage",
    "rejected",
    "investigating",
    "in_review",
    "approved",
    "published",
    "corrected",
    "retracted",
    "merged",
]
RejectionReason = Literal["spam", "out_of_scope", "opinion", "not_checkable"]
Urgency = Literal["low", "normal", "high", "critical"]
Rating = Literal["salah", "menyesatkan", "tidak_terbukti", "sebagian_benar", "benar", "penipuan"]
"""Salah, Menyesatkan, Tidak Terbukti, Sebagian Benar, Benar — and Penipuan for scams."""
HoaxType = Literal[
    "satire_parodi",
    "konten_menyesatkan",
    "konten_tiruan",
    "konten_palsu",
    "koneksi_yang_salah",
    "konteks_keliru",
    "konten_yang_dimanipulasi",
]
PublicLabel = Literal["HOAKS", "DISINFORMASI", "MISINFORMASI", "FAKTA", "KLARIFIKASI"]
ReportChannel = Literal["public", "partner", "import"]
MatchKind = Literal["new", "suggested", "merged", "answered"]
ContactChannel = Literal["email", "whatsapp", "sms"]
ClarificationStatus = Literal["published", "corrected", "retracted"]
ReferralPartner = Literal["bawaslu", "kpu", "police", "platform", "other"]
ReferralStatus = Literal["sent", "responded", "closed"]

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class CaseFlags(BaseModel):
    model_config = _FROZEN

    election: bool = False
    hate_speech: bool = False
    potentially_criminal: bool = False


class ReporterContact(BaseModel):
    """Where to tell a reporter the verdict; present only with the reporter's consent."""

    model_config = _FROZEN

    channel: ContactChannel
    address: str = Field(min_length=3, max_length=200)
    locale: Literal["id", "en"] = "id"


class ReportState(BaseModel):
    model_config = _FROZEN

    id: UUID
    case_id: UUID
    channel: ReportChannel
    text: str = Field(max_length=5_000)
    urls: list[str] = Field(default_factory=list)
    image_sha256: list[str] = Field(default_factory=list)
    match: MatchKind
    match_score: float | None = Field(default=None, ge=0, le=100)
    suggested_case_id: UUID | None = None
    clarification_id: UUID | None = Field(
        default=None, description="Set when the report matched a published clarification."
    )
    received_at: datetime


class CaseState(BaseModel):
    """A claim under check, the aggregate reports are grouped into, at ``version``."""

    model_config = _FROZEN

    id: UUID
    version: int = Field(ge=1)
    status: CaseStatus
    claim: str = Field(max_length=5_000)
    urls: list[str] = Field(default_factory=list)
    urgency: Urgency
    flags: CaseFlags
    report_count: int = Field(ge=0)
    assignee: str | None = None
    organization_id: UUID | None = None
    rejection_reason: RejectionReason | None = None
    merged_into: UUID | None = None
    due_at: datetime | None = None
    opened_at: datetime
    updated_at: datetime


class VerdictState(BaseModel):
    model_config = _FROZEN

    rating: Rating
    hoax_type: HoaxType | None = None
    label: PublicLabel
    flags: CaseFlags
    author: str
    author_organization_id: UUID | None = None
    approver: str
    approver_organization_id: UUID | None = None
    approved_at: datetime


class ClarificationState(BaseModel):
    model_config = _FROZEN

    id: UUID
    case_id: UUID
    version: int = Field(ge=1)
    status: ClarificationStatus
    label: PublicLabel
    rating: Rating
    title_id: str
    title_en: str
    summary_id: str
    summary_en: str
    url: str
    report_ids: list[UUID] = Field(
        default_factory=list, description="Every report grouped under the case."
    )
    claim_review: dict[str, Any] = Field(description="schema.org ClaimReview JSON-LD")
    published_at: datetime
    updated_at: datetime


class ReferralState(BaseModel):
    model_config = _FROZEN

    id: UUID
    case_id: UUID
    version: int = Field(ge=1)
    partner: ReferralPartner
    organization_id: UUID | None = None
    reason: str
    status: ReferralStatus
    deadline: datetime
    evidence_bundle_sha256: str
    sent_at: datetime
    responded_at: datetime | None = None


class ShareTask(BaseModel):
    model_config = _FROZEN

    id: UUID
    account_id: UUID
    segment: str = Field(description="The segment's name, or the label given with account ids")
    segment_id: UUID | None = Field(
        default=None, description="The registry segment the account was chosen from, if any"
    )
    confirm_url: str = Field(description="Token link the account manager confirms with.")


class AmplificationState(BaseModel):
    model_config = _FROZEN

    id: UUID
    clarification_id: UUID
    case_id: UUID
    title: str
    clarification_url: str
    share_kit: dict[str, str] = Field(description="Suggested post text per platform")
    deadline: datetime
    tasks: list[ShareTask]
    requested_at: datetime


class ReportReceivedV1(EventContract):
    event_type: ClassVar[str] = "sinergi.factcheck.report.received.v1"
    summary: ClassVar[str] = "A hoax report arrived and was grouped into a case."

    report: ReportState
    reporter_contact: ReporterContact | None = Field(
        default=None, description="Only when the reporter consented to be answered."
    )

    def subject_id(self) -> str:
        return str(self.report.id)


class CaseOpenedV1(EventContract):
    event_type: ClassVar[str] = "sinergi.factcheck.case.opened.v1"
    summary: ClassVar[str] = "A new case (a claim to check) was opened."

    case: CaseState

    def subject_id(self) -> str:
        return str(self.case.id)


class CaseMergedV1(EventContract):
    event_type: ClassVar[str] = "sinergi.factcheck.case.merged.v1"
    summary: ClassVar[str] = "A duplicate case was merged into another; its reports moved."

    case: CaseState = Field(description="The duplicate, now with status merged")
    into: CaseState = Field(description="The case that absorbed it")
    report_ids: list[UUID] = Field(description="The reports that moved")

    def subject_id(self) -> str:
        return str(self.case.id)


class CaseAssignedV1(EventContract):
    event_type: ClassVar[str] = "sinergi.factcheck.case.assigned.v1"
    summary: ClassVar[str] = "A case was assigned to a verifier and organisation."

    case: CaseState

    def subject_id(self) -> str:
        return str(self.case.id)


class CaseOverdueV1(EventContract):
    event_type: ClassVar[str] = "sinergi.factcheck.case.overdue.v1"
    summary: ClassVar[str] = (
        "An open case passed the time limit for its urgency (sent once per deadline)."
    )

    case: CaseState = Field(description="The case as it stood when the check found it late")
    time_limit_hours: float = Field(
        gt=0, description="The limit for its urgency (shorter for election cases)"
    )
    detected_at: datetime

    def subject_id(self) -> str:
        return str(self.case.id)


class VerdictApprovedV1(EventContract):
    event_type: ClassVar[str] = "sinergi.factcheck.verdict.approved.v1"
    summary: ClassVar[str] = "A verdict passed the four-eyes approval."

    case: CaseState
    verdict: VerdictState

    def subject_id(self) -> str:
        return str(self.case.id)


class ClarificationPublishedV1(EventContract):
    event_type: ClassVar[str] = "sinergi.factcheck.clarification.published.v1"
    summary: ClassVar[str] = "A clarification was published with its ClaimReview."

    clarification: ClarificationState

    def subject_id(self) -> str:
        return str(self.clarification.id)


class ClarificationCorrectedV1(EventContract):
    event_type: ClassVar[str] = "sinergi.factcheck.clarification.corrected.v1"
    summary: ClassVar[str] = "A published clarification was corrected; announce it again."

    clarification: ClarificationState
    note_id: str
    note_en: str

    def subject_id(self) -> str:
        return str(self.clarification.id)


class ClarificationRetractedV1(EventContract):
    event_type: ClassVar[str] = "sinergi.factcheck.clarification.retracted.v1"
    summary: ClassVar[str] = "A published clarification was retracted; announce it again."

    clarification: ClarificationState
    reason_id: str
    reason_en: str

    def subject_id(self) -> str:
        return str(self.clarification.id)


class ReferralSentV1(EventContract):
    event_type: ClassVar[str] = "sinergi.factcheck.referral.sent.v1"
    summary: ClassVar[str] = "A case was referred to a partner body with an evidence bundle."

    referral: ReferralState

    def subject_id(self) -> str:
        return str(self.referral.id)


class AmplificationRequestedV1(EventContract):
    event_type: ClassVar[str] = "sinergi.factcheck.amplification.requested.v1"
    summary: ClassVar[str] = "Registered accounts are asked to share a clarification."

    campaign: AmplificationState

    def subject_id(self) -> str:
        return str(self.campaign.id)
