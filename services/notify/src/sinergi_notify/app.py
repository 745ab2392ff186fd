"""Assembles the notify service from the kit."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from sinergi_kit.runtime import ServiceDefinition, create_app
from sinergi_notify.adapters.tables import messaging
from sinergi_notify.entrypoints.bus import subscriptions
from sinergi_notify.entrypoints.http import router
from sinergi_notify.entrypoints.worker import worker
from sinergi_notify.settings import NotifySettings

MIGRATIONS = Path(__file__).parent / "migrations"


def definition(settings: NotifySettings | None = None) -> ServiceDefinition:
    settings = settings or NotifySettings()
    return ServiceDefinition(
        name="notify",
        settings=settings,
        tables=messaging,
        migrations=MIGRATIONS,
        routers=[router, worker],
        subscriptions=subscriptions(settings),
        title="Sinergi Notify",
        description="Notifikasi melalui email dan obrolan. / Notifications over email and chat.",
    )


def build_app() -> FastAPI:
    return create_app(definition())
