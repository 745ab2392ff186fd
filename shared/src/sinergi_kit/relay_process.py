"""The outbox relay in a process of its own (``outbox_relay = "own_process"``, PostgreSQL).

A busy service spends a sixth of its CPU publishing its outbox, and each round of the relay
holds the event loop that answers requests. Apart, the relay polls the outbox every
``outbox_relay_process_poll_s`` instead of being woken by commits, and runs at a lower
scheduling priority, so it takes the CPU the service leaves idle rather than the service's
own. Its leadership lock (see :class:`~sinergi_kit.messaging.outbox.OutboxRelay`) lets any
number of them run: one publishes, the others wait to take over.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from pathlib import Path

from prometheus_client import start_http_server

from sinergi_kit.db import Database
from sinergi_kit.logging import configure_logging, get_logger
from sinergi_kit.messaging.outbox import OutboxRelay
from sinergi_kit.runtime import (
    ServiceDefinition,
    connect_with_retry,
    provision_with_retry,
    refuse_a_relay_apart_on_sqlite,
    relay_of,
)
from sinergi_kit.tasks import cancel_and_wait

log = get_logger(__name__)

HEARTBEAT_EVERY_S = 5.0
STALLED_AFTER_S = 30.0
"""A relay that has neither read its outbox nor looked for the lead for this long (NATS or the
database failing, retried with back-off) stops touching its heartbeat file."""


def beat_once(relay: OutboxRelay, heartbeat: Path) -> bool:
    """Touch ``heartbeat`` if the relay made progress lately; returns whether it did."""
    if time.monotonic() - relay.last_progress_at > STALLED_AFTER_S:
        return False
    heartbeat.touch()
    return True


async def beat(relay: OutboxRelay, heartbeat: Path) -> None:
    """Touch ``heartbeat`` every few seconds while the relay makes progress: a container's
    health check reads the file's age (a relay has no HTTP port of its own)."""
    while True:
        await asyncio.to_thread(beat_once, relay, heartbeat)
        await asyncio.sleep(HEARTBEAT_EVERY_S)


async def run_relay(definition: ServiceDefinition) -> None:
    """Publish the service's outbox until cancelled (or SIGTERM/SIGINT)."""
    settings = definition.settings
    db = Database(settings.resolved_database_url())
    try:
        relay = relay_of(
            definition,
            db,
            settings.outbox_relay_process_poll_s,
            settings.outbox_relay_process_idle_poll_s,
        )
        nc = await connect_with_retry(settings.nats_url, f"{definition.name}-relay")
        try:
            js = nc.jetstream()
            if settings.provision_topology_on_start:
                await provision_with_retry(js, [definition.name])
            log.info(
                "outbox.relay_process_started",
                poll_s=settings.outbox_relay_process_poll_s,
                niceness=os.nice(0),
            )
            async with contextlib.AsyncExitStack() as beside:
                if settings.outbox_relay_process_heartbeat:
                    heartbeat = Path(settings.outbox_relay_process_heartbeat)
                    task = asyncio.create_task(beat(relay, heartbeat), name="relay-heartbeat")
                    beside.push_async_callback(cancel_and_wait, [task])
                if settings.outbox_relay_process_metrics_port:
                    # What it publishes counts on the service's dashboard (the published series)
                    metrics, _ = start_http_server(
                        settings.outbox_relay_process_metrics_port, addr=settings.http_host
                    )
                    beside.push_async_callback(asyncio.to_thread, metrics.shutdown)
                await relay.run(js)
        finally:
            with contextlib.suppress(Exception):
                await nc.flush(timeout=2)
            with contextlib.suppress(Exception):
                await nc.close()
    finally:
        await db.dispose()


async def _until_stopped(definition: ServiceDefinition) -> None:
    relaying = asyncio.create_task(run_relay(definition), name="outbox-relay")
    loop = asyncio.get_running_loop()
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(stop_signal, relaying.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await relaying
    log.info("outbox.relay_process_stopped")


def serve_relay(definition: ServiceDefinition) -> None:
    """The ``relay`` command: refuse a relay apart on SQLite (before anything is written or
    this process's priority lowered), then relay at a lower priority until stopped."""
    settings = definition.settings
    refuse_a_relay_apart_on_sqlite(settings)
    configure_logging(f"{definition.name}-relay", settings.log_format, settings.log_level)
    os.nice(settings.outbox_relay_process_niceness)
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is installed wherever it builds
        asyncio.run(_until_stopped(definition))
    else:
        uvloop.run(_until_stopped(definition))
