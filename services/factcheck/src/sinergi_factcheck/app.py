"""Assembles the factcheck service from the kit."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from sinergi_factcheck.adapters.tables import messaging
from sinergi_factcheck.entrypoints.public import router as public_router
from sinergi_factcheck.entrypoints.verifiers import router as verifier_router
from sinergi_factcheck.service_layer.directory import REGISTRY_SUBSCRIPTION
from sinergi_factcheck.service_layer.overdue import run_overdue_alerts
from sinergi_factcheck.settings import FactcheckSettings
from sinergi_kit.runtime import ServiceDefinition, create_app

MIGRATIONS = Path(__file__).parent / "migrations"


def definition(settings: FactcheckSettings | None = None) -> ServiceDefinition:
    return ServiceDefinition(
        name="factcheck",
        settings=settings or FactcheckSettings(),
        tables=messaging,
        migrations=MIGRATIONS,
        routers=[public_router, verifier_router],
        subscriptions=[REGISTRY_SUBSCRIPTION],
        background=[run_overdue_alerts],
        title="Sinergi Factcheck",
        description="Pertukaran cek fakta hoaks. / The hoax fact-check exchange.",
    )


def build_app(settings: FactcheckSettings | None = None) -> FastAPI:
    return create_app(definition(settings))
