"""Overdue alerts, on SQLite and PostgreSQL: an open case past the limit of its urgency is
announced once as case.overdue — not again on the next check, nor after a restart — and again
only when a new deadline passes; closed cases never."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sinergi_factcheck.service_layer.context import Factcheck
from sinergi_factcheck.service_layer.overdue import alert_overdue
from sinergi_kit.clock import utcnow

from .support import Api, run_with_factcheck


def _overdue_events(api: Api) -> list[dict[str, Any]]:
    return [data for kind, data in api.events() if kind == "case.overdue"]


def test_an_overdue_case_is_announced_once_per_deadline(api: Api) -> None:
    kkd = api.as_("kkd-staf")
    late_claim = "Bansos dicairkan lewat tautan palsu"
    opinion = "Menurut saya bupati kurang tegas"
    for text in (late_claim, opinion):
        assert api.client.post("/reports", json={"text": text}).status_code == 201
    received = api.client.get("/cases?status=received", headers=kkd).json()
    case_ids = {item["case"]["claim"]: item["case"]["id"] for item in received}
    late_id, closed_id = case_ids[late_claim], case_ids[opinion]
    api.client.post(f"/cases/{closed_id}/reject", json={"reason": "opinion"}, headers=kkd)

    def check(at: datetime) -> int:
        async def scenario(fc: Factcheck) -> int:
            return await alert_overdue(fc, at)

        return run_with_factcheck(api.database_url, scenario)

    assert check(utcnow() + timedelta(hours=71)) == 0
    three_days_on = utcnow() + timedelta(hours=73)
    assert check(three_days_on) == 1
    assert check(three_days_on + timedelta(minutes=1)) == 0  # a fresh process: still once
    [alert] = _overdue_events(api)
    assert alert["case"]["id"] == late_id
    assert alert["time_limit_hours"] == 72
    history = api.client.get(f"/cases/{late_id}", headers=kkd).json()["audit"]
    assert [entry["action"] for entry in history].count("overdue_alerted") == 1

    triaged = api.client.post(f"/cases/{late_id}/triage", json={"urgency": "low"}, headers=kkd)
    assert triaged.status_code == 200
    assert check(three_days_on + timedelta(minutes=2)) == 0  # the new deadline is 7 days
    assert check(utcnow() + timedelta(days=8)) == 1
    assert [e["case"]["urgency"] for e in _overdue_events(api)] == ["normal", "low"]
