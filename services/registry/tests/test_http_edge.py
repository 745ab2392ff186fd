"""What every request of the service passes before its route: CORS for the operator
console's origin, and no OpenTelemetry lookups (the kit carries its own trace context)."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry import _logs, metrics, trace

from sinergi_kit.settings import ServiceSettings

from .conftest import Registry

CONSOLE = ServiceSettings().cors_origins[0]


async def test_the_console_origin_may_read_and_change_accounts(registry: Registry) -> None:
    preflight = await registry.client.options(
        "/accounts/00000000-0000-0000-0000-000000000001",
        headers={
            "origin": CONSOLE,
            "access-control-request-method": "PATCH",
            "access-control-request-headers": "authorization, if-match",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == CONSOLE
    assert preflight.headers["access-control-allow-headers"] == "authorization, if-match"
    read = await registry.client.get("/accounts", headers=registry.admin | {"origin": CONSOLE})
    assert read.headers["access-control-allow-origin"] == CONSOLE
    assert read.headers["access-control-expose-headers"] == "ETag, Location"


async def test_another_origin_is_not_allowed(registry: Registry) -> None:
    answer = await registry.client.get(
        "/accounts", headers=registry.admin | {"origin": "https://elsewhere.example"}
    )
    assert answer.status_code == 200
    assert "access-control-allow-origin" not in answer.headers
    assert answer.headers["vary"] == "Origin"


async def test_a_request_looks_up_no_opentelemetry_provider(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    looked_up: list[str] = []

    def recording(name: str, lookup: Any) -> Any:
        def record(*args: Any, **kwargs: Any) -> Any:
            looked_up.append(name)
            return lookup(*args, **kwargs)

        return record

    for module, name in (
        (trace, "get_tracer_provider"),
        (metrics, "get_meter_provider"),
        (_logs, "get_logger_provider"),
    ):
        monkeypatch.setattr(module, name, recording(name, getattr(module, name)))
    answer = await registry.client.get("/accounts", headers=registry.admin)
    assert answer.status_code == 200
    assert looked_up == []
