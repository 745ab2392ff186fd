"""The idempotent consumer: inbox, retries with delay, dead letters, malformed messages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from sinergi_kit.contracts.registry import AccountRegisteredV1
from sinergi_kit.envelope import Envelope
from sinergi_kit.messaging.consumer import RetryPolicy
from sinergi_kit.messaging.dead_letters import list_dead_letters, replay_dead_letters
from sinergi_kit.testing.harness import Harness, account_event, eventually, projection, tables
from sinergi_kit.uow import UnitOfWork

SUBJECT = AccountRegisteredV1.event_type


async def dead_letters(harness: Harness) -> list[Any]:
    async with harness.db.read() as session:
        return list(
            (
                await session.execute(
                    select(tables.dead_letters).order_by(tables.dead_letters.c.created_at)
                )
            ).all()
        )


async def the_dead_letter(harness: Harness) -> Any:
    """The one dead letter, once it is written."""

    async def dead_lettered() -> bool:
        return len(await dead_letters(harness)) == 1

    await eventually(dead_lettered)
    [record] = await dead_letters(harness)
    return record


async def test_a_redelivered_event_is_applied_once(harness_factory, clean_nats) -> None:
    harness: Harness = await harness_factory(clean_nats)
    envelope = Envelope.wrap(account_event())
    headers = envelope.headers()
    await harness.js.publish(SUBJECT, envelope.body(), headers=headers)
    # The same event again after the duplicate window (a replay): a new Nats-Msg-Id.
    await harness.js.publish(SUBJECT, envelope.body(), headers={**headers, "Nats-Msg-Id": "x"})
    harness.run(harness.consumer().run(harness.js))

    async def both_seen() -> bool:
        info = await harness.js.consumer_info("SINERGI_REGISTRY", "test-registry")
        return info.num_ack_pending == 0 and info.delivered.stream_seq == 2

    await eventually(both_seen)
    assert harness.applied == [envelope.id]
    assert await harness.count(tables.inbox) == 1
    assert await harness.count(projection) == 1


async def test_replicas_given_copies_of_the_same_events_apply_each_once(
    harness_factory, clean_nats
) -> None:
    """Each copy goes to one replica; the inbox row each writes first decides which applies
    an event (the other waits for it and skips), so no copy is applied twice or failed."""
    harness: Harness = await harness_factory(clean_nats)
    envelopes = [Envelope.wrap(account_event(handle=f"salinan{n}")) for n in range(40)]
    for copy in ("a", "b"):
        for envelope in envelopes:
            headers = {**envelope.headers(), "Nats-Msg-Id": f"{envelope.id}-{copy}"}
            await harness.js.publish(SUBJECT, envelope.body(), headers=headers)
    for _ in range(2):
        harness.run(harness.consumer(batch_size=16, batched=True).run(harness.js))

    async def all_seen() -> bool:
        info = await harness.js.consumer_info("SINERGI_REGISTRY", "test-registry")
        return info.num_ack_pending == 0 and info.delivered.stream_seq == 80

    await eventually(all_seen)
    assert sorted(harness.applied) == sorted(e.id for e in envelopes)
    assert await harness.count(tables.inbox) == 40
    assert await harness.count(projection) == 40
    assert await dead_letters(harness) == []


async def test_a_handlers_integrity_error_is_its_failure_not_a_repeat(
    harness_factory, clean_nats
) -> None:
    harness: Harness = await harness_factory(clean_nats)
    poison = Envelope.wrap(account_event(handle="kembar"))

    async def handler(uow: UnitOfWork, envelope: Envelope, event: Any) -> None:
        raise IntegrityError("INSERT INTO akun", {}, ValueError("kunci ganda"))

    await harness.js.publish(SUBJECT, poison.body(), headers=poison.headers())
    retry = RetryPolicy(max_deliveries=2, base_delay_s=0.1, max_delay_s=0.2)
    harness.run(harness.consumer({SUBJECT: handler}, retry=retry).run(harness.js))

    record = await the_dead_letter(harness)
    assert (record.reason, record.deliveries) == ("handler_failed", 2)
    assert "kunci ganda" in record.error
    assert await harness.count(tables.inbox) == 0


async def test_a_failing_handler_is_retried_then_dead_lettered_and_the_stream_flows(
    harness_factory, clean_nats
) -> None:
    harness: Harness = await harness_factory(clean_nats)
    poison = account_event(handle="racun")
    attempts: list[int] = []

    async def handler(uow: UnitOfWork, envelope: Envelope, event: Any) -> None:
        if event.account.handle == "racun":
            attempts.append(1)
            raise ValueError("tidak bisa diproses")
        await harness.project(uow, envelope, event)

    for event in (account_event(handle="satu"), poison, account_event(handle="dua")):
        await harness.js.publish(
            SUBJECT, Envelope.wrap(event).body(), headers=Envelope.wrap(event).headers()
        )
    retry = RetryPolicy(max_deliveries=3, base_delay_s=0.1, max_delay_s=0.5)
    harness.run(harness.consumer({SUBJECT: handler}, retry=retry).run(harness.js))

    record = await the_dead_letter(harness)
    assert record.reason == "handler_failed"
    assert "tidak bisa diproses" in record.error
    assert record.deliveries == 3
    # Three deliveries of the poison message: one in the batch, then alone each time.
    assert len(attempts) >= 3
    assert await harness.count(projection) == 2

    later = account_event(handle="tiga")
    await harness.js.publish(
        SUBJECT, Envelope.wrap(later).body(), headers=Envelope.wrap(later).headers()
    )

    async def flowing() -> bool:
        return await harness.count(projection) == 3

    await eventually(flowing)


async def test_malformed_messages_are_dead_lettered_without_stopping_the_consumer(
    harness_factory, clean_nats
) -> None:
    harness: Harness = await harness_factory(clean_nats)
    good = Envelope.wrap(account_event())
    headers = good.headers()
    bad_schema = Envelope.wrap(account_event(handle="skema"))

    def fresh(extra: dict[str, str]) -> dict[str, str]:
        import uuid

        return {**headers, "ce-id": str(uuid.uuid4()), "Nats-Msg-Id": str(uuid.uuid4()), **extra}

    await harness.js.publish(SUBJECT, b"{not json", headers=fresh({}))
    await harness.js.publish(SUBJECT, b'{"account": {"id": 3}}', headers=fresh({}))
    await harness.js.publish(
        "sinergi.registry.account.teleported.v1",
        bad_schema.body(),
        headers=fresh({"ce-type": "sinergi.registry.account.teleported.v1"}),
    )
    no_id = {k: v for k, v in fresh({}).items() if k != "ce-id"}
    await harness.js.publish(SUBJECT, good.body(), headers=no_id)
    await harness.js.publish(SUBJECT, good.body(), headers=headers)
    harness.run(harness.consumer().run(harness.js))

    async def settled() -> bool:
        return await harness.count(projection) == 1 and len(await dead_letters(harness)) == 4

    await eventually(settled)
    reasons = sorted(r.reason for r in await dead_letters(harness))
    assert reasons == ["bad_json", "invalid_data", "missing_headers", "unknown_type"]
    assert harness.applied == [good.id]


async def test_a_dead_letter_is_replayed_once_the_cause_is_fixed(
    harness_factory, clean_nats
) -> None:
    harness: Harness = await harness_factory(clean_nats)
    broken = {"yes": True}

    async def handler(uow: UnitOfWork, envelope: Envelope, event: Any) -> None:
        if broken["yes"]:
            raise RuntimeError("proyeksi belum siap")
        await harness.project(uow, envelope, event)

    event = account_event(handle="tertunda")
    envelope = Envelope.wrap(event)
    await harness.js.publish(SUBJECT, envelope.body(), headers=envelope.headers())
    consumer = harness.consumer({SUBJECT: handler}, retry=RetryPolicy(max_deliveries=1))
    harness.run(consumer.run(harness.js))

    async def dead_lettered() -> bool:
        return len(await dead_letters(harness)) == 1

    await eventually(dead_lettered)
    [still_failing] = await replay_dead_letters(harness.db, tables, [consumer])
    assert not still_failing.ok and "proyeksi belum siap" in still_failing.error

    broken["yes"] = False
    [outcome] = await replay_dead_letters(harness.db, tables, [consumer])
    assert outcome.ok
    assert harness.applied == [envelope.id]
    assert await harness.count(projection) == 1
    assert await list_dead_letters(harness.db, tables) == []
    assert len(await list_dead_letters(harness.db, tables, include_resolved=True)) == 1
    assert await replay_dead_letters(harness.db, tables, [consumer]) == []
