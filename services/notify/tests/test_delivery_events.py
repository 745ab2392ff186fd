"""Delivery events: sent, failed (down the ladder), dead, delivered and read are written to
notify's outbox in the transaction that changes the notification, once per change, and the
relay publishes them on notify's own stream."""

from __future__ import annotations

from typing import TYPE_CHECKING

import nats
import pytest

from sinergi_kit.contracts.notify import (
    NotificationDeadV1,
    NotificationDeliveredV1,
    NotificationFailedV1,
    NotificationReadV1,
    NotificationSentV1,
)
from sinergi_kit.envelope import Envelope
from sinergi_kit.messaging.outbox import OutboxRelay
from sinergi_kit.messaging.topology import STREAMS, provision
from sinergi_notify.adapters.tables import messaging
from sinergi_notify.mailcatcher import MailCatcher
from sinergi_notify.service_layer.receipts import apply_receipts
from sinergi_notify.testing import EVENT_ID, Receiver, invitation_issued

if TYPE_CHECKING:
    from conftest import NotifyFactory


async def test_a_sent_invitation_publishes_one_sent_event_without_personal_data(
    notify_factory: NotifyFactory, smtp: MailCatcher
) -> None:
    notify = await notify_factory()
    person = await notify.person(email="kabar@example.id")
    event = invitation_issued(person)
    envelope = await notify.deliver(event)
    await notify.sender().drain()
    await notify.deliver(event, envelope)  # redelivered after the send
    await notify.sender().drain()

    [row] = await notify.rows()
    [sent] = await notify.published()
    assert isinstance(sent, NotificationSentV1)
    delivery = sent.notification
    assert (delivery.id, delivery.version, delivery.state) == (row.id, 1, "sent")
    assert (delivery.source_event_id, delivery.recipient_id) == (envelope.id, person.id)
    assert (delivery.event_id, delivery.channel, delivery.category) == (
        EVENT_ID,
        "email",
        "invitation",
    )
    assert (delivery.attempts, delivery.status) == (1, 250)
    assert "kabar@example.id" not in sent.model_dump_json()
    assert row.version == 1 and smtp.store.received == 1


async def test_a_permanent_failure_publishes_failed_then_the_next_channel_sent(
    notify_factory: NotifyFactory, receiver: Receiver, smtp: MailCatcher
) -> None:
    notify = await notify_factory(receiver, ladder=["whatsapp", "email"])
    person = await notify.person(whatsapp="+6281234567801", email="tangga2@example.id")
    receiver.answer((400, {}))
    await notify.deliver(invitation_issued(person))
    await notify.sender().drain()

    whatsapp, email = await notify.rows()
    failed, sent = await notify.published()
    assert isinstance(failed, NotificationFailedV1) and failed.next_channel == "email"
    assert (failed.notification.id, failed.notification.reason) == (whatsapp.id, "permanent")
    assert failed.notification.status == 400
    assert isinstance(sent, NotificationSentV1)
    assert (sent.notification.id, sent.notification.escalated_from) == (email.id, whatsapp.id)


async def test_exhausted_retries_publish_dead_and_retries_publish_nothing(
    notify_factory: NotifyFactory, smtp: MailCatcher
) -> None:
    notify = await notify_factory(retry_max_attempts=3)
    person = await notify.person(email="busy@example.id")
    await notify.deliver(invitation_issued(person))
    sender = notify.sender()
    for _ in range(2):
        await sender.drain()
        assert await notify.published() == []  # retrying is not published
        notify.clock.advance(3_600)
    await sender.drain()
    [dead] = await notify.published()
    assert isinstance(dead, NotificationDeadV1)
    assert (dead.notification.state, dead.notification.reason) == ("dead", "exhausted")
    assert (dead.notification.attempts, dead.notification.status) == (3, 451)


async def test_a_sender_that_outlived_its_lease_records_and_publishes_nothing(
    notify_factory: NotifyFactory, smtp: MailCatcher
) -> None:
    notify = await notify_factory(lease_s=30)
    person = await notify.person(email="terlambat@example.id")
    await notify.deliver(invitation_issued(person))
    late, survivor = notify.sender(), notify.sender()
    _decided, claims = await late._claim()
    await survivor.drain()  # in contact with the database for the whole lease from here
    notify.clock.advance(31)  # the late sender stalls past its lease
    await survivor.drain()
    outcomes = [await late._send(claim) for claim in claims]
    await late._record(list(zip(claims, outcomes, strict=True)))

    [row] = await notify.rows()
    assert (row.state, row.version) == ("sent", 1)
    assert [type(e) for e in await notify.published()] == [NotificationSentV1]
    # The receiver saw the same Message-ID twice and can drop the second copy.
    assert smtp.store.received == 2 and smtp.store.distinct == 1


async def test_receipts_publish_delivered_and_read_and_a_failure_on_the_last_channel_is_dead(
    notify_factory: NotifyFactory, receiver: Receiver
) -> None:
    notify = await notify_factory(receiver, ladder=["whatsapp"])
    reached = await notify.person(whatsapp="+6281234567802")
    lost = await notify.person(whatsapp="+6281234567803")
    for person in (reached, lost):
        await notify.deliver(invitation_issued(person))
    await notify.sender().drain()
    provider = {r.recipient_id: r.provider_id for r in await notify.rows()}
    statuses = [
        (provider[reached.id], "delivered", ""),
        (provider[reached.id], "read", ""),
        (provider[reached.id], "delivered", ""),  # late and out of order: ignored
        (provider[lost.id], "failed", '[{"code": 131026}]'),
    ]
    changed = await apply_receipts(
        notify.uow, notify.settings, "whatsapp", statuses, notify.clock()
    )
    assert changed == 3

    events = [e for e in await notify.published() if not isinstance(e, NotificationSentV1)]
    assert [(type(e), e.notification.version) for e in events] == [
        (NotificationDeliveredV1, 2),
        (NotificationReadV1, 3),
        (NotificationDeadV1, 2),
    ]
    assert events[2].notification.reason == "provider_failed"
    read, dead = (await notify.rows(reached.id))[0], (await notify.rows(lost.id))[0]
    assert (read.state, read.version, dead.state) == ("read", 3, "dead")


@pytest.mark.usefixtures("smtp")
async def test_the_relay_publishes_delivery_events_on_the_notify_stream(
    notify_factory: NotifyFactory, clean_nats: str
) -> None:
    notify = await notify_factory()
    person = await notify.person(email="aliran@example.id")
    await notify.deliver(invitation_issued(person))
    await notify.sender().drain()

    nc = await nats.connect(clean_nats)
    try:
        js = nc.jetstream()
        await provision(js, streams=[STREAMS["notify"]], consumers=[])
        relay = OutboxRelay(notify.db, messaging, "notify")
        assert await relay.publish_pending(js) == 1
        subscription = await js.pull_subscribe(
            "sinergi.notify.>", durable="notify-test", stream=STREAMS["notify"].name
        )
        [message] = await subscription.fetch(1, timeout=5)
    finally:
        await nc.close()
    envelope = Envelope.from_message(message.headers or {}, message.data)
    assert envelope.type == NotificationSentV1.event_type
    event = envelope.contract()
    assert isinstance(event, NotificationSentV1) and event.notification.recipient_id == person.id
