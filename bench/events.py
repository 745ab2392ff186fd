"""bench/events: inviting a whole segment, and the door under load.

- Inviting a segment of N people: the time from the call to every invitation committed with
  its invitation.issued event in the outbox (membership evaluated on the projection with the
  shared filter), beside a plain bulk insert of the same invitation rows without events, on
  SQLite and PostgreSQL.
- Check-in scans through the real service process (uvicorn; SQLite, and PostgreSQL when
  TEST_POSTGRES_URL is set): the latency of each scan with 32 door devices scanning at once
  over keep-alive connections, beside a bare FastAPI endpoint taking the same body, both in
  this run and driven by the same load generator; with the server's CPU time per scan.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import textwrap
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from bench.report import Figure
from bench.support import Load, bare_server, closed_loop, database_urls, post_json
from sinergi_events.adapters.repository import InvitationRepository
from sinergi_events.adapters.tables import invitations, messaging
from sinergi_events.app import MIGRATIONS
from sinergi_events.domain.events import Event
from sinergi_events.domain.invitations import Invitation
from sinergi_events.domain.tokens import Signer
from sinergi_events.service_layer import invitations as invite
from sinergi_events.service_layer import lifecycle
from sinergi_events.service_layer.commands import CreateEvent, InviteSegment
from sinergi_events.service_layer.context import EventsContext
from sinergi_events.service_layer.directory import on_people, on_segments
from sinergi_kit.auth import Principal, Role, TokenVerifier
from sinergi_kit.clock import utcnow
from sinergi_kit.contracts.events import LocalizedText, Venue
from sinergi_kit.contracts.registry import ContactPoints, PersonRegisteredV1, PersonState
from sinergi_kit.contracts.segments import SegmentCreatedV1, SegmentFilter, SegmentState
from sinergi_kit.db import Database
from sinergi_kit.envelope import Envelope
from sinergi_kit.ids import new_id
from sinergi_kit.migrations import upgrade
from sinergi_kit.nats_server import EmbeddedNats
from sinergi_kit.settings import ServiceSettings
from sinergi_kit.testing.processes import ServiceProcess
from sinergi_kit.uow import UnitOfWorkFactory

INVITE_TARGET_S = 10.0
SCAN_P99_TARGET_MS = 30.0
SCANNERS = 32
KEYS = {"bench": "kunci-penandatangan-untuk-benchmark-0123456789"}
JWT_SECRET = "rahasia-jwt-untuk-benchmark-0123456789abcdef"
PENDOPO = Venue(name="Pendopo Kabupaten Jombang", address="Jl. KH. Wahid Hasyim, Jombang")


def run(*, quick: bool) -> list[Figure]:
    people = 1_000 if quick else 10_000
    scans = 640 if quick else 6_400
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="sinergi-bench-events-") as tmp:
        (Path(tmp) / "door").mkdir()
        with (
            database_urls(Path(tmp)) as urls,
            database_urls(Path(tmp) / "door") as door_urls,
        ):
            for backend, url in urls:
                invited_s, bulk_s = asyncio.run(segment_invitation(url, people))
                print(f"invite {people:,} on {backend}: {invited_s:.2f} s", flush=True)
                figures.append(
                    Figure(
                        name=f"invite a {people:,}-person segment, {backend}",
                        value=invited_s,
                        unit="s",
                        target=f"≤ {INVITE_TARGET_S:.0f} s for 10,000",
                        met=invited_s <= INVITE_TARGET_S * people / 10_000,
                        baseline_name="bulk insert of the rows without events (s)",
                        baseline_value=bulk_s,
                        note=f"{invited_s / bulk_s:.1f}× the bare insert",
                    )
                )
            for backend, url in door_urls:
                figures += door(Path(tmp), scans, backend, url)
    return figures


def context(db: Database) -> EventsContext:
    return EventsContext(
        uow=UnitOfWorkFactory(db, messaging, lambda: None), signer=Signer(KEYS, "bench")
    )


def people_states(count: int) -> list[PersonState]:
    now = utcnow()
    return [
        PersonState(
            id=new_id(),
            version=1,
            name=f"Admin Akun {n}",
            roles=["account_admin"] if n % 10 else ["account_admin", "influencer"],
            contact=ContactPoints(email=f"admin{n}@example.id"),
            created_at=now,
            updated_at=now,
        )
        for n in range(count)
    ]


async def seed(ctx: EventsContext, count: int) -> SegmentState:
    """People and a segment matching all of them, through the projection's handlers."""
    states = people_states(count)
    for start in range(0, count, 1_000):
        batch = [PersonRegisteredV1(person=p) for p in states[start : start + 1_000]]
        async with ctx.uow() as uow:
            await on_people(uow, [(Envelope.wrap(e), e) for e in batch])
    now = utcnow()
    segment = SegmentState(
        id=new_id(),
        version=1,
        name="Semua admin akun",
        filter=SegmentFilter(roles=["account_admin"]),
        created_at=now,
        updated_at=now,
    )
    created = SegmentCreatedV1(segment=segment)
    async with ctx.uow() as uow:
        await on_segments(uow, [(Envelope.wrap(created), created)])
    return segment


async def published_event(ctx: EventsContext, *, starts_in: timedelta) -> Event:
    start = utcnow() + starts_in
    event = await lifecycle.create_event(
        ctx,
        CreateEvent(
            title=LocalizedText(id="Kopilaborasi", en="Kopilaborasi"),
            theme=LocalizedText(id="Bersama lawan hoaks", en="Together against hoaxes"),
            venue=PENDOPO,
            starts_at=start,
            ends_at=start + timedelta(hours=4),
        ),
    )
    return await lifecycle.transition(ctx, event.id, "publish")


async def segment_invitation(url: str, count: int) -> tuple[float, float]:
    await asyncio.to_thread(upgrade, MIGRATIONS, url)
    db = Database(url)
    ctx = context(db)
    try:
        segment = await seed(ctx, count)
        event = await published_event(ctx, starts_in=timedelta(days=30))
        started = time.perf_counter()
        result = await invite.invite_segment(ctx, event.id, InviteSegment(segment_id=segment.id))
        invited_s = time.perf_counter() - started
        async with db.read() as session:
            issued = (
                await session.execute(
                    select(func.count())
                    .select_from(messaging.outbox)
                    .where(messaging.outbox.c.event_type.like("%invitation.issued%"))
                )
            ).scalar_one()
        if result.invited != count or issued != count:
            raise RuntimeError(f"{result.invited} invited, {issued} issued of {count}")

        other = await published_event(ctx, starts_in=timedelta(days=31))
        async with db.read() as session:
            rows = await InvitationRepository(session).page(event.id)
        copies = [replace(i, id=new_id(), event_id=other.id) for i in rows]
        started = time.perf_counter()
        async with db.sessions() as session, session.begin():
            await InvitationRepository(session).add_many(copies)
        bulk_s = time.perf_counter() - started
        return invited_s, bulk_s
    finally:
        await db.dispose()


BARE_APP = textwrap.dedent(
    """
    from fastapi import FastAPI
    from pydantic import BaseModel

    app = FastAPI()

    class Scan(BaseModel):
        nonce: str
        code: str
        direction: str = "entry"

    @app.post("/scans")
    async def scans(body: Scan) -> dict[str, object]:
        return {"nonce": body.nonce, "accepted": True, "reason": None, "message": "Silakan masuk."}
    """
)


def _accepted(body: bytes) -> bool:
    return b'"accepted":true' in body


def bare_scans(tmp: Path, requests: list[bytes]) -> Load:
    with bare_server(tmp, "bare_scans", BARE_APP) as (port, pid):
        return closed_loop(port, pid, requests, SCANNERS, _accepted)


async def door_fixture(url: str, count: int) -> tuple[Event, list[str]]:
    """A published event whose door is open, with ``count`` accepted invitees."""
    await asyncio.to_thread(upgrade, MIGRATIONS, url)
    db = Database(url)
    ctx = context(db)
    try:
        segment = await seed(ctx, count)
        event = await published_event(ctx, starts_in=timedelta(minutes=30))
        await invite.invite_segment(ctx, event.id, InviteSegment(segment_id=segment.id))
        async with db.sessions() as session, session.begin():
            await session.execute(
                update(invitations)
                .where(invitations.c.event_id == event.id)
                .values(response="accepted", seat="confirmed")
            )
            await session.execute(update(messaging.outbox).values(published_at=utcnow()))
        async with db.read() as session:
            rows: list[Invitation] = await InvitationRepository(session).page(event.id)
        return event, [ctx.signer.pass_code(i.id, i.pass_version) for i in rows]
    finally:
        await db.dispose()


def door(tmp: Path, scans: int, backend: str, url: str) -> list[Figure]:
    event, codes = asyncio.run(door_fixture(url, scans + SCANNERS))
    bodies = [
        json.dumps({"nonce": f"pintu-{n:07d}", "code": code}).encode()
        for n, code in enumerate(codes)
    ]
    bare = bare_scans(tmp, [post_json("/scans", body) for body in bodies])
    print(f"bare FastAPI scans: p99 {bare.p99_ms:.1f} ms, {bare.cost()}", flush=True)

    nats = EmbeddedNats(tmp / "nats")
    nats.start()
    service = ServiceProcess(
        "events",
        url,
        nats.url,
        tmp / f"events-{backend}.log",
        extra_env={
            "SINERGI_EVENTS_JWT_SECRET": JWT_SECRET,
            "SINERGI_EVENTS_SIGNING_KEYS": json.dumps(KEYS),
            "SINERGI_EVENTS_SIGNING_KEY_ID": "bench",
            "SINERGI_EVENTS_LOG_LEVEL": "WARNING",
        },
        relay_apart=backend == "postgresql",
    )
    try:
        service.start()
        assert service.process is not None
        token = TokenVerifier(ServiceSettings(jwt_secret=JWT_SECRET)).issue(
            Principal("pintu-utama", frozenset({Role.OPERATOR}))
        )
        headers = f"authorization: Bearer {token}\r\n".encode()
        path = f"/events/{event.id}/scans"
        scanned = closed_loop(
            service.port,
            service.process.pid,
            [post_json(path, body, headers) for body in bodies],
            SCANNERS,
            _accepted,
        )
    finally:
        service.stop()
        nats.stop()
    print(
        f"events service scans, {backend}: p50 {scanned.p50_ms:.1f} ms, "
        f"p99 {scanned.p99_ms:.1f} ms, {scanned.cost()}",
        flush=True,
    )
    return [
        Figure(
            name=f"check-in scan p99, {SCANNERS} scanners, {backend} "
            f"({len(scanned.latencies):,} scans)",
            value=scanned.p99_ms,
            unit="ms",
            target=f"≤ {SCAN_P99_TARGET_MS:.0f} ms",
            met=scanned.p99_ms <= SCAN_P99_TARGET_MS,
            baseline_name="bare FastAPI endpoint p99 (ms)",
            baseline_value=bare.p99_ms,
            note=f"p50 {scanned.p50_ms:.1f} ms; {scanned.rate:,.0f} scans/s "
            f"(bare {bare.rate:,.0f}/s); {scanned.cost()}; bare: {bare.cost()}",
        )
    ]
