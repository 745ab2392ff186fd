"""Referrals, amplification, ClaimReview import and stats over HTTP, on both databases."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from sinergi_factcheck.domain.evidence import bundle_digest, verify_bundle

from .support import KPU, Api
from .test_http_workflow import KKD, PUBLISH, case_of, report, to_review


def published_case(
    api: Api, claim: str = "Pencoblosan Pemilu 2024 diundur ke bulan Juni"
) -> tuple[str, str]:
    case_id = case_of(api, report(api, claim)["report_id"])
    to_review(api, case_id, election=False, author_org=KPU)
    assert api.client.post(f"/cases/{case_id}/approve", headers=api.as_(KKD)).status_code == 200
    clarification = api.client.post(
        f"/cases/{case_id}/publish", json=PUBLISH, headers=api.as_(KKD)
    ).json()
    return str(case_id), clarification["id"]


def test_a_referral_carries_a_verifiable_bundle_and_tracks_the_response(api: Api) -> None:
    case_id = case_of(api, report(api, "Timses caleg bagi amplop di Mojoagung")["report_id"])
    to_review(api, case_id, election=True, author_org=None)
    sent = api.client.post(
        f"/cases/{case_id}/referrals",
        json={"partner": "bawaslu", "organization_id": str(KPU), "reason": "Dugaan politik uang"},
        headers=api.as_(KKD),
    )
    assert sent.status_code == 201, sent.text
    referral = sent.json()
    bundle = api.client.get(
        f"/referrals/{referral['id']}/bundle", headers=api.as_("kpu-1", KPU)
    ).json()
    verify_bundle(bundle)
    assert bundle_digest(bundle) == referral["evidence_bundle_sha256"]
    assert len(bundle["items"]) == 1
    stranger = api.as_("other", uuid4())
    assert (
        api.client.get(f"/referrals/{referral['id']}/bundle", headers=stranger).status_code == 404
    )
    answered = api.client.post(
        f"/referrals/{referral['id']}/response",
        json={"response": "Ditindaklanjuti Gakkumdu"},
        headers=api.as_("kpu-1", KPU),
    )
    assert answered.json()["status"] == "responded"
    again = api.client.post(
        f"/referrals/{referral['id']}/response", json={"response": "lagi"}, headers=api.as_(KKD)
    )
    assert again.status_code == 409
    assert api.client.get("/referrals?overdue=true", headers=api.as_(KKD)).json() == []
    assert any(k == "referral.sent" for k, _ in api.events())


def test_amplification_tasks_confirmed_through_token_links(api: Api) -> None:
    _, clarification_id = published_case(api)
    opd = [str(uuid4()) for _ in range(3)]
    influencers = [str(uuid4()) for _ in range(2)]
    requested = api.client.post(
        f"/clarifications/{clarification_id}/campaigns",
        json={
            "targets": [
                {"segment": "OPD", "account_ids": opd},
                {"segment": "Influencer", "account_ids": [*influencers, opd[0]]},
            ]
        },
        headers=api.as_(KKD),
    )
    assert requested.status_code == 201, requested.text
    campaign = requested.json()
    assert len(campaign["tasks"]) == 5  # an account in two segments is asked once
    assert set(campaign["share_kit"]) >= {"x", "facebook", "instagram", "whatsapp"}
    assert campaign["share_kit"]["x"].startswith("[DISINFORMASI]")
    link = campaign["tasks"][0]["confirm_url"]
    token = link.rsplit("/", 1)[1]
    seen = api.client.get(f"/share/{token}").json()
    assert seen["label"] == "DISINFORMASI" and seen["post_url"] is None
    confirmed = api.client.post(
        f"/share/{token}",
        json={"post_url": "https://www.instagram.com/p/Cx9/?igshid=abc"},
    )
    assert confirmed.json()["post_url"] == "https://instagram.com/p/Cx9"
    bad = api.client.post(f"/share/{token}", json={"post_url": "javascript:alert(1)"})
    assert bad.status_code == 422
    assert api.client.get("/share/not-a-token").status_code == 404
    progress = api.client.get(f"/campaigns/{campaign['id']}/progress", headers=api.as_(KKD)).json()
    by_segment = {s["segment"]: (s["tasks"], s["confirmed"]) for s in progress["segments"]}
    assert by_segment == {"OPD": (3, 1), "Influencer": (2, 0)}
    event: dict[str, Any] = next(d for k, d in api.events() if k == "amplification.requested")
    assert len(event["campaign"]["tasks"]) == 5


def test_share_confirmations_spend_their_links_rate_not_the_offices_reports(
    make_api: Any,
) -> None:
    """Account managers behind one office address each confirm through their own link; only a
    link confirming again and again is refused, and it is told so."""
    api: Api = make_api(
        intake_burst_per_client=3,
        intake_per_minute_per_client=1,
        share_confirmation_burst_per_link=2,
        share_confirmations_per_minute_per_link=1,
    )
    _, clarification_id = published_case(api)
    accounts = [str(uuid4()) for _ in range(6)]
    campaign = api.client.post(
        f"/clarifications/{clarification_id}/campaigns",
        json={"targets": [{"segment": "OPD", "account_ids": accounts}]},
        headers=api.as_(KKD),
    ).json()
    tokens = [task["confirm_url"].rsplit("/", 1)[1] for task in campaign["tasks"]]
    statuses = [
        api.client.post(
            f"/share/{token}", json={"post_url": f"https://x.com/opd/status/{n}"}
        ).status_code
        for n, token in enumerate(tokens)
    ]
    assert statuses == [200] * 6
    again = api.client.post(f"/share/{tokens[0]}", json={"post_url": "https://x.com/opd/2"})
    assert again.status_code == 200
    refused = api.client.post(
        f"/share/{tokens[0]}",
        json={"post_url": "https://x.com/opd/3"},
        headers={"Accept-Language": "en"},
    )
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.json()["detail"].startswith("This link has confirmed too often")
    assert api.client.get(f"/share/{tokens[0]}").json()["post_url"] == "https://x.com/opd/2"
    assert api.client.post("/reports", json={"text": "hoaks baru soal banjir"}).status_code == 201


def test_campaigns_are_listed_per_case_and_overall_newest_first_with_progress(
    api: Api,
) -> None:
    def launch(clarification_id: str, accounts: int) -> dict[str, Any]:
        ids = [str(uuid4()) for _ in range(accounts)]
        response = api.client.post(
            f"/clarifications/{clarification_id}/campaigns",
            json={"targets": [{"segment": "OPD", "account_ids": ids}]},
            headers=api.as_(KKD),
        )
        assert response.status_code == 201, response.text
        campaign: dict[str, Any] = response.json()
        return campaign

    case_id, clarification_id = published_case(api)
    _, other_clarification_id = published_case(api, "Jembatan Ploso ambruk diterjang banjir")
    first = launch(clarification_id, 2)
    elsewhere = launch(other_clarification_id, 1)
    second = launch(clarification_id, 3)
    token = second["tasks"][0]["confirm_url"].rsplit("/", 1)[1]
    api.client.post(f"/share/{token}", json={"post_url": "https://x.com/opd/status/1"})

    of_case = api.client.get(f"/campaigns?case_id={case_id}", headers=api.as_(KKD)).json()
    assert [c["id"] for c in of_case["items"]] == [second["id"], first["id"]]
    assert [(c["tasks"], c["confirmed"]) for c in of_case["items"]] == [(3, 1), (2, 0)]
    assert of_case["items"][0]["case_id"] == case_id
    assert of_case["items"][0]["title"] == PUBLISH["title_id"]
    assert of_case["next_cursor"] is None

    seen: list[str] = []
    cursor: str | None = None
    for _ in range(4):
        query = f"/campaigns?limit=2{f'&cursor={cursor}' if cursor else ''}"
        page = api.client.get(query, headers=api.as_(KKD)).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [second["id"], elsewhere["id"], first["id"]]
    partner = api.client.get("/campaigns", headers=api.as_("kpu-1", KPU))
    assert partner.status_code == 403


def test_claim_review_import_maps_ratings_and_groups_into_cases(api: Api) -> None:
    feed = {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "ClaimReview",
                "url": "https://turnbackhoax.id/2024/01/10/salah-kpu-hapus-pemilih/",
                "claimReviewed": "KPU menghapus pemilih yang tidak mencoblos dari DPT",
                "author": {"@type": "Organization", "name": "Mafindo"},
                "reviewRating": {"@type": "Rating", "alternateName": "Salah"},
                "itemReviewed": {
                    "@type": "Claim",
                    "appearance": [{"@type": "CreativeWork", "url": "https://fb.com/x/posts/1"}],
                },
            },
            {
                "@type": "ClaimReview",
                "url": "https://cekfakta.example.id/2",
                "claimReviewed": "Vaksin campak menyebabkan kemandulan",
                "reviewRating": {"ratingValue": 2, "bestRating": 5, "worstRating": 1},
            },
            {"@type": "ClaimReview", "url": "https://x.id/3"},
        ],
    }
    result = api.client.post("/imports/claimreview", json=feed, headers=api.as_(KKD))
    assert result.status_code == 200, result.text
    body = result.json()
    assert [i["rating"] for i in body["imported"]] == ["salah", "menyesatkan"]
    assert len(body["skipped"]) == 1
    case = api.client.get(f"/cases/{body['imported'][0]['case_id']}", headers=api.as_(KKD)).json()
    assert case["reports"][0]["channel"] == "import"
    assert case["case"]["urls"] == ["https://facebook.com/x/posts/1"]
    assert case["evidence"][0]["source"] == "Mafindo"
    assert (
        api.client.post("/imports/claimreview", json={"hello": 1}, headers=api.as_(KKD)).json()[
            "code"
        ]
        == "invalid_feed"
    )


def test_stats_count_reports_verdicts_and_recurring_hoaxes(api: Api) -> None:
    published_case(api)
    report(api, "Pencoblosan Pemilu 2024 diundur ke bulan Juni!!!")
    stats = api.client.get("/stats", headers=api.as_(KKD)).json()
    assert sum(day["reports"] for day in stats["reports_per_day"]) == 2
    assert stats["verdicts"] == 1 and stats["verdict_mix"] == {"salah": 1}
    assert stats["hours_to_verdict_median"] is not None
    assert stats["recurring"][0]["reports"] == 2
