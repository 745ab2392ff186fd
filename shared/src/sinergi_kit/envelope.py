"""CloudEvents 1.0 in binary mode over NATS: attributes in ``ce-*`` headers, JSON data in the body.

``Nats-Msg-Id`` equals ``ce-id`` so JetStream drops a duplicate publish inside its window.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from pydantic import ValidationError

from sinergi_kit.clock import utcnow
from sinergi_kit.contracts.base import EventContract, contract_for
from sinergi_kit.ids import new_id
from sinergi_kit.tracing import TraceParent, traceparent_for_outgoing

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"


class EnvelopeError(ValueError):
    """A message that is not a valid Sinergi event. ``reason`` is a stable code."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def message_headers(
    event_id: UUID, event_type: str, source: str, subject: str, time: datetime, traceparent: str
) -> dict[str, str]:
    """An event's attributes as the headers of its NATS message."""
    message_id = str(event_id)
    return {
        "ce-specversion": SPEC_VERSION,
        "ce-id": message_id,
        "ce-type": event_type,
        "ce-source": source,
        "ce-subject": subject,
        "ce-time": time.isoformat(),
        "content-type": CONTENT_TYPE,
        "traceparent": traceparent,
        "Nats-Msg-Id": message_id,
    }


@dataclass(frozen=True)
class Envelope:
    id: UUID
    type: str
    source: str
    subject: str
    time: datetime
    data: dict[str, Any]
    traceparent: str = field(default_factory=traceparent_for_outgoing)

    @classmethod
    def wrap(
        cls, event: EventContract, *, source: str | None = None, trace_parent: str | None = None
    ) -> Envelope:
        return cls(
            id=new_id(),
            type=event.event_type,
            source=source or f"/sinergi/{event.producer()}",
            subject=event.subject_id(),
            time=utcnow(),
            data=event.model_dump(mode="json"),
            traceparent=traceparent_for_outgoing(trace_parent),
        )

    @property
    def trace_id(self) -> str | None:
        parsed = TraceParent.parse(self.traceparent)
        return parsed.trace_id if parsed else None

    def headers(self) -> dict[str, str]:
        return message_headers(
            self.id, self.type, self.source, self.subject, self.time, self.traceparent
        )

    def body(self) -> bytes:
        return orjson.dumps(self.data)

    def contract(self) -> EventContract:
        """The typed payload; raises :class:`EnvelopeError` for unknown or invalid data."""
        model = contract_for(self.type)
        if model is None:
            raise EnvelopeError("unknown_type", f"no contract for event type {self.type!r}")
        try:
            return model.model_validate(self.data)
        except ValidationError as exc:
            raise EnvelopeError("invalid_data", str(exc)) from exc

    @classmethod
    def from_message(cls, headers: dict[str, str] | None, body: bytes) -> Envelope:
        headers = headers or {}
        missing = [
            name
            for name in ("ce-specversion", "ce-id", "ce-type", "ce-source", "ce-time")
            if not headers.get(name)
        ]
        if missing:
            raise EnvelopeError("missing_headers", f"missing {', '.join(missing)}")
        if headers["ce-specversion"] != SPEC_VERSION:
            raise EnvelopeError("bad_specversion", headers["ce-specversion"])
        try:
            event_id = UUID(headers["ce-id"])
            time = datetime.fromisoformat(headers["ce-time"])
        except ValueError as exc:
            raise EnvelopeError("bad_attribute", str(exc)) from exc
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise EnvelopeError("bad_json", str(exc)) from exc
        if not isinstance(data, dict):
            raise EnvelopeError("bad_json", "the body is not a JSON object")
        return cls(
            id=event_id,
            type=headers["ce-type"],
            source=headers["ce-source"],
            subject=headers.get("ce-subject", ""),
            time=time,
            data=data,
            traceparent=headers.get("traceparent") or str(TraceParent.new()),
        )
