"""Assembles the registry service from the kit."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from sinergi_kit.runtime import ServiceDefinition, create_app
from sinergi_registry.adapters.tables import messaging
from sinergi_registry.entrypoints import (
    accounts,
    auth,
    imports,
    organizations,
    people,
    segments,
    stats,
)
from sinergi_registry.settings import RegistrySettings

MIGRATIONS = Path(__file__).parent / "migrations"


def definition(settings: RegistrySettings | None = None) -> ServiceDefinition:
    return ServiceDefinition(
        name="registry",
        settings=settings or RegistrySettings(),
        tables=messaging,
        migrations=MIGRATIONS,
        routers=[
            accounts.router,
            auth.router,
            organizations.router,
            people.router,
            segments.router,
            imports.router,
            stats.router,
        ],
        title="Sinergi Registry",
        description="Organisasi, akun media sosial, orang, dan segmen. / Organisations, "
        "social-media accounts, people and segments. Sign in at `/auth/login` and send "
        "`Authorization: Bearer <token>`.",
    )


def build_app() -> FastAPI:
    return create_app(definition())
