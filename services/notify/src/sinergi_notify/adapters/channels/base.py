"""One interface for every channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

from sinergi_notify.adapters.rendering import Rendered
from sinergi_notify.domain.delivery import Outcome
from sinergi_notify.domain.model import Channel


@dataclass(frozen=True)
class OutgoingMessage:
    notification_id: UUID
    idempotency_key: str
    """The same for every attempt of one notification: providers and receivers dedupe on it."""
    channel: Channel
    address: str
    rendered: Rendered
    template_key: str
    category: str
    unsubscribe_url: str | None = None
    ics: str | None = None
    ics_method: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


class ChannelAdapter(Protocol):
    name: Channel

    async def send(self, message: OutgoingMessage) -> Outcome: ...

    async def close(self) -> None: ...
