"""Assembles the factcheck service from the kit."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from sinergi_factcheck.adapters.tables import messaging
from sinergi_factcheck.settings import FactcheckSettings
from sinergi_kit.runtime import ServiceDefinition, create_app

MIGRATIONS = Path(__file__).parent / "migrations"


def definition(settings: FactcheckSettings | None = None) -> ServiceDefinition:
    return ServiceDefinition(
        name="factcheck",
        settings=settings or FactcheckSettings(),
        tables=messaging,
        migrations=MIGRATIONS,
        title="Sinergi Factcheck",
        description="Pertukaran cek fakta hoaks. / The hoax fact-check exchange.",
    )


def build_app() -> FastAPI:
    return create_app(definition())
