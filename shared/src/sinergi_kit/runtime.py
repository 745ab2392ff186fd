"""What runs inside one service process: database, NatsClient connection, relay, consumers, HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import nats
from fastapi import APIRouter, FastAPI, Request
from fastapi.telemetry import TelemetryConfig
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from sqlalchemy import make_url

from sinergi_kit.db import Database
from sinergi_kit.logging import configure_logging, get_logger
from sinergi_kit.messaging.consumer import Consumer, RetryPolicy, Subscription
from sinergi_kit.messaging.outbox import OutboxRelay
from sinergi_kit.messaging.tables import MessagingTables
from sinergi_kit.messaging.topology import STREAMS, ConsumerSpec, consumer_spec, provision
from sinergi_kit.migrations import upgrade
from sinergi_kit.settings import ServiceSettings
from sinergi_kit.tasks import cancel_and_wait, run_until_one_fails
from sinergi_kit.uow import UnitOfWorkFactory

log = get_logger(__name__)


@dataclass
class ServiceDefinition:
    """Everything the kit needs to know to run a service."""

    name: str
    settings: ServiceSettings
    tables: MessagingTables
    migrations: Path
    routers: list[APIRouter] = field(default_factory=list)
    subscriptions: list[Subscription] = field(default_factory=list)
    background: list[Callable[[ServiceRuntime], Coroutine[Any, Any, None]]] = field(
        default_factory=list
    )
    """Long-running tasks of the service (schedulers); started after the database answers,
    cancelled at shutdown."""
    title: str = ""
    description: str = ""


async def connect_nats(url: str, name: str) -> NatsClient:
    async def on_disconnect() -> None:
        log.warning("nats.disconnected")

    async def on_reconnect() -> None:
        log.info("nats.reconnected")

    async def on_error(exc: Exception) -> None:
        log.debug("nats.error", error=repr(exc))

    return await nats.connect(
        url,
        name=name,
        connect_timeout=2,
        reconnect_time_wait=0.5,
        max_reconnect_attempts=-1,
        allow_reconnect=True,
        disconnected_cb=on_disconnect,
        reconnected_cb=on_reconnect,
        error_cb=on_error,
    )


async def connect_with_retry(url: str, name: str) -> NatsClient:
    """Connect to NATS, trying again (backing off up to 10 s) until the server answers."""
    delay = 0.5
    while True:
        try:
            return await connect_nats(url, name)
        except Exception as exc:
            log.warning("nats.connect_failed", url=url, error=repr(exc), retry_in_s=delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


async def provision_with_retry(
    js: JetStreamContext, stream_names: Sequence[str], consumers: Sequence[ConsumerSpec] = ()
) -> None:
    """Create or update the streams and consumers, trying again every second until it works."""
    while True:
        try:
            await provision(
                js, streams=[STREAMS[n] for n in stream_names], consumers=list(consumers)
            )
            return
        except Exception as exc:
            log.warning("topology.provision_failed", error=repr(exc))
            await asyncio.sleep(1.0)


class RelayPlacementError(ValueError):
    pass


def refuse_a_relay_apart_on_sqlite(settings: ServiceSettings) -> None:
    """On SQLite one process writes the database, so its relay runs there."""
    on_sqlite = make_url(settings.resolved_database_url()).get_backend_name() == "sqlite"
    if settings.outbox_relay == "own_process" and on_sqlite:
        raise RelayPlacementError(
            "outbox_relay=own_process butuh PostgreSQL; pada SQLite relay berjalan di proses "
            "layanan. / outbox_relay=own_process needs PostgreSQL; on SQLite the relay runs "
            "in the service's process."
        )


def relay_of(
    definition: ServiceDefinition,
    db: Database,
    poll_interval_s: float,
    idle_poll_interval_s: float | None = None,
) -> OutboxRelay:
    settings = definition.settings
    return OutboxRelay(
        db,
        definition.tables,
        definition.name,
        batch_size=settings.outbox_batch_size,
        poll_interval_s=poll_interval_s,
        idle_poll_interval_s=idle_poll_interval_s,
        max_backoff_s=settings.outbox_max_backoff_s,
        retention=timedelta(days=settings.outbox_retention_days),
    )


class ServiceRuntime:
    def __init__(self, definition: ServiceDefinition) -> None:
        self.definition = definition
        settings = definition.settings
        self.settings = settings
        refuse_a_relay_apart_on_sqlite(settings)
        self.db = Database(settings.resolved_database_url())
        self.relay: OutboxRelay | None = None
        """The service's own relay; none when a process of its own publishes the outbox."""
        if settings.outbox_relay == "in_process":
            self.relay = relay_of(definition, self.db, settings.outbox_poll_interval_s)
        self.uow = UnitOfWorkFactory(self.db, definition.tables, self.wake_relay)
        retry = RetryPolicy(
            max_deliveries=settings.consumer_max_deliveries,
            base_delay_s=settings.consumer_retry_base_s,
            max_delay_s=settings.consumer_retry_max_s,
        )
        self.consumers = [
            Consumer(
                consumer_spec(subscription.durable),
                subscription,
                self.uow,
                batch_size=settings.consumer_batch_size,
                retry=retry,
            )
            for subscription in definition.subscriptions
        ]
        self.nc: NatsClient | None = None
        self._tasks: list[asyncio.Task[Any]] = []

    def wake_relay(self) -> None:
        """After a commit that wrote events: the service's own relay publishes them now (a
        relay apart finds them at its next poll)."""
        if self.relay is not None:
            self.relay.wake()

    @property
    def nats_connected(self) -> bool:
        return self.nc is not None and self.nc.is_connected

    async def start(self) -> None:
        await self.db.ping()
        self._tasks.append(asyncio.create_task(self._messaging(), name="messaging"))
        for task in self.definition.background:
            self._tasks.append(asyncio.create_task(task(self), name=task.__name__))

    async def _messaging(self) -> None:
        self.nc = await connect_with_retry(self.settings.nats_url, self.definition.name)
        js = self.nc.jetstream()
        if self.settings.provision_topology_on_start:
            own_consumers = [consumer.spec for consumer in self.consumers]
            needed = {self.definition.name} | {
                name
                for name, spec in STREAMS.items()
                if spec.name in {c.stream for c in own_consumers}
            }
            await provision_with_retry(js, sorted(needed), own_consumers)
        log.info("nats.ready", url=self.settings.nats_url)
        runners: list[Callable[[JetStreamContext], Coroutine[Any, Any, None]]] = []
        if self.relay is not None:
            runners.append(self.relay.run)
        runners += [consumer.run for consumer in self.consumers]
        running = [asyncio.create_task(run(js), name=run.__qualname__) for run in runners]
        self._tasks += running  # stopped with the runtime's own tasks (see sinergi_kit.tasks)
        await run_until_one_fails(running)

    async def stop(self) -> None:
        await cancel_and_wait(self._tasks)
        if self.nc is not None:
            # The consumers are stopped already; draining their pull subscriptions would wait
            # out nats-py's 30 s drain timeout. Flush the last acks, then close.
            with contextlib.suppress(Exception):
                await self.nc.flush(timeout=2)
            with contextlib.suppress(Exception):
                await self.nc.close()
        await self.db.dispose()


def request_runtime(request: Request) -> ServiceRuntime:
    """The runtime of the app serving ``request`` (its database, units of work, settings)."""
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


def migrate(definition: ServiceDefinition) -> None:
    upgrade(definition.migrations, definition.settings.resolved_database_url())


NO_OPENTELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}
"""A service carries its own W3C trace context (:mod:`sinergi_kit.tracing`) and installs no
OpenTelemetry SDK. FastAPI's OpenTelemetry bridge, on by default, looks up the global
providers (reading the environment) on every request only to find none configured: about
a twentieth of a small request."""


def create_app(definition: ServiceDefinition) -> FastAPI:
    """The service's ASGI app; the runtime starts and stops with it."""
    from sinergi_kit.auth import TokenVerifier
    from sinergi_kit.http.app import ServiceApp
    from sinergi_kit.http.conditional import document_preconditions
    from sinergi_kit.http.ops import install_ops_routes
    from sinergi_kit.http.problems import install_problem_handlers

    settings = definition.settings
    configure_logging(definition.name, settings.log_format, settings.log_level)
    runtime = ServiceRuntime(definition)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            async with contextlib.AsyncExitStack() as routers:
                for router in definition.routers:
                    await routers.enter_async_context(router.lifespan_context(app))
                # What start-up built (modules, routes, models, compiled statements) lives as
                # long as the process: set aside from the collector, a full collection walks
                # only what requests leave behind, a pause of milliseconds instead of a
                # hundred or more in the middle of a request.
                gc.collect()
                gc.freeze()
                log.info("service.started", port=settings.http_port)
                yield
        finally:
            await runtime.stop()
            log.info("service.stopped")

    app = ServiceApp(
        cors_origins=settings.cors_origins,
        title=definition.title or f"Sinergi {definition.name}",
        description=definition.description,
        version="0.1.0",
        lifespan=lifespan,
        telemetry=NO_OPENTELEMETRY,
    )
    app.state.runtime = runtime
    app.state.token_verifier = TokenVerifier(settings)
    install_problem_handlers(app)
    install_ops_routes(app, runtime)
    for router in definition.routers:
        document_preconditions(router)
    # The routes join the app's own list rather than include_router's nested routers, ahead
    # of the documentation and operations routes: a request is matched against the routes
    # one by one, and matching through included routers cost about a sixth of a small
    # request. The routers carry their prefixes and tags themselves and their lifespans are
    # entered above, so nothing else changes; a definition lists its busiest router first.
    app.router.routes[:0] = [route for router in definition.routers for route in router.routes]
    return app
