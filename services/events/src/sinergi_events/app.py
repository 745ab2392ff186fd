"""Assembles the events service from the kit."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from sinergi_events.adapters.tables import messaging
from sinergi_events.entrypoints import admin, door, http, reports, rsvp
from sinergi_events.service_layer.context import signer_of
from sinergi_events.service_layer.directory import registry_subscription
from sinergi_events.service_layer.scheduler import run_scheduler
from sinergi_events.settings import EventsSettings
from sinergi_kit.runtime import ServiceDefinition, create_app

MIGRATIONS = Path(__file__).parent / "migrations"


def definition(settings: EventsSettings | None = None) -> ServiceDefinition:
    resolved = settings or EventsSettings()
    return ServiceDefinition(
        name="events",
        settings=resolved,
        tables=messaging,
        migrations=MIGRATIONS,
        routers=[door.router, admin.router, reports.router, rsvp.router, http.router],
        subscriptions=[registry_subscription(lambda: signer_of(resolved))],
        background=[run_scheduler],
        title="Sinergi Events",
        description="Kopilaborasi: jadwal, undangan, RSVP, dan check-in. / Kopilaborasi "
        "scheduling, invitations, RSVP and check-in.",
    )


def build_app() -> FastAPI:
    return create_app(definition())
