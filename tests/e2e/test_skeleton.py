"""The walking skeleton across real processes: registry → JetStream → events' directory."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from sinergi_kit.auth import Principal, Role, TokenVerifier
from sinergi_kit.testing.processes import ServiceProcess, wait_until
from sinergi_kit.tracing import TraceParent
from sinergi_registry.settings import RegistrySettings

pytestmark = pytest.mark.e2e


@pytest.fixture(params=["sqlite", "postgresql"])
def service_databases(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_database_factory: Callable[[], str]
) -> Callable[[str], str]:
    if request.param == "sqlite":
        return lambda name: f"sqlite+aiosqlite:///{tmp_path / (name + '.db')}"
    return lambda _name: postgres_database_factory()


@pytest.fixture
def services(
    clean_nats: str, tmp_path: Path, service_databases: Callable[[str], str]
) -> Iterator[dict[str, ServiceProcess]]:
    started: dict[str, ServiceProcess] = {}
    try:
        for name in ("registry", "events", "notify", "factcheck"):
            process = ServiceProcess(
                name, service_databases(name), clean_nats, tmp_path / f"{name}.log"
            )
            process.start()
            started[name] = process
        yield started
    finally:
        for process in started.values():
            process.stop()


def test_an_account_registered_reaches_the_events_directory_with_its_trace(
    services: dict[str, ServiceProcess],
) -> None:
    registry, events = services["registry"], services["events"]
    operator = Principal("e2e-operator", frozenset({Role.OPERATOR}))
    auth = {"authorization": "Bearer " + TokenVerifier(RegistrySettings()).issue(operator)}
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

    for process in services.values():
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
