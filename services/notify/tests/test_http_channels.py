"""HTTP channels against a real receiver: retries on 429 (Retry-After) and 5xx, the channel
ladder after a permanent failure, webhook signatures and idempotency keys."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, timedelta
from typing import TYPE_CHECKING

from sinergi_notify.adapters.channels.http import SIGNATURE_HEADER
from sinergi_notify.mailcatcher import MailCatcher
from sinergi_notify.service_layer.admin import save_preferences
from sinergi_notify.testing import DAYTIME, Receiver, invitation_issued

if TYPE_CHECKING:
    from conftest import NotifyFactory


async def test_whatsapp_retries_after_429_and_503_honouring_retry_after(
    notify_factory: NotifyFactory, receiver: Receiver
) -> None:
    notify = await notify_factory(receiver, ladder=["whatsapp", "email"], retry_base_s=5)
    person = await notify.person(whatsapp="+6281234567890", email="wa@example.id")
    receiver.answer((429, {"Retry-After": "120"}), (503, {}))
    await notify.deliver(invitation_issued(person))
    sender = notify.sender()

    await sender.drain()
    [row] = await notify.rows()
    assert (row.channel, row.state) == ("whatsapp", "retrying")
    # Backoff would say 5 s; the provider asked for 120 s.
    assert row.next_attempt_at.replace(tzinfo=UTC) == notify.clock.now + timedelta(seconds=120)
    notify.clock.advance(120)
    await sender.drain()
    [row] = await notify.rows()
    assert row.state == "retrying" and "HTTP 503" in row.last_error
    assert row.next_attempt_at.replace(tzinfo=UTC) == notify.clock.now + timedelta(seconds=10)
    notify.clock.advance(10)
    await sender.drain()
    [row] = await notify.rows()
    assert (row.state, row.attempts, row.provider_id) == ("sent", 3, "wamid.3")
    assert [a.status for a in await notify.attempts(row.id)] == [429, 503, 200]
    sent = receiver.requests[-1]
    assert sent["path"] == "/whatsapp/1234/messages"
    assert sent["json"]["to"] == "6281234567890"
    assert sent["json"]["template"]["name"] == "sinergi_undangan"
    assert sent["json"]["template"]["language"] == {"code": "id"}
    assert {r["json"]["biz_opaque_callback_data"] for r in receiver.requests} == {str(row.id)}


async def test_telegram_429_honours_the_retry_after_in_its_answer(
    notify_factory: NotifyFactory, receiver: Receiver
) -> None:
    notify = await notify_factory(receiver, ladder=["telegram"], retry_base_s=5)
    person = await notify.person(telegram="kkd_jombang")
    receiver.answer_with_body(
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 35",
            "parameters": {"retry_after": 35},
        },
    )
    await notify.deliver(invitation_issued(person))
    sender = notify.sender()
    await sender.drain()
    [row] = await notify.rows()
    assert (row.channel, row.state) == ("telegram", "retrying")
    assert row.next_attempt_at.replace(tzinfo=UTC) == notify.clock.now + timedelta(seconds=35)
    notify.clock.advance(35)
    await sender.drain()
    [row] = await notify.rows()
    assert (row.state, row.attempts, row.provider_id) == ("sent", 2, "2")
    assert [r["path"] for r in receiver.requests] == ["/telegram/bottg-token/sendMessage"] * 2
    assert receiver.requests[-1]["json"]["chat_id"] == "kkd_jombang"


async def test_a_permanent_failure_moves_down_the_ladder_to_email(
    notify_factory: NotifyFactory, receiver: Receiver, smtp: MailCatcher
) -> None:
    notify = await notify_factory(receiver, ladder=["whatsapp", "email"])
    person = await notify.person(whatsapp="+6281234567891", email="tangga@example.id")
    receiver.answer((400, {}))  # e.g. not a WhatsApp number
    await notify.deliver(invitation_issued(person))
    await notify.sender().drain()
    whatsapp, email = await notify.rows()
    assert (whatsapp.channel, whatsapp.state, whatsapp.reason) == (
        "whatsapp",
        "failed",
        "permanent",
    )
    assert (email.channel, email.state, email.escalated_from) == ("email", "sent", whatsapp.id)
    assert email.source_event_id == whatsapp.source_event_id
    [message] = smtp.store.messages()
    assert message.rcpt_tos == ("tangga@example.id",)


async def test_the_last_channel_failing_for_good_is_dead(
    notify_factory: NotifyFactory, receiver: Receiver
) -> None:
    notify = await notify_factory(receiver, ladder=["sms"])
    person = await notify.person(whatsapp="+6281234567892")
    receiver.answer((422, {}))
    await notify.deliver(invitation_issued(person))
    await notify.sender().drain()
    [row] = await notify.rows()
    assert (row.channel, row.state) == ("sms", "dead")
    assert receiver.requests[0]["headers"]["idempotency-key"] == str(row.id)


async def test_webhooks_are_signed_and_carry_an_idempotency_key(
    notify_factory: NotifyFactory, receiver: Receiver
) -> None:
    notify = await notify_factory(receiver, ladder=["webhook"], webhook_secret="rahasia")
    person = await notify.person(email="kantor@example.id")
    await save_preferences(
        notify.db, person.id, {"webhook_url": receiver.url + "/hook/kpu"}, DAYTIME
    )
    await notify.deliver(invitation_issued(person))
    await notify.sender().drain()
    [row] = await notify.rows()
    assert row.state == "sent"
    [request] = receiver.requests
    headers = request["headers"]
    assert headers["idempotency-key"] == str(row.id)
    stamp, signature = (p.split("=", 1)[1] for p in headers[SIGNATURE_HEADER.lower()].split(","))
    assert request["json"]["template"] == "invitation"
    assert request["json"]["data"]["event"]["title"]["id"] == "Kopilaborasi 2026"
    # The receiver recomputes the signature over the exact body it got.
    assert len(signature) == 64 and int(stamp) > 0
    assert hmac.compare_digest(
        signature,
        hmac.new(b"rahasia", f"{stamp}.".encode() + _body(request), hashlib.sha256).hexdigest(),
    )


def _body(request: dict[str, object]) -> bytes:
    import orjson

    return orjson.dumps(request["json"])
