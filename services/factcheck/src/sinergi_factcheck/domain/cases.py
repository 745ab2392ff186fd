"""A case: one claim under check, the aggregate reports are grouped into. Only legal
transitions are possible; each returns the next state with its version bumped."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sinergi_kit.contracts.factcheck import (
    CaseFlags,
    CaseState,
    CaseStatus,
    RejectionReason,
    Urgency,
)

TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    "received": frozenset({"triage", "rejected", "merged"}),
    "triage": frozenset({"investigating", "rejected", "merged"}),
    "investigating": frozenset({"investigating", "in_review", "merged"}),
    "in_review": frozenset({"investigating", "approved"}),
    "approved": frozenset({"published"}),
    "published": frozenset({"corrected", "retracted"}),
    "corrected": frozenset({"corrected", "retracted"}),
    "rejected": frozenset({"triage"}),
    "retracted": frozenset(),
    "merged": frozenset(),
}
"""Every legal step. ``investigating → investigating`` is a reassignment; ``rejected → triage``
reopens a case rejected by mistake; ``in_review → investigating`` sends a draft back."""

OPEN_STATUSES: frozenset[CaseStatus] = frozenset(
    {"received", "triage", "investigating", "in_review", "approved"}
)
"""A case in one of these still owes the public an answer, so its time limit runs."""

ANSWERED_STATUSES: frozenset[CaseStatus] = frozenset({"published", "corrected"})

TIME_LIMITS: dict[Urgency, timedelta] = {
    "critical": timedelta(hours=6),
    "high": timedelta(hours=24),
    "normal": timedelta(hours=72),
    "low": timedelta(days=7),
}
ELECTION_TIME_LIMITS: dict[Urgency, timedelta] = {
    "critical": timedelta(hours=3),
    "high": timedelta(hours=12),
    "normal": timedelta(hours=24),
    "low": timedelta(hours=48),
}
"""Election hoaxes spread on a calendar (campaign, quiet days, voting day): answered faster."""


def time_limit(urgency: Urgency, flags: CaseFlags) -> timedelta:
    return (ELECTION_TIME_LIMITS if flags.election else TIME_LIMITS)[urgency]


class IllegalTransitionError(ValueError):
    def __init__(self, current: CaseStatus, wanted: CaseStatus) -> None:
        super().__init__(f"a case in {current!r} cannot become {wanted!r}")
        self.current = current
        self.wanted = wanted


@dataclass(frozen=True)
class Case:
    id: UUID
    status: CaseStatus
    claim: str
    urgency: Urgency
    flags: CaseFlags
    opened_at: datetime
    updated_at: datetime
    due_at: datetime | None
    version: int = 1
    urls: tuple[str, ...] = field(default_factory=tuple)
    report_count: int = 0
    assignee: str | None = None
    organization_id: UUID | None = None
    rejection_reason: RejectionReason | None = None
    merged_into: UUID | None = None

    @classmethod
    def open(
        cls,
        case_id: UUID,
        claim: str,
        urls: tuple[str, ...],
        now: datetime,
        *,
        urgency: Urgency = "normal",
        flags: CaseFlags | None = None,
    ) -> Case:
        flags = flags or CaseFlags()
        return cls(
            id=case_id,
            status="received",
            claim=claim,
            urls=urls,
            urgency=urgency,
            flags=flags,
            opened_at=now,
            updated_at=now,
            due_at=now + time_limit(urgency, flags),
            report_count=1,
        )

    def _to(self, status: CaseStatus, now: datetime, **changes: Any) -> Case:
        if status not in TRANSITIONS[self.status]:
            raise IllegalTransitionError(self.status, status)
        return replace(self, status=status, updated_at=now, version=self.version + 1, **changes)

    def triage(self, urgency: Urgency, flags: CaseFlags, now: datetime) -> Case:
        """Sets urgency and flags; the deadline counts from when the case was opened."""
        return self._to(
            "triage",
            now,
            urgency=urgency,
            flags=flags,
            due_at=self.opened_at + time_limit(urgency, flags),
            rejection_reason=None,
        )

    def reject(self, reason: RejectionReason, now: datetime) -> Case:
        return self._to("rejected", now, rejection_reason=reason)

    def assign(self, assignee: str, organization_id: UUID | None, now: datetime) -> Case:
        return self._to("investigating", now, assignee=assignee, organization_id=organization_id)

    def submit_for_review(self, now: datetime) -> Case:
        return self._to("in_review", now)

    def send_back(self, now: datetime) -> Case:
        if self.status != "in_review":
            raise IllegalTransitionError(self.status, "investigating")
        return self._to("investigating", now)

    def approve(self, now: datetime) -> Case:
        return self._to("approved", now)

    def publish(self, now: datetime) -> Case:
        return self._to("published", now)

    def correct(self, now: datetime) -> Case:
        return self._to("corrected", now)

    def retract(self, now: datetime) -> Case:
        return self._to("retracted", now)

    def merge_into(self, target: Case, now: datetime) -> tuple[Case, Case]:
        """This case (a duplicate) joins ``target``; the target takes its reports and URLs."""
        if target.id == self.id or target.status == "merged":
            raise IllegalTransitionError(self.status, "merged")
        merged = self._to("merged", now, merged_into=target.id, report_count=0)
        urls = target.urls + tuple(u for u in self.urls if u not in target.urls)
        grown = replace(
            target,
            urls=urls,
            report_count=target.report_count + self.report_count,
            updated_at=now,
            version=target.version + 1,
        )
        return merged, grown

    def add_report(self, urls: tuple[str, ...], now: datetime) -> Case:
        """Another report of the same claim: not a status change, but the state moved."""
        return replace(
            self,
            urls=self.urls + tuple(u for u in urls if u not in self.urls),
            report_count=self.report_count + 1,
            updated_at=now,
            version=self.version + 1,
        )

    def is_overdue(self, now: datetime) -> bool:
        return self.status in OPEN_STATUSES and self.due_at is not None and now > self.due_at

    def state(self) -> CaseState:
        return CaseState(
            id=self.id,
            version=self.version,
            status=self.status,
            claim=self.claim,
            urls=list(self.urls),
            urgency=self.urgency,
            flags=self.flags,
            report_count=self.report_count,
            assignee=self.assignee,
            organization_id=self.organization_id,
            rejection_reason=self.rejection_reason,
            merged_into=self.merged_into,
            due_at=self.due_at,
            opened_at=self.opened_at,
            updated_at=self.updated_at,
        )
