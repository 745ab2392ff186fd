"""The notify service as a real process, killed with SIGKILL in the middle of a fan-out:
every invitation still reaches the SMTP server, each once per Message-ID."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import nats
import pytest

from sinergi_kit.auth import Principal, Role, TokenVerifier
from sinergi_kit.clock import utcnow
from sinergi_kit.contracts.registry import PersonRegisteredV1
from sinergi_kit.envelope import Envelope
from sinergi_kit.testing.processes import ServiceProcess, wait_until
from sinergi_notify.mailcatcher import MailCatcher
from sinergi_notify.settings import NotifySettings
from sinergi_notify.testing import (
    NO_QUIET_HOURS_ENV,
    invitation_issued,
    kopilaborasi,
    person_state,
)

pytestmark = pytest.mark.e2e
INVITEES = 300
SECRET = "crash-test-secret-crash-test-secret-12345"


@pytest.fixture
def notify_process(
    clean_nats: str, database_url: str, smtp: MailCatcher, tmp_path: Path
) -> Iterator[ServiceProcess]:
    process = ServiceProcess(
        "notify",
        database_url,
        clean_nats,
        tmp_path / "notify.log",
        extra_env={
            "SINERGI_NOTIFY_SMTP_PORT": str(smtp.port),
            "SINERGI_NOTIFY_JWT_SECRET": SECRET,
            "SINERGI_NOTIFY_LEASE_S": "2",
            "SINERGI_NOTIFY_SENDER_BATCH_SIZE": "25",
            "SINERGI_NOTIFY_SENDER_POLL_INTERVAL_S": "0.05",
            **NO_QUIET_HOURS_ENV,
        },
    )
    process.start()
    try:
        yield process
    finally:
        process.stop()


async def publish_invitations(url: str) -> list[str]:
    people = [person_state(email=f"undangan{n}@example.id") for n in range(INVITEES)]
    event = kopilaborasi(starts_at=utcnow() + timedelta(days=7))
    envelopes = [Envelope.wrap(PersonRegisteredV1(person=p)) for p in people]
    envelopes += [Envelope.wrap(invitation_issued(p, event)) for p in people]
    nc = await nats.connect(url)
    js = nc.jetstream()
    acks = [await js.publish_async(e.type, e.body(), headers=e.headers()) for e in envelopes]
    await asyncio.gather(*acks)
    await nc.close()
    return [p.contact.email or "" for p in people]


def test_sigkill_mid_fan_out_still_delivers_each_invitation_exactly_once(
    notify_process: ServiceProcess, smtp: MailCatcher, clean_nats: str
) -> None:
    addresses = asyncio.run(publish_invitations(clean_nats))
    wait_until(lambda: smtp.store.received >= INVITEES // 5, timeout_s=60)
    notify_process.kill()
    killed_at = smtp.store.received
    assert killed_at < INVITEES, "the fan-out finished before the kill; nothing was tested"
    notify_process.start()
    wait_until(lambda: smtp.store.distinct >= INVITEES, timeout_s=60)
    time.sleep(2.5)  # longer than the lease: any stray re-send would have arrived

    messages = smtp.store.messages()
    assert smtp.store.distinct == INVITEES
    per_address: dict[str, set[str]] = {}
    for message in messages:
        per_address.setdefault(message.rcpt_tos[0], set()).add(str(message.parsed()["Message-ID"]))
    assert sorted(per_address) == sorted(addresses)
    assert all(len(ids) == 1 for ids in per_address.values())

    verifier = TokenVerifier(NotifySettings(jwt_secret=SECRET))
    token = verifier.issue(Principal("ops", frozenset({Role.VIEWER})))
    summary = httpx.get(
        notify_process.base_url + "/notifications/summary",
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert summary == {"total": INVITEES, "by_state": {"sent": INVITEES}}
