"""Every service's real ASGI app in the test's process, on a migrated database, with signed
tokens for each role: what the cross-service HTTP tests (fuzzing, the authorisation matrix)
drive."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fastapi import FastAPI

from sinergi_kit.auth import Principal, Role, TokenVerifier
from sinergi_kit.nats_server import free_port
from sinergi_kit.runtime import ServiceDefinition, ServiceRuntime, create_app, migrate
from sinergi_kit.settings import ServiceSettings

SERVICES = ("registry", "events", "notify", "factcheck")
JWT_SECRET = "kunci-pengujian-lintas-layanan-0123456789abcdef"

_SERVICE_OVERRIDES: dict[str, dict[str, Any]] = {
    "events": {"signing_keys": {"k1": "kunci-tanda-tangan-pengujian-0123456789abcdef"}},
    "notify": {"sender_enabled": False},
    "factcheck": {
        "public_base_url": "https://cekfakta.jombangkab.go.id",
        "intake_per_minute_per_client": 1_000_000.0,
        "intake_burst_per_client": 1_000_000.0,
        "intake_per_minute_per_contact": 1_000_000.0,
        "intake_burst_per_contact": 1_000_000.0,
    },
}


def service_settings(name: str, database_url: str, **overrides: Any) -> ServiceSettings:
    """The service's own settings class, pointed at ``database_url``; NATS is an unused port
    unless ``nats_url`` is given, so HTTP-only tests need no broker."""
    module = importlib.import_module(f"sinergi_{name}.settings")
    settings_class: type[ServiceSettings] = getattr(module, f"{name.capitalize()}Settings")
    values: dict[str, Any] = {
        "database_url": database_url,
        "nats_url": f"nats://127.0.0.1:{free_port()}",
        "provision_topology_on_start": False,
        "jwt_secret": JWT_SECRET,
        "log_format": "json",
        "log_level": "WARNING",
        **_SERVICE_OVERRIDES.get(name, {}),
        **overrides,
    }
    return settings_class(**values)


def service_definition(name: str, settings: ServiceSettings) -> ServiceDefinition:
    module = importlib.import_module(f"sinergi_{name}.app")
    definition: ServiceDefinition = module.definition(settings)
    return definition


@dataclass
class ServiceApp:
    name: str
    app: FastAPI
    definition: ServiceDefinition
    verifier: TokenVerifier

    @property
    def runtime(self) -> ServiceRuntime:
        runtime: ServiceRuntime = self.app.state.runtime
        return runtime

    def token(
        self, *roles: Role, organization_id: UUID | None = None, subject: str = "penguji"
    ) -> str:
        return self.verifier.issue(Principal(subject, frozenset(roles), organization_id, "Penguji"))

    def auth(self, *roles: Role, organization_id: UUID | None = None) -> dict[str, str]:
        return {"authorization": "Bearer " + self.token(*roles, organization_id=organization_id)}


def build_service_app(name: str, database_url: str, **overrides: Any) -> ServiceApp:
    """Migrates ``database_url`` and builds the service's app on it (blocking: call it from a
    thread inside an event loop)."""
    definition = service_definition(name, service_settings(name, database_url, **overrides))
    migrate(definition)
    app = create_app(definition)
    return ServiceApp(name, app, definition, app.state.token_verifier)
