"""JetStream topology, declared once: one stream per producing service, durable pull
consumers per consuming service. Provisioning is idempotent and reconciles drift."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import NotFoundError

from sinergi_kit.logging import get_logger

log = get_logger(__name__)

PRODUCERS = ("registry", "events", "notify", "factcheck")
DAY_S = 86_400.0


@dataclass(frozen=True)
class StreamSpec:
    name: str
    subjects: tuple[str, ...]
    max_age_s: float = 90 * DAY_S
    duplicate_window_s: float = 120.0

    def config(self, replicas: int) -> StreamConfig:
        return StreamConfig(
            name=self.name,
            subjects=list(self.subjects),
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            discard=DiscardPolicy.OLD,
            max_age=self.max_age_s,
            duplicate_window=self.duplicate_window_s,
            num_replicas=replicas,
        )


@dataclass(frozen=True)
class ConsumerSpec:
    service: str
    durable: str
    stream: str
    filter_subjects: tuple[str, ...]
    ack_wait_s: float = 30.0
    max_ack_pending: int = 4_096

    def config(self) -> ConsumerConfig:
        # max_deliver stays unlimited: the consumer helper dead-letters at its own bound,
        # so JetStream never drops a message silently when a limit is reached.
        return ConsumerConfig(
            durable_name=self.durable,
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=self.ack_wait_s,
            max_deliver=-1,
            max_ack_pending=self.max_ack_pending,
            filter_subjects=list(self.filter_subjects),
        )


def stream_name(service: str) -> str:
    return f"SINERGI_{service.upper()}"


STREAMS: dict[str, StreamSpec] = {
    service: StreamSpec(name=stream_name(service), subjects=(f"sinergi.{service}.>",))
    for service in PRODUCERS
}

CONSUMERS: tuple[ConsumerSpec, ...] = (
    ConsumerSpec(
        service="events",
        durable="events-registry",
        stream=stream_name("registry"),
        filter_subjects=(
            "sinergi.registry.account.>",
            "sinergi.registry.person.>",
            "sinergi.registry.segment.>",
        ),
    ),
    ConsumerSpec(
        service="factcheck",
        durable="factcheck-registry",
        stream=stream_name("registry"),
        filter_subjects=(
            "sinergi.registry.account.>",
            "sinergi.registry.person.>",
            "sinergi.registry.segment.>",
        ),
    ),
    ConsumerSpec(
        service="notify",
        durable="notify-registry",
        stream=stream_name("registry"),
        filter_subjects=("sinergi.registry.person.>", "sinergi.registry.account.verified.v1"),
    ),
    ConsumerSpec(
        service="notify",
        durable="notify-events",
        stream=stream_name("events"),
        filter_subjects=("sinergi.events.>",),
    ),
    ConsumerSpec(
        service="notify",
        durable="notify-factcheck",
        stream=stream_name("factcheck"),
        filter_subjects=("sinergi.factcheck.>",),
    ),
)


def consumers_of(service: str) -> list[ConsumerSpec]:
    return [spec for spec in CONSUMERS if spec.service == service]


def consumer_spec(durable: str) -> ConsumerSpec:
    for spec in CONSUMERS:
        if spec.durable == durable:
            return spec
    raise KeyError(durable)


class TopologyError(RuntimeError):
    pass


def _drift(desired: Any, actual: Any, fields: tuple[str, ...]) -> dict[str, tuple[Any, Any]]:
    changes: dict[str, tuple[Any, Any]] = {}
    for name in fields:
        want, have = getattr(desired, name), getattr(actual, name)
        if isinstance(want, list):
            want, have = sorted(want), sorted(have or [])
        if want != have:
            changes[name] = (have, want)
    return changes


STREAM_FIELDS = (
    "subjects",
    "retention",
    "storage",
    "discard",
    "max_age",
    "duplicate_window",
    "num_replicas",
)
CONSUMER_FIELDS = (
    "deliver_policy",
    "ack_policy",
    "ack_wait",
    "max_deliver",
    "max_ack_pending",
    "filter_subjects",
)


@dataclass
class ProvisionReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


async def provision(
    js: JetStreamContext,
    *,
    streams: list[StreamSpec] | None = None,
    consumers: list[ConsumerSpec] | None = None,
    replicas: int = 1,
) -> ProvisionReport:
    """Create what is missing and reconcile what drifted. Safe to run any number of times."""
    report = ProvisionReport()
    for spec in streams if streams is not None else list(STREAMS.values()):
        desired = spec.config(replicas)
        try:
            info = await js.stream_info(spec.name)
        except NotFoundError:
            await js.add_stream(desired)
            log.info("topology.stream_created", stream=spec.name)
            report.created.append(f"stream:{spec.name}")
            continue
        changes = _drift(desired, info.config, STREAM_FIELDS)
        if changes:
            await js.update_stream(desired)
            log.warning("topology.stream_reconciled", stream=spec.name, changes=str(changes))
            report.updated.append(f"stream:{spec.name}")
        else:
            report.unchanged.append(f"stream:{spec.name}")
    for cspec in consumers if consumers is not None else list(CONSUMERS):
        desired_consumer = cspec.config()
        label = f"consumer:{cspec.stream}/{cspec.durable}"
        try:
            cinfo = await js.consumer_info(cspec.stream, cspec.durable)
        except NotFoundError:
            await js.add_consumer(cspec.stream, desired_consumer)
            log.info("topology.consumer_created", consumer=cspec.durable, stream=cspec.stream)
            report.created.append(label)
            continue
        changes = _drift(desired_consumer, cinfo.config, CONSUMER_FIELDS)
        if not changes:
            report.unchanged.append(label)
            continue
        try:
            await js.add_consumer(cspec.stream, desired_consumer)
        except Exception as exc:
            raise TopologyError(
                f"consumer {cspec.durable} on {cspec.stream} drifted ({changes}) and the server "
                f"refused the update: {exc}. Delete it with `sinergi topology delete-consumer` "
                "and provision again."
            ) from exc
        log.warning("topology.consumer_reconciled", consumer=cspec.durable, changes=str(changes))
        report.updated.append(label)
    return report
