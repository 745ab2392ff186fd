"""The walking skeleton across real processes: registry → JetStream → events' directory."""

from __future__ import annotations

import json

import httpx
import pytest

from sinergi_kit.auth import Role
from sinergi_kit.testing.processes import wait_until
from sinergi_kit.tracing import TraceParent

from .platform import Platform

pytestmark = pytest.mark.e2e


def test_an_account_registered_reaches_the_events_directory_with_its_trace(
    platform: Platform,
) -> None:
    registry, events = platform.processes["registry"], platform.processes["events"]
    auth = {"authorization": "Bearer " + platform.token("e2e-operator", Role.OPERATOR)}
    trace = TraceParent.new()
    created = httpx.post(
        registry.base_url + "/accounts",
        json={
            "platform": "instagram",
            "handle": "https://www.instagram.com/Diskominfo.Jombang/?hl=id",
            "display_name": "Diskominfo Kabupaten Jombang",
            "managed_by": "government",
            "category": "government",
            "district": "Jombang",
        },
        headers={"traceparent": str(trace)} | auth,
    )
    assert created.status_code == 201, created.text
    account = created.json()
    assert account["handle"] == "diskominfo.jombang"
    assert (
        httpx.get(registry.base_url + f"/accounts/{account['id']}", headers=auth).json() == account
    )

    def projected() -> bool:
        return (
            httpx.get(events.base_url + f"/directory/accounts/{account['id']}").status_code == 200
        )

    wait_until(projected, timeout_s=20)
    assert httpx.get(events.base_url + f"/directory/accounts/{account['id']}").json() == account

    lines = [
        json.loads(line)
        for line in events.log_path.read_text().splitlines()
        if line.startswith("{")
    ]
    projected_lines = [line for line in lines if line["event"] == "directory.accounts_projected"]
    assert projected_lines and projected_lines[0]["trace_ids"] == [trace.trace_id]
    assert projected_lines[0]["service"] == "events"
    assert len(projected_lines[0]["event_ids"]) == 1

    duplicate = httpx.post(
        registry.base_url + "/accounts",
        json={
            "platform": "instagram",
            "handle": "@diskominfo.jombang",
            "display_name": "x",
            "managed_by": "government",
            "category": "government",
        },
        headers={"accept-language": "en"} | auth,
    )
    assert duplicate.status_code == 409
    assert duplicate.headers["content-type"] == "application/problem+json"
    assert duplicate.json()["code"] == "account_exists"
    assert "already registered" in duplicate.json()["detail"]

    for process in platform.processes.values():
        assert httpx.get(process.base_url + "/healthz").json()["service"] == process.name
        metrics = httpx.get(process.base_url + "/metrics").text
        assert "sinergi_outbox_lag_seconds" in metrics
    assert (
        'sinergi_events_published_total{service="registry"} 1.0'
        in httpx.get(registry.base_url + "/metrics").text
    )
    assert (
        'sinergi_events_consumed_total{consumer="events-registry"} 1.0'
        in httpx.get(events.base_url + "/metrics").text
    )
