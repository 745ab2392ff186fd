"""Malformed messages on every consumer's subjects: each is dead-lettered with its reason, the
service stays healthy, and a valid event published after them is still applied."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import orjson
import pytest
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from sqlalchemy import select

from sinergi_kit.contracts.base import EventContract
from sinergi_kit.contracts.events import EventCancelledV1, EventSnapshot, LocalizedText, Venue
from sinergi_kit.contracts.factcheck import ReportReceivedV1, ReportState
from sinergi_kit.contracts.registry import PersonRegisteredV1, PersonState
from sinergi_kit.envelope import Envelope
from sinergi_kit.ids import new_id
from sinergi_kit.messaging.dead_letters import list_dead_letters
from sinergi_kit.messaging.topology import CONSUMERS, ConsumerSpec
from sinergi_kit.testing.apps import ServiceApp, build_service_app
from sinergi_kit.testing.harness import account_event, connect, eventually

SEED = 20221122
HUGE_BYTES = 512 * 1024
NOW = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)


def person_registered() -> EventContract:
    person = PersonState(id=new_id(), version=1, name="Siti Aminah", created_at=NOW, updated_at=NOW)
    return PersonRegisteredV1(person=person)


def event_cancelled() -> EventContract:
    title = LocalizedText(id="Kopilaborasi 2026", en="Kopilaborasi 2026")
    event = EventSnapshot(
        id=new_id(),
        version=2,
        sequence=1,
        calendar_uid="kopilaborasi-2026@sinergi",
        kind="kopilaborasi",
        status="cancelled",
        title=title,
        theme=title,
        venue=Venue(name="Pendopo Kabupaten Jombang"),
        starts_at=NOW + timedelta(days=7),
        ends_at=NOW + timedelta(days=7, hours=3),
    )
    return EventCancelledV1(event=event, ics="BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")


def report_received() -> EventContract:
    report = ReportState(
        id=new_id(),
        case_id=new_id(),
        channel="public",
        text="Beredar pesan bahwa pemungutan suara diundur.",
        match="new",
        received_at=NOW,
    )
    return ReportReceivedV1(report=report)


VALID_EVENT: dict[str, Callable[[], EventContract]] = {
    "events-registry": account_event,
    "factcheck-registry": account_event,
    "notify-registry": person_registered,
    "notify-events": event_cancelled,
    "notify-factcheck": report_received,
}
"""For each consumer, an event it handles: published after the bad ones, it must be applied."""


@dataclass
class Bad:
    name: str
    reason: str
    headers: dict[str, str] | None
    body: bytes


def bad_messages(valid: Envelope) -> list[Bad]:
    noise = random.Random(SEED)
    headers = {k: v for k, v in valid.headers().items() if k != "Nats-Msg-Id"}

    def with_id(**changes: str) -> dict[str, str]:
        return headers | {"ce-id": str(new_id())} | changes

    unknown_type = valid.type.rsplit(".", 2)[0] + ".teleported.v1"
    return [
        Bad("random bytes", "bad_json", with_id(), b"\xff" + noise.randbytes(255)),
        Bad("wrong schema", "invalid_data", with_id(), orjson.dumps({"id": "bukan-uuid"})),
        Bad("unknown type", "unknown_type", with_id(**{"ce-type": unknown_type}), valid.body()),
        Bad(
            "huge payload",
            "invalid_data",
            with_id(),
            orjson.dumps({"padding": noise.randbytes(HUGE_BYTES // 2).hex()}),
        ),
        Bad("missing ce-* headers", "missing_headers", None, valid.body()),
        Bad(
            "some ce-* headers missing",
            "missing_headers",
            {"ce-type": valid.type, "content-type": "application/json"},
            valid.body(),
        ),
    ]


@dataclass
class Running:
    spec: ConsumerSpec
    service: ServiceApp
    nc: NatsClient
    js: JetStreamContext


@pytest.fixture(params=CONSUMERS, ids=[spec.durable for spec in CONSUMERS])
async def running(
    request: pytest.FixtureRequest, database_url: str, clean_nats: str
) -> AsyncIterator[Running]:
    """The consuming service's real runtime (relay, consumers, schedulers) on a real NATS."""
    spec: ConsumerSpec = request.param
    service = await asyncio.to_thread(
        build_service_app,
        spec.service,
        database_url,
        nats_url=clean_nats,
        provision_topology_on_start=True,
    )
    await service.runtime.start()
    nc = await connect(clean_nats)
    js = nc.jetstream()

    async def bound() -> bool:
        try:
            await js.consumer_info(spec.stream, spec.durable)
        except NotFoundError:
            return False
        return True

    try:
        await eventually(bound, timeout_s=30)
        yield Running(spec, service, nc, js)
    finally:
        await nc.close()
        await service.runtime.stop()


async def applied(running: Running, envelope: Envelope) -> bool:
    inbox = running.service.definition.tables.inbox
    async with running.service.runtime.db.read() as session:
        row = await session.execute(
            select(inbox.c.event_id).where(
                inbox.c.consumer == running.spec.durable, inbox.c.event_id == envelope.id
            )
        )
        return row.first() is not None


async def test_bad_messages_are_dead_lettered_and_the_stream_keeps_flowing(
    running: Running,
) -> None:
    valid = Envelope.wrap(VALID_EVENT[running.spec.durable]())
    assert any(valid.type.startswith(f.removesuffix(">")) for f in running.spec.filter_subjects), (
        "the valid event must be on a subject this consumer reads"
    )
    sequence_of: dict[int, Bad] = {}
    for bad in bad_messages(valid):
        ack = await running.js.publish(
            valid.type, bad.body, headers=bad.headers, stream=running.spec.stream
        )
        sequence_of[ack.seq] = bad
    await running.js.publish(
        valid.type, valid.body(), headers=valid.headers(), stream=running.spec.stream
    )

    await eventually(lambda: applied(running, valid), timeout_s=30)

    records = [
        r
        for r in await list_dead_letters(
            running.service.runtime.db, running.service.definition.tables
        )
        if r.consumer == running.spec.durable
    ]
    reasons = {sequence_of[r.stream_seq].name: r.reason for r in records}
    assert reasons == {bad.name: bad.reason for bad in sequence_of.values()}
    assert all(r.error for r in records)
    huge = next(r for r in records if sequence_of[r.stream_seq].name == "huge payload")
    assert len(huge.body) > HUGE_BYTES

    assert all(not task.done() for task in running.service.runtime._tasks)
    transport = httpx.ASGITransport(app=running.service.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        assert (await client.get("/healthz")).status_code == 200
        ready = await client.get("/readyz")
        assert ready.status_code == 200, ready.text
