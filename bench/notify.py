"""bench/notify: invitations fanned out to a local SMTP server (aiosmtpd) by the notify
service as a real process — person and invitation events on JetStream → recipients
projection → notifications → leased sender → SMTP — beside raw aiosmtplib sends of the same
messages over as many connections, in the same run. Then the same fan-out with the notify
process killed (SIGKILL) twice in the middle: distinct deliveries are counted by Message-ID.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import aiosmtplib
import httpx
import nats

from bench.report import Figure
from sinergi_kit.auth import Principal, Role, TokenVerifier
from sinergi_kit.clock import utcnow
from sinergi_kit.contracts.base import EventContract
from sinergi_kit.contracts.registry import PersonRegisteredV1, PersonState
from sinergi_kit.envelope import Envelope
from sinergi_kit.nats_server import EmbeddedNats, free_port
from sinergi_kit.testing.plugin import delete_sinergi_streams
from sinergi_kit.testing.processes import ServiceProcess, wait_until
from sinergi_notify.adapters.channels.base import OutgoingMessage
from sinergi_notify.adapters.channels.email import build_email
from sinergi_notify.adapters.rendering import Renderer, default_templates
from sinergi_notify.mailcatcher import MailCatcher, MailStore
from sinergi_notify.settings import NotifySettings
from sinergi_notify.testing import (
    NO_QUIET_HOURS_ENV,
    invitation_issued,
    kopilaborasi,
    person_state,
)

TARGET_S = 60.0
SMTP_CONNECTIONS = 4
SECRET = "bench-secret-bench-secret-bench-secret-1234"


def run(*, quick: bool) -> list[Figure]:
    count = 300 if quick else 10_000
    with tempfile.TemporaryDirectory(prefix="sinergi-bench-notify-") as tmp:
        server = EmbeddedNats(Path(tmp) / "nats")
        server.start()
        try:
            people = [person_state(email=f"peserta{n}@example.id") for n in range(count)]
            raw_s = asyncio.run(raw_smtp_seconds(people))
            print(f"raw aiosmtplib: {count:,} messages in {raw_s:.1f} s", flush=True)
            plain = fan_out(server.url, Path(tmp), people, kills=0)
            killed = fan_out(server.url, Path(tmp), people, kills=2)
        finally:
            server.stop()
    figures = []
    for label, result in (("", plain), (", SIGKILL twice", killed)):
        seconds, distinct, received = result
        lost, duplicates = count - distinct, received - distinct
        print(
            f"notify{label}: {distinct:,}/{count:,} distinct in {seconds:.1f} s, "
            f"{duplicates} re-sent with the same Message-ID",
            flush=True,
        )
        figures.append(
            Figure(
                name=f"notify: {count:,} invitations by email{label}",
                value=seconds,
                unit="s",
                target=f"≤ {TARGET_S:.0f} s, 0 lost, 0 distinct duplicates",
                met=seconds <= TARGET_S and lost == 0,
                baseline_name="raw aiosmtplib sends",
                baseline_value=raw_s,
                note=f"{distinct:,} distinct Message-IDs, {lost} lost, {duplicates} raw "
                "re-sends after a crash (same Message-ID)",
            )
        )
    return figures


def messages(people: list[PersonState]) -> list[bytes]:
    """The invitations as notify renders them, for the raw baseline."""
    renderer = Renderer()
    [template] = [
        t
        for t in default_templates()
        if (t.key, t.channel, t.locale) == ("invitation", "email", "id")
    ]
    event = kopilaborasi(starts_at=utcnow() + timedelta(days=7))
    raw = []
    for person in people:
        issued = invitation_issued(person, event)
        context = {
            "event": event.model_dump(mode="json"),
            "rsvp_url": f"http://127.0.0.1:8102/rsvp/{issued.invitation.id}",
            "recipient_name": person.name,
        }
        rendered = renderer.render(template, context, timezone="Asia/Jakarta")
        message = OutgoingMessage(
            notification_id=uuid4(),
            idempotency_key=str(uuid4()),
            channel="email",
            address=person.contact.email or "",
            rendered=rendered,
            template_key="invitation",
            category="invitation",
        )
        raw.append(build_email(message, sender="bench@example.id", domain="bench"))
    return raw


async def raw_smtp_seconds(people: list[PersonState]) -> float:
    catcher = MailCatcher(port=free_port(), store=MailStore(capacity=0))
    catcher.start()
    try:
        payloads = messages(people)
        addresses = [p.contact.email or "" for p in people]
        queue: asyncio.Queue[int] = asyncio.Queue()
        for index in range(len(payloads)):
            queue.put_nowait(index)

        async def worker() -> None:
            client = aiosmtplib.SMTP(hostname="127.0.0.1", port=catcher.port)
            await client.connect()
            while not queue.empty():
                index = queue.get_nowait()
                await client.sendmail("bench@example.id", [addresses[index]], payloads[index])
            await client.quit()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(SMTP_CONNECTIONS)))
        elapsed = time.perf_counter() - started
        assert catcher.store.received == len(people)
        return elapsed
    finally:
        catcher.stop()


def fan_out(
    nats_url: str, tmp: Path, people: list[PersonState], *, kills: int
) -> tuple[float, int, int]:
    """Seconds from publishing the invitations to the last distinct delivery; distinct and
    raw counts."""
    asyncio.run(delete_sinergi_streams(nats_url))
    catcher = MailCatcher(port=free_port(), store=MailStore(capacity=0))
    catcher.start()
    name = f"notify-{kills}-{uuid4().hex[:6]}"
    process = ServiceProcess(
        "notify",
        f"sqlite+aiosqlite:///{tmp / (name + '.db')}",
        nats_url,
        tmp / f"{name}.log",
        extra_env={
            "SINERGI_NOTIFY_SMTP_PORT": str(catcher.port),
            "SINERGI_NOTIFY_SMTP_CONNECTIONS": str(SMTP_CONNECTIONS),
            "SINERGI_NOTIFY_JWT_SECRET": SECRET,
            "SINERGI_NOTIFY_LEASE_S": "5",
            "SINERGI_NOTIFY_LOG_LEVEL": "WARNING",
            **NO_QUIET_HOURS_ENV,
        },
    )
    process.start()
    try:
        asyncio.run(publish([PersonRegisteredV1(person=p) for p in people], nats_url))
        wait_projected(process, people[-1])
        event = kopilaborasi(starts_at=utcnow() + timedelta(days=7))
        started = time.perf_counter()
        asyncio.run(publish([invitation_issued(p, event) for p in people], nats_url))
        count = len(people)
        for kill in range(1, kills + 1):
            share = count * kill // (kills + 1)
            wait_until(lambda: catcher.store.received >= share, timeout_s=300)  # noqa: B023 - used at once
            process.kill()
            process.start()
        wait_until(lambda: catcher.store.distinct >= count, timeout_s=600)
        elapsed = time.perf_counter() - started
        time.sleep(0.5)
        return elapsed, catcher.store.distinct, catcher.store.received
    finally:
        process.stop()
        catcher.stop()


async def publish(events: Sequence[EventContract], url: str) -> None:
    nc = await nats.connect(url)
    js = nc.jetstream()
    envelopes = [Envelope.wrap(e) for e in events]
    for start in range(0, len(envelopes), 1_000):
        acks = [
            await js.publish_async(e.type, e.body(), headers=e.headers())
            for e in envelopes[start : start + 1_000]
        ]
        await asyncio.gather(*acks)
    await nc.close()


def wait_projected(process: ServiceProcess, last: PersonState) -> None:
    token = TokenVerifier(NotifySettings(jwt_secret=SECRET)).issue(
        Principal("bench", frozenset({Role.VIEWER}))
    )
    headers = {"Authorization": f"Bearer {token}"}
    wait_until(
        lambda: (
            httpx.get(f"{process.base_url}/recipients/{last.id}", headers=headers).status_code
            == 200
        ),
        timeout_s=300,
    )
