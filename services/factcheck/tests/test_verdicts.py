"""Verdicts, public labels and the four-eyes rule."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from sinergi_factcheck.domain.evidence import Evidence, EvidenceKind, append
from sinergi_factcheck.domain.verdicts import (
    FourEyesError,
    InvalidVerdictError,
    Verdict,
    default_label,
)
from sinergi_kit.contracts.factcheck import CaseFlags

T0 = datetime(2024, 2, 1, 8, 0, tzinfo=UTC)
KPU, BAWASLU = uuid4(), uuid4()
CASE = uuid4()


def evidence(*kinds: tuple[EvidenceKind, bool]) -> list[Evidence]:
    chain: list[Evidence] = []
    for kind, official in kinds:
        chain.append(
            append(
                chain,
                evidence_id=uuid4(),
                case_id=CASE,
                kind=kind,
                official=official,
                source="KPU Kabupaten Jombang",
                url="https://kab-jombang.kpu.go.id/",
                archived_sha256=None,
                note="",
                added_by="v1",
                added_at=T0,
            )
        )
    return chain


def verdict(election: bool = False, org: UUID | None = KPU) -> Verdict:
    return Verdict.draft(
        CASE, "salah", "konten_palsu", CaseFlags(election=election), "author", org, T0
    )


OFFICIAL = evidence(("official_statement", False))


def test_a_different_approver_with_official_evidence_approves() -> None:
    approved = verdict().approve("approver", KPU, OFFICIAL, T0)
    assert approved.state().approver == "approver"
    assert approved.label == "DISINFORMASI"


@pytest.mark.parametrize(
    ("approver", "approver_org", "items", "election", "code"),
    [
        ("author", BAWASLU, OFFICIAL, False, "approver_is_author"),
        (
            "approver",
            KPU,
            evidence(("expert", False), ("data", False)),
            False,
            "no_official_evidence",
        ),
        ("approver", KPU, [], False, "no_official_evidence"),
        ("approver", KPU, OFFICIAL, True, "election_same_organization"),
    ],
)
def test_four_eyes_refusals(
    approver: str, approver_org: UUID, items: list[Evidence], election: bool, code: str
) -> None:
    with pytest.raises(FourEyesError) as refused:
        verdict(election).approve(approver, approver_org, items, T0)
    assert refused.value.code == code


def test_election_case_needs_another_organisation() -> None:
    assert verdict(True).approve("approver", BAWASLU, OFFICIAL, T0).approved_at == T0
    # KKD staff carry no organisation: two of them are one organisation.
    with pytest.raises(FourEyesError):
        verdict(True, org=None).approve("approver", None, OFFICIAL, T0)
    assert verdict(True, org=None).approve("approver", KPU, OFFICIAL, T0).approver == "approver"


def test_a_document_marked_official_counts_as_official_evidence() -> None:
    items = evidence(("document", True))
    assert verdict().approve("approver", KPU, items, T0).approver == "approver"


def test_labels_follow_the_rating_and_type() -> None:
    assert default_label("benar", None) == "FAKTA"
    assert default_label("salah", None) == "HOAKS"
    assert default_label("salah", "konteks_keliru") == "MISINFORMASI"
    assert default_label("menyesatkan", "konten_yang_dimanipulasi") == "DISINFORMASI"
    assert default_label("sebagian_benar", None) == "KLARIFIKASI"
    assert default_label("penipuan", "konten_tiruan") == "HOAKS"


def test_labels_and_types_that_contradict_the_rating_are_refused() -> None:
    with pytest.raises(InvalidVerdictError):
        Verdict.draft(CASE, "benar", None, CaseFlags(), "a", None, T0, label="HOAKS")
    with pytest.raises(InvalidVerdictError):
        Verdict.draft(CASE, "benar", "konten_palsu", CaseFlags(), "a", None, T0)
    chosen = Verdict.draft(CASE, "salah", None, CaseFlags(), "a", None, T0, label="KLARIFIKASI")
    assert chosen.label == "KLARIFIKASI"
