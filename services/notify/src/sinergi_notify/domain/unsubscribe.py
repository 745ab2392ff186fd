"""Signed one-click unsubscribe tokens (HMAC-SHA256): who, which category, which channel."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from uuid import UUID

from sinergi_notify.domain.model import CATEGORIES, CHANNELS
from sinergi_notify.domain.preferences import ANY


class InvalidTokenError(ValueError):
    pass


@dataclass(frozen=True)
class UnsubscribeScope:
    recipient_id: UUID
    category: str  # a category or "*"
    channel: str  # a channel or "*"
    locale: str = "id"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, b"unsubscribe:" + payload, hashlib.sha256).digest()


def sign(secret: bytes, scope: UnsubscribeScope) -> str:
    payload = f"{scope.recipient_id}|{scope.category}|{scope.channel}|{scope.locale}".encode()
    return f"{_b64(payload)}.{_b64(_mac(secret, payload))}"


def verify(secret: bytes, token: str) -> UnsubscribeScope:
    try:
        encoded, _, signature = token.partition(".")
        payload = _unb64(encoded)
        if not hmac.compare_digest(_unb64(signature), _mac(secret, payload)):
            raise InvalidTokenError("bad signature")
        recipient, category, channel, locale = payload.decode().split("|")
        scope = UnsubscribeScope(UUID(recipient), category, channel, locale)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidTokenError(str(exc)) from exc
    if scope.category not in (*CATEGORIES, ANY) or scope.channel not in (*CHANNELS, ANY):
        raise InvalidTokenError("unknown scope")
    return scope
