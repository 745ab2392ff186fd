"""Several senders on one database: no row is claimed twice, a crashed sender's lease
expires and another takes over with the same Message-ID, rate limits hold across senders."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from sinergi_notify.mailcatcher import MailCatcher
from sinergi_notify.testing import Receiver, invitation_issued

if TYPE_CHECKING:
    from conftest import NotifyFactory


async def test_two_senders_never_send_the_same_notification(
    notify_factory: NotifyFactory, smtp: MailCatcher
) -> None:
    notify = await notify_factory(sender_batch_size=7)
    for n in range(40):
        person = await notify.person(email=f"peserta{n}@example.id")
        await notify.deliver(invitation_issued(person))
    first, second = notify.sender(), notify.sender()
    for _ in range(10):
        await asyncio.gather(first.run_once(), second.run_once())
    assert smtp.store.received == 40 and smtp.store.distinct == 40
    assert {r.state for r in await notify.rows()} == {"sent"}
    workers = {a.worker for r in await notify.rows() for a in await notify.attempts(r.id)}
    assert workers == {first.worker, second.worker}


async def test_a_crashed_senders_lease_expires_and_the_resend_keeps_its_message_id(
    notify_factory: NotifyFactory, smtp: MailCatcher
) -> None:
    notify = await notify_factory(lease_s=30)
    person = await notify.person(email="lease@example.id")
    await notify.deliver(invitation_issued(person))
    crashed, survivor = notify.sender(), notify.sender()
    _decided, claims = await crashed._claim()  # claimed, then the process died mid-send
    assert len(claims) == 1
    await survivor.drain()
    assert smtp.store.received == 0  # the lease still holds
    notify.clock.advance(31)
    await survivor.drain()
    [row] = await notify.rows()
    assert (row.state, row.attempts) == ("sent", 2)
    assert [a.outcome for a in await notify.attempts(row.id)] == ["lease_expired", "sent"]
    [message] = smtp.store.messages()
    assert str(message.parsed()["Message-ID"]) == f"<{row.id}@{notify.settings.message_id_domain}>"


async def test_the_rate_limit_is_shared_by_every_sender(
    notify_factory: NotifyFactory, smtp: MailCatcher
) -> None:
    notify = await notify_factory(rate_per_s={"email": 5.0}, rate_burst={"email": 5.0})
    for n in range(12):
        person = await notify.person(email=f"antri{n}@example.id")
        await notify.deliver(invitation_issued(person))
    senders = [notify.sender(), notify.sender(), notify.sender()]
    await asyncio.gather(*(s.run_once() for s in senders))
    assert smtp.store.received == 5
    notify.clock.advance(1.0)
    await asyncio.gather(*(s.run_once() for s in senders))
    assert smtp.store.received == 10
    notify.clock.advance(0.2)  # one token
    await asyncio.gather(*(s.run_once() for s in senders))
    assert smtp.store.received == 11


async def test_a_slow_send_keeps_its_lease_so_no_other_sender_takes_over(
    notify_factory: NotifyFactory, receiver: Receiver
) -> None:
    notify = await notify_factory(receiver, ladder=["sms"], lease_s=0.3)
    person = await notify.person(whatsapp="+6281234567896")
    await notify.deliver(invitation_issued(person))
    receiver.delay_s = 0.8
    slow, other = notify.sender(), notify.sender()
    sending = asyncio.create_task(slow.run_once())
    while not receiver.requests:  # noqa: ASYNC110 - polling the receiver's record
        await asyncio.sleep(0.01)
    notify.clock.advance(0.5)  # past the first lease
    await asyncio.sleep(0.25)  # the keeper renews every lease_s / 3
    assert await other.run_once() == 0
    await sending
    [row] = await notify.rows()
    assert (row.state, row.attempts) == ("sent", 1)
    assert len(receiver.requests) == 1


async def test_two_service_instances_on_one_database_share_the_limit_and_send_once(
    notify_factory: NotifyFactory, smtp: MailCatcher
) -> None:
    limits = {"rate_per_s": {"email": 5.0}, "rate_burst": {"email": 5.0}, "sender_batch_size": 4}
    first = await notify_factory(**limits)
    second = await notify_factory(**limits)  # its own engine and connection pool
    second.clock = first.clock
    assert first.db is not second.db
    for n in range(12):
        person = await first.person(email=f"replika{n}@example.id")
        await first.deliver(invitation_issued(person))
    senders = [first.sender(), second.sender(), first.sender(), second.sender()]

    async def round_of_sends() -> None:
        await asyncio.gather(*(s.run_once() for s in senders))

    await round_of_sends()
    assert smtp.store.received == 5
    first.clock.advance(1.0)
    await round_of_sends()
    assert smtp.store.received == 10
    first.clock.advance(10.0)
    await round_of_sends()
    assert smtp.store.received == smtp.store.distinct == 12
    rows = await second.rows()
    assert {(r.state, r.attempts) for r in rows} == {("sent", 1)}
    sent = await second.published()
    assert sorted(e.subject_id() for e in sent) == sorted(str(r.id) for r in rows)


async def test_a_throttled_channel_does_not_hold_up_the_others(
    notify_factory: NotifyFactory, receiver: Receiver, smtp: MailCatcher
) -> None:
    notify = await notify_factory(
        receiver,
        ladder=["whatsapp", "email"],
        rate_per_s={"whatsapp": 1.0},
        rate_burst={"whatsapp": 1.0},
        sender_batch_size=2,
    )
    for n in range(3):
        person = await notify.person(whatsapp=f"+62812345670{n}0")
        await notify.deliver(invitation_issued(person))
        notify.clock.advance(0.001)  # the WhatsApp messages are the oldest
    mailed = await notify.person(email="surel@example.id")
    await notify.deliver(invitation_issued(mailed))
    sender = notify.sender()

    await sender.run_once()  # one WhatsApp token; the second message waits its turn
    await sender.run_once()  # the email goes although WhatsApp is still throttled
    assert len(receiver.requests) == 1 and smtp.store.received == 1
    queued = [r for r in await notify.rows() if r.state == "pending"]
    assert len(queued) == 2 and {r.channel for r in queued} == {"whatsapp"}
    for _ in range(2):  # one token a second
        notify.clock.advance(1.0)
        await sender.drain()
    assert len(receiver.requests) == 3
