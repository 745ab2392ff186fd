"""Deadlines sent with an offset other than UTC keep their instant: read back in UTC on both
backends."""

from __future__ import annotations

from uuid import uuid4

from .support import KPU, Api
from .test_http_exchange import published_case
from .test_http_workflow import KKD, case_of, report, to_review

WIB_DEADLINE = "2026-12-01T12:13:00+07:00"
UTC_DEADLINE = "2026-12-01T05:13:00Z"


def test_referral_and_campaign_deadlines_are_read_back_in_utc(api: Api) -> None:
    case_id = case_of(api, report(api, "Timses caleg bagi amplop di Diwek")["report_id"])
    to_review(api, case_id, election=True, author_org=None)
    sent = api.client.post(
        f"/cases/{case_id}/referrals",
        json={
            "partner": "bawaslu",
            "organization_id": str(KPU),
            "reason": "Dugaan politik uang",
            "deadline": WIB_DEADLINE,
        },
        headers=api.as_(KKD),
    )
    assert sent.status_code == 201, sent.text
    listed = api.client.get("/referrals", headers=api.as_(KKD)).json()
    assert [r["deadline"] for r in listed if r["id"] == sent.json()["id"]] == [UTC_DEADLINE]

    _, clarification_id = published_case(api)
    requested = api.client.post(
        f"/clarifications/{clarification_id}/campaigns",
        json={
            "targets": [{"segment": "OPD", "account_ids": [str(uuid4())]}],
            "deadline": WIB_DEADLINE,
        },
        headers=api.as_(KKD),
    )
    assert requested.status_code == 201, requested.text
    campaign_id = requested.json()["id"]
    progress = api.client.get(f"/campaigns/{campaign_id}/progress", headers=api.as_(KKD))
    assert progress.json()["deadline"] == UTC_DEADLINE
    token = requested.json()["tasks"][0]["confirm_url"].rsplit("/", 1)[1]
    assert api.client.get(f"/share/{token}").json()["deadline"] == UTC_DEADLINE
