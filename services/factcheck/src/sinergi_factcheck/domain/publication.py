"""Clarifications: what the public reads, in Indonesian and English, with its ClaimReview;
corrected or retracted openly, never silently edited."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from sinergi_factcheck.domain.claimreview import shorten
from sinergi_kit.contracts.factcheck import (
    ClarificationState,
    ClarificationStatus,
    PublicLabel,
    Rating,
)


class ClarificationStatusError(ValueError):
    pass


@dataclass(frozen=True)
class Text:
    title_id: str
    title_en: str
    summary_id: str
    summary_en: str
    body_id: str
    body_en: str


@dataclass(frozen=True)
class Clarification:
    id: UUID
    case_id: UUID
    status: ClarificationStatus
    label: PublicLabel
    rating: Rating
    text: Text
    url: str
    claim_review: dict[str, Any]
    report_ids: tuple[UUID, ...]
    published_at: datetime
    updated_at: datetime
    version: int = 1

    def correct(self, text: Text, claim_review: dict[str, Any], now: datetime) -> Clarification:
        if self.status == "retracted":
            raise ClarificationStatusError("retracted")
        return replace(
            self,
            status="corrected",
            text=text,
            claim_review=claim_review,
            updated_at=now,
            version=self.version + 1,
        )

    def retract(self, now: datetime) -> Clarification:
        if self.status == "retracted":
            raise ClarificationStatusError("retracted")
        return replace(self, status="retracted", updated_at=now, version=self.version + 1)

    def state(self) -> ClarificationState:
        return ClarificationState(
            id=self.id,
            case_id=self.case_id,
            version=self.version,
            status=self.status,
            label=self.label,
            rating=self.rating,
            title_id=self.text.title_id,
            title_en=self.text.title_en,
            summary_id=self.text.summary_id,
            summary_en=self.text.summary_en,
            url=self.url,
            report_ids=list(self.report_ids),
            claim_review=self.claim_review,
            published_at=self.published_at,
            updated_at=self.updated_at,
        )


HASHTAGS = "#CekFakta #JombangLawanHoaks"


def share_kit(label: PublicLabel, title: str, summary: str, url: str) -> dict[str, str]:
    """Suggested post text per platform: the label first, the link where it is clickable."""
    headline = f"[{label}] {title}"
    return {
        "x": f"{shorten(headline, 200)}\n{url}\n{HASHTAGS}",
        "facebook": f"{headline}\n\n{summary}\n\nSelengkapnya: {url}\n{HASHTAGS}",
        "instagram": f"{headline}\n\n{summary}\n\nTautan di bio.\n{HASHTAGS}",
        "tiktok": f"{shorten(headline, 150)} — tautan di bio. {HASHTAGS}",
        "whatsapp": f"*{headline}*\n\n{summary}\n\n{url}",
    }
