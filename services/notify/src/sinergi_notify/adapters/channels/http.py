"""The HTTP channels: webhook (HMAC-signed), Telegram bot, WhatsApp Cloud API template
messages and an SMS gateway. Base URLs come from settings, so tests point them at a local
receiver."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

import httpx
import orjson

from sinergi_kit.clock import utcnow
from sinergi_notify.adapters.channels.base import OutgoingMessage
from sinergi_notify.domain.classify import classify_http
from sinergi_notify.domain.delivery import Outcome
from sinergi_notify.domain.model import Channel
from sinergi_notify.settings import NotifySettings

SIGNATURE_HEADER = "X-Sinergi-Signature"


def sign_webhook(secret: bytes, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


async def _post(
    client: httpx.AsyncClient,
    url: str,
    *,
    body: bytes,
    headers: dict[str, str],
    provider_id_of: Any = None,
) -> Outcome:
    try:
        response = await client.post(
            url, content=body, headers={"Content-Type": "application/json", **headers}
        )
    except httpx.HTTPError as exc:
        return Outcome("temporary", f"{type(exc).__name__}: {exc}"[:500])
    provider_id = None
    retry_after = response.headers.get("retry-after")
    if response.is_success and provider_id_of is not None:
        try:
            provider_id = provider_id_of(response.json())
        except (ValueError, KeyError, IndexError, TypeError):
            provider_id = None
    elif response.status_code == 429 and retry_after is None:
        retry_after = _telegram_retry_after(response)
    outcome = classify_http(response.status_code, retry_after, utcnow(), provider_id)
    if outcome.kind != "sent":
        return Outcome(
            outcome.kind,
            f"{outcome.detail}: {response.text[:300]}",
            retry_after_s=outcome.retry_after_s,
            status=outcome.status,
        )
    return outcome


def _telegram_retry_after(response: httpx.Response) -> str | None:
    try:
        value = response.json()["parameters"]["retry_after"]
    except (ValueError, KeyError, TypeError):
        return None
    return str(int(value))


class _HttpChannel:
    def __init__(self, settings: NotifySettings, client: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self.client = client or httpx.AsyncClient(timeout=settings.http_timeout_s)

    async def close(self) -> None:
        await self.client.aclose()


class WebhookChannel(_HttpChannel):
    name: Channel = "webhook"

    async def send(self, message: OutgoingMessage) -> Outcome:
        body = orjson.dumps(
            {
                "id": str(message.notification_id),
                "idempotency_key": message.idempotency_key,
                "template": message.template_key,
                "category": message.category,
                "locale": message.rendered.locale,
                "subject": message.rendered.subject,
                "text": message.rendered.text,
                "data": message.data,
            }
        )
        secret = (self.settings.webhook_secret or self.settings.resolved_jwt_secret()).encode()
        return await _post(
            self.client,
            message.address,
            body=body,
            headers={
                "Idempotency-Key": message.idempotency_key,
                SIGNATURE_HEADER: sign_webhook(secret, int(time.time()), body),
            },
        )


class TelegramChannel(_HttpChannel):
    name: Channel = "telegram"

    async def send(self, message: OutgoingMessage) -> Outcome:
        url = f"{self.settings.telegram_base_url}/bot{self.settings.telegram_bot_token}/sendMessage"
        body = orjson.dumps({"chat_id": message.address, "text": message.rendered.text})
        return await _post(
            self.client,
            url,
            body=body,
            headers={},
            provider_id_of=lambda data: str(data["result"]["message_id"]),
        )


class WhatsAppChannel(_HttpChannel):
    """Template messages: the stored template's subject is the approved template's name and
    each non-empty line of its text is one body parameter."""

    name: Channel = "whatsapp"

    async def send(self, message: OutgoingMessage) -> Outcome:
        s = self.settings
        parameters = [
            {"type": "text", "text": line.strip()}
            for line in message.rendered.text.splitlines()
            if line.strip()
        ]
        body = orjson.dumps(
            {
                "messaging_product": "whatsapp",
                "to": message.address.lstrip("+"),
                "type": "template",
                "biz_opaque_callback_data": message.idempotency_key,
                "template": {
                    "name": message.rendered.subject,
                    "language": {"code": message.rendered.locale},
                    "components": [{"type": "body", "parameters": parameters}],
                },
            }
        )
        return await _post(
            self.client,
            f"{s.whatsapp_base_url}/{s.whatsapp_phone_number_id}/messages",
            body=body,
            headers={"Authorization": f"Bearer {s.whatsapp_token}"},
            provider_id_of=lambda data: str(data["messages"][0]["id"]),
        )


class SmsChannel(_HttpChannel):
    name: Channel = "sms"

    async def send(self, message: OutgoingMessage) -> Outcome:
        s = self.settings
        body = orjson.dumps(
            {
                "to": message.address,
                "from": s.sms_sender,
                "text": message.rendered.text,
                "reference": message.idempotency_key,
            }
        )
        return await _post(
            self.client,
            f"{s.sms_base_url}/messages",
            body=body,
            headers={
                "Authorization": f"Bearer {s.sms_token}",
                "Idempotency-Key": message.idempotency_key,
            },
            provider_id_of=lambda data: str(data["id"]),
        )
