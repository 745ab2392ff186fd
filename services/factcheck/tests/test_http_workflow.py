"""The fact-check exchange over HTTP, on SQLite and PostgreSQL: intake, workflow, four-eyes
approval, publication with ClaimReview, instant answers, corrections, retractions."""

from __future__ import annotations

from typing import Any
from uuid import UUID
from xml.etree import ElementTree

from sinergi_factcheck.domain.claimreview import missing_fields
from sinergi_kit.auth import Principal, Role

from .support import BAWASLU, KPU, Api

CLAIM = (
    "KPU akan menghapus data pemilih yang tidak mencoblos pada Pemilu 2024 dari DPT selamanya, "
    "sebarkan ke semua grup keluarga"
)
KKD = "kkd-sari"
PUBLISH = {
    "title_id": "KPU tidak menghapus pemilih yang tidak mencoblos",
    "title_en": "KPU does not remove voters who did not vote",
    "summary_id": "Pemilih yang tidak mencoblos tetap terdaftar di DPT berikutnya.",
    "summary_en": "Voters who did not vote stay on the next voter list.",
    "body_id": "KPU Kabupaten Jombang menegaskan tidak ada penghapusan data pemilih.",
    "body_en": "The KPU of Jombang Regency confirmed no voter data is removed.",
}


def report(api: Api, text: str, **extra: Any) -> dict[str, Any]:
    response = api.client.post("/reports", json={"text": text, **extra})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def case_of(api: Api, report_id: str) -> UUID:
    cases = api.client.get("/cases", headers=api.as_(KKD)).json()
    for summary in cases:
        detail = api.client.get(f"/cases/{summary['case']['id']}", headers=api.as_(KKD)).json()
        if any(r["id"] == report_id for r in detail["reports"]):
            return UUID(summary["case"]["id"])
    raise AssertionError("report not found in any case")


def to_review(api: Api, case_id: UUID, *, election: bool, author_org: UUID | None) -> None:
    kkd = api.as_(KKD)
    flags = {"election": election}
    assert (
        api.client.post(
            f"/cases/{case_id}/triage", json={"urgency": "high", "flags": flags}, headers=kkd
        ).status_code
        == 200
    )
    assigned = api.client.post(
        f"/cases/{case_id}/assign",
        json={"assignee": "author", "organization_id": str(author_org) if author_org else None},
        headers=kkd,
    )
    assert assigned.json()["status"] == "investigating"
    author = api.as_("author", author_org)
    evidence = api.client.post(
        f"/cases/{case_id}/evidence",
        json={
            "kind": "official_statement",
            "source": "KPU Kabupaten Jombang",
            "url": "https://kab-jombang.kpu.go.id/berita/1",
            "archived_sha256": "ab" * 32,
        },
        headers=author,
    )
    assert evidence.status_code == 201 and evidence.json()["official"] is True
    drafted = api.client.post(
        f"/cases/{case_id}/verdict",
        json={"rating": "salah", "hoax_type": "konten_palsu"},
        headers=author,
    )
    assert drafted.json()["label"] == "DISINFORMASI", drafted.text


def test_from_report_to_published_clarification_and_instant_answer(api: Api) -> None:
    first = report(api, CLAIM, urls=["https://twitter.com/akun/status/99?s=20"])
    assert first["status"] == "received"
    case_id = case_of(api, first["report_id"])
    to_review(api, case_id, election=False, author_org=KPU)

    refused = api.client.post(f"/cases/{case_id}/approve", headers=api.as_("author", KPU))
    assert refused.status_code == 409
    assert refused.json()["code"] == "four_eyes_approver_is_author"
    publish_early = api.client.post(f"/cases/{case_id}/publish", json=PUBLISH, headers=api.as_(KKD))
    assert publish_early.status_code == 409
    assert publish_early.json()["code"] == "illegal_transition"

    approved = api.client.post(f"/cases/{case_id}/approve", headers=api.as_(KKD))
    assert approved.status_code == 200, approved.text
    assert approved.json()["approver"] == KKD

    published = api.client.post(f"/cases/{case_id}/publish", json=PUBLISH, headers=api.as_(KKD))
    assert published.status_code == 201, published.text
    clarification = published.json()
    review = api.client.get(f"/clarifications/{clarification['id']}/claimreview")
    assert review.headers["content-type"].startswith("application/ld+json")
    document = review.json()
    assert missing_fields(document) == []
    assert document["itemReviewed"]["firstAppearance"]["url"] == "https://x.com/i/status/99"
    assert document["reviewRating"]["alternateName"] == "DISINFORMASI Salah"

    feed = api.client.get("/clarifications", params={"q": "pemilih"}).json()
    assert [item["id"] for item in feed] == [clarification["id"]]
    assert api.client.get("/clarifications", params={"q": "vaksin"}).json() == []
    atom = ElementTree.fromstring(api.client.get("/feed.atom").content)
    titles = [e.text for e in atom.iter("{http://www.w3.org/2005/Atom}title")]
    assert "[DISINFORMASI] KPU tidak menghapus pemilih yang tidak mencoblos" in titles

    again = report(api, "Info dr grup sebelah: " + CLAIM.upper() + " 🙏🙏")
    assert again["status"] == "answered"
    assert again["answer"]["label"] == "DISINFORMASI"
    assert again["answer"]["url"] == clarification["url"]

    corrected = api.client.post(
        f"/clarifications/{clarification['id']}/corrections",
        json={
            **PUBLISH,
            "summary_id": "Ringkasan yang diperbaiki, DPT tetap.",
            "note_id": "Ringkasan diperbaiki",
            "note_en": "Summary corrected",
        },
        headers=api.as_(KKD),
    )
    assert corrected.json()["status"] == "corrected" and corrected.json()["version"] == 2
    retracted = api.client.post(
        f"/clarifications/{clarification['id']}/retraction",
        json={"reason_id": "Sumber ternyata keliru", "reason_en": "The source was wrong"},
        headers=api.as_(KKD),
    )
    assert retracted.json()["status"] == "retracted"
    assert report(api, CLAIM)["status"] == "received"  # no answer from a retracted one

    detail = api.client.get(f"/cases/{case_id}", headers=api.as_(KKD)).json()
    assert detail["case"]["status"] == "retracted"
    assert [a["action"] for a in detail["audit"]][:3] == [
        "triaged",
        "assigned",
        "evidence_added",
    ]
    kinds = [kind for kind, _ in api.events()]
    assert kinds[:2] == ["case.opened", "report.received"]
    for expected in (
        "case.assigned",
        "verdict.approved",
        "clarification.published",
        "clarification.corrected",
        "clarification.retracted",
    ):
        assert expected in kinds
    published_event = next(d for k, d in api.events() if k == "clarification.published")
    assert len(published_event["clarification"]["report_ids"]) == 1


def test_four_eyes_for_election_cases_needs_another_organisation(api: Api) -> None:
    case_id = case_of(
        api, report(api, "Surat suara sudah dicoblos duluan di gudang KPU")["report_id"]
    )
    to_review(api, case_id, election=True, author_org=KPU)
    same_org = api.client.post(f"/cases/{case_id}/approve", headers=api.as_("kpu-2", KPU))
    assert same_org.status_code == 409
    assert same_org.json()["code"] == "four_eyes_election_same_organization"
    other = api.client.post(f"/cases/{case_id}/approve", headers=api.as_("bawaslu-1", BAWASLU))
    assert other.status_code == 200, other.text
    assert other.json()["approver_organization_id"] == str(BAWASLU)


def test_no_official_evidence_no_approval(api: Api) -> None:
    case_id = case_of(api, report(api, "Vaksin booster mengandung chip 5G")["report_id"])
    kkd = api.as_(KKD)
    api.client.post(f"/cases/{case_id}/triage", json={"urgency": "normal"}, headers=kkd)
    api.client.post(f"/cases/{case_id}/assign", json={"assignee": "author"}, headers=kkd)
    api.client.post(
        f"/cases/{case_id}/evidence",
        json={"kind": "expert", "source": "Dokter puskesmas"},
        headers=api.as_("author"),
    )
    api.client.post(
        f"/cases/{case_id}/verdict", json={"rating": "salah"}, headers=api.as_("author")
    )
    refused = api.client.post(f"/cases/{case_id}/approve", headers=kkd)
    assert refused.json()["code"] == "four_eyes_no_official_evidence"
    assert api.client.get(f"/cases/{case_id}", headers=kkd).json()["case"]["status"] == "in_review"


def test_partner_verifiers_see_only_their_organisations_cases(api: Api) -> None:
    mine = case_of(api, report(api, "Bansos PKH cair hari ini lewat link berikut")["report_id"])
    other = case_of(api, report(api, "Jembatan Ploso ambruk pagi ini")["report_id"])
    kkd = api.as_(KKD)
    api.client.post(f"/cases/{mine}/triage", json={"urgency": "low"}, headers=kkd)
    api.client.post(
        f"/cases/{mine}/assign",
        json={"assignee": "kpu-1", "organization_id": str(KPU)},
        headers=kkd,
    )
    kpu = api.as_("kpu-1", KPU)
    assert [c["case"]["id"] for c in api.client.get("/cases", headers=kpu).json()] == [str(mine)]
    assert api.client.get(f"/cases/{other}", headers=kpu).json()["code"] == "case_out_of_scope"
    triage = api.client.post(f"/cases/{other}/triage", json={"urgency": "low"}, headers=kpu)
    assert triage.status_code == 403 and triage.json()["code"] == "kkd_only"
    assert api.client.get("/cases").status_code == 401
    viewer = api.verifier.issue(Principal("v", frozenset({Role.VIEWER})))
    assert (
        api.client.get("/cases", headers={"Authorization": f"Bearer {viewer}"}).status_code == 403
    )


def test_illegal_transitions_and_rejection_over_http(api: Api) -> None:
    case_id = case_of(api, report(api, "Menurut saya bupati kurang ganteng")["report_id"])
    kkd = api.as_(KKD)
    assert api.client.post(f"/cases/{case_id}/approve", headers=kkd).json()["code"] == "no_verdict"
    rejected = api.client.post(f"/cases/{case_id}/reject", json={"reason": "opinion"}, headers=kkd)
    assert rejected.json()["rejection_reason"] == "opinion"
    again = api.client.post(
        f"/cases/{case_id}/assign", json={"assignee": "x"}, headers={**kkd, "Accept-Language": "en"}
    )
    assert again.status_code == 409
    assert again.json()["detail"] == "A case in 'rejected' cannot become 'investigating'."


def test_merge_moves_reports_and_is_announced(api: Api) -> None:
    a = case_of(api, report(api, "Beras plastik beredar di Pasar Legi Jombang")["report_id"])
    b = case_of(api, report(api, "Telur palsu dijual murah di Pasar Citra Niaga")["report_id"])
    kkd = api.as_(KKD)
    merged = api.client.post(f"/cases/{b}/merge", json={"into": str(a)}, headers=kkd)
    assert merged.status_code == 200 and merged.json()["report_count"] == 2
    assert (
        api.client.post(f"/cases/{a}/merge", json={"into": str(a)}, headers=kkd).status_code == 409
    )
    detail = api.client.get(f"/cases/{a}", headers=kkd).json()
    assert len(detail["reports"]) == 2
    event = next(d for k, d in api.events() if k == "case.merged")
    assert event["case"]["merged_into"] == str(a) and len(event["report_ids"]) == 1
    # a later copy of the duplicate's text lands in the surviving case
    later = report(api, "Telur palsu dijual murah di Pasar Citra Niaga")
    assert case_of(api, later["report_id"]) == a
