"""Verdicts: rating, hoax type, flags and the public label; the four-eyes rule."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from sinergi_factcheck.domain.evidence import Evidence
from sinergi_kit.contracts.factcheck import (
    CaseFlags,
    HoaxType,
    PublicLabel,
    Rating,
    VerdictState,
)

RATING_NAMES: dict[Rating, str] = {
    "salah": "Salah",
    "menyesatkan": "Menyesatkan",
    "tidak_terbukti": "Tidak Terbukti",
    "sebagian_benar": "Sebagian Benar",
    "benar": "Benar",
    "penipuan": "Penipuan",
}
RATING_VALUES: dict[Rating, int] = {
    "salah": 1,
    "penipuan": 1,
    "menyesatkan": 2,
    "tidak_terbukti": 3,
    "sebagian_benar": 4,
    "benar": 5,
}
"""The five-step scale as numbers for ClaimReview; a scam is as false as it gets."""
BEST_RATING, WORST_RATING = 5, 1

HOAX_TYPE_NAMES: dict[HoaxType, str] = {
    "satire_parodi": "Satire/Parodi",
    "konten_menyesatkan": "Konten Menyesatkan",
    "konten_tiruan": "Konten Tiruan",
    "konten_palsu": "Konten Palsu",
    "koneksi_yang_salah": "Koneksi yang Salah",
    "konteks_keliru": "Konteks Keliru",
    "konten_yang_dimanipulasi": "Konten yang Dimanipulasi",
}

_FABRICATED: frozenset[HoaxType] = frozenset(
    {"konten_palsu", "konten_tiruan", "konten_yang_dimanipulasi"}
)
"""Made up on purpose: disinformation rather than misinformation."""

_FALSE_RATINGS: frozenset[Rating] = frozenset({"salah", "menyesatkan", "penipuan"})


def allowed_labels(rating: Rating) -> frozenset[PublicLabel]:
    if rating == "benar":
        return frozenset({"FAKTA"})
    if rating in ("sebagian_benar", "tidak_terbukti"):
        return frozenset({"KLARIFIKASI", "MISINFORMASI"})
    if rating == "penipuan":
        return frozenset({"HOAKS"})
    return frozenset({"HOAKS", "DISINFORMASI", "MISINFORMASI", "KLARIFIKASI"})


def default_label(rating: Rating, hoax_type: HoaxType | None) -> PublicLabel:
    if rating == "benar":
        return "FAKTA"
    if rating in ("sebagian_benar", "tidak_terbukti"):
        return "KLARIFIKASI"
    if rating == "penipuan" or hoax_type is None:
        return "HOAKS"
    return "DISINFORMASI" if hoax_type in _FABRICATED else "MISINFORMASI"


class InvalidVerdictError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class FourEyesError(ValueError):
    """``code`` names the rule broken: approver_is_author, no_official_evidence,
    election_same_organization."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Verdict:
    case_id: UUID
    rating: Rating
    hoax_type: HoaxType | None
    label: PublicLabel
    flags: CaseFlags
    author: str
    author_organization_id: UUID | None
    drafted_at: datetime
    approver: str | None = None
    approver_organization_id: UUID | None = None
    approved_at: datetime | None = None

    @classmethod
    def draft(
        cls,
        case_id: UUID,
        rating: Rating,
        hoax_type: HoaxType | None,
        flags: CaseFlags,
        author: str,
        author_organization_id: UUID | None,
        now: datetime,
        label: PublicLabel | None = None,
    ) -> Verdict:
        if hoax_type is not None and rating not in _FALSE_RATINGS:
            raise InvalidVerdictError("hoax_type_needs_false_rating")
        chosen = label or default_label(rating, hoax_type)
        if chosen not in allowed_labels(rating):
            raise InvalidVerdictError("label_does_not_fit_rating")
        return cls(case_id, rating, hoax_type, chosen, flags, author, author_organization_id, now)

    def approve(
        self,
        approver: str,
        approver_organization_id: UUID | None,
        evidence: Sequence[Evidence],
        now: datetime,
    ) -> Verdict:
        check_four_eyes(self, approver, approver_organization_id, evidence)
        return replace(
            self,
            approver=approver,
            approver_organization_id=approver_organization_id,
            approved_at=now,
        )

    def state(self) -> VerdictState:
        assert self.approver is not None and self.approved_at is not None, "not approved"
        return VerdictState(
            rating=self.rating,
            hoax_type=self.hoax_type,
            label=self.label,
            flags=self.flags,
            author=self.author,
            author_organization_id=self.author_organization_id,
            approver=self.approver,
            approver_organization_id=self.approver_organization_id,
            approved_at=self.approved_at,
        )


def check_four_eyes(
    verdict: Verdict,
    approver: str,
    approver_organization_id: UUID | None,
    evidence: Sequence[Evidence],
) -> None:
    """The approver is not the author; at least one item of evidence comes from an official
    source; an election case is approved by a verifier of another organisation (KKD's own
    staff, who carry no organisation, count as one organisation)."""
    if approver == verdict.author:
        raise FourEyesError("approver_is_author")
    if not any(item.official for item in evidence):
        raise FourEyesError("no_official_evidence")
    if verdict.flags.election and approver_organization_id == verdict.author_organization_id:
        raise FourEyesError("election_same_organization")
