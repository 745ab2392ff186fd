"""Every service's OpenAPI fuzzed in-process on a migrated database: no 5xx, and every
response documented, of a documented media type and matching its schema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.engine import make_url

from sinergi_kit.auth import Role
from sinergi_kit.testing.apps import SERVICES, ServiceApp, build_service_app
from sinergi_kit.testing.processes import wait_until

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SEED = 20221122
EXAMPLES_PER_MODE = {"sqlite": 3, "postgresql": 1}
"""Per operation and generation mode: enough to find what the schema lets through, small
enough that every service on both backends is fuzzed in about two minutes."""


@pytest.fixture(params=SERVICES)
def service(
    request: pytest.FixtureRequest, database_url: str, clean_nats: str
) -> Iterator[ServiceApp]:
    """The service on an empty database of each backend and a real NATS; its lifespan (relay,
    consumers, schedulers) runs while it is fuzzed."""
    yield build_service_app(
        request.param, database_url, nats_url=clean_nats, provision_topology_on_start=True
    )
    shutdown_lifespans()


def fuzz(service: ServiceApp, examples: int) -> list[str]:
    api = schemathesis.openapi.from_asgi(
        "/openapi.json", service.app, config=SchemathesisConfig.from_dict({"seed": SEED})
    )
    wait_until(lambda: service.runtime.nats_connected, timeout_s=30)
    admin = service.auth(Role.ADMIN)
    failures: list[str] = []
    for result in api.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @seed(SEED)
            @settings(
                max_examples=examples,
                derandomize=True,
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate],  # no shrinking: the run stays bounded
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def call(case: Case[Any]) -> None:
                case.call_and_validate(headers=admin, checks=CHECKS)

            try:
                call()
            except Unsatisfiable:
                continue  # nothing to negate: the operation takes no input
            except (Exception, BaseExceptionGroup) as exc:  # listed together once all are fuzzed
                failures.append(f"{operation.label} ({mode.value}): {describe(exc)}")
    return failures


def describe(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup) and not isinstance(exc, FailureGroup):
        return "\n".join(describe(inner) for inner in exc.exceptions)
    return f"{type(exc).__name__}: {exc}"


def test_every_operation_answers_within_its_schema(service: ServiceApp) -> None:
    backend = make_url(service.runtime.settings.resolved_database_url()).get_backend_name()
    failures = fuzz(service, EXAMPLES_PER_MODE[backend])
    assert not failures, "\n\n".join(failures)
