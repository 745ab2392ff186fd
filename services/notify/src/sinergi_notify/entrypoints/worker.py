"""The sender runs beside the HTTP API in every replica, started by the app's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import APIRouter, FastAPI

from sinergi_kit.clock import utcnow
from sinergi_kit.logging import get_logger
from sinergi_kit.runtime import ServiceRuntime
from sinergi_notify.adapters.channels.registry import build_channels
from sinergi_notify.service_layer.sender import Sender
from sinergi_notify.service_layer.templates import seed_defaults
from sinergi_notify.settings import NotifySettings

log = get_logger(__name__)


@contextlib.asynccontextmanager
async def sender_lifespan(app: FastAPI) -> AsyncIterator[None]:
    runtime: ServiceRuntime = app.state.runtime
    settings = runtime.settings
    assert isinstance(settings, NotifySettings)
    seeded = await seed_defaults(runtime.db, utcnow())
    log.info("templates.seeded", count=seeded)
    if not settings.sender_enabled:
        yield
        return
    channels = build_channels(settings)
    sender = Sender(runtime.uow, settings, channels)
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop), name="sender")
    try:
        yield
    finally:
        stop.set()
        _done, pending = await asyncio.wait({task}, timeout=settings.shutdown_grace_s)
        for unfinished in pending:
            log.warning("sender.cancelled_at_shutdown")
            unfinished.cancel()
        for channel in channels.values():
            await channel.close()


worker = APIRouter(lifespan=sender_lifespan)
