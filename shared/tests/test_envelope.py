"""The CloudEvents binary envelope and trace context."""

from __future__ import annotations

import pytest

from sinergi_kit.envelope import Envelope, EnvelopeError
from sinergi_kit.testing.harness import account_event
from sinergi_kit.tracing import TraceParent, current_traceparent


def test_round_trip_keeps_every_attribute_and_the_payload() -> None:
    event = account_event()
    envelope = Envelope.wrap(event)
    headers = envelope.headers()
    assert headers["ce-specversion"] == "1.0"
    assert headers["Nats-Msg-Id"] == headers["ce-id"] == str(envelope.id)
    assert headers["ce-type"] == "sinergi.registry.account.registered.v1"
    assert headers["ce-source"] == "/sinergi/registry"
    assert headers["ce-subject"] == str(event.account.id)
    assert envelope.id.version == 7
    decoded = Envelope.from_message(headers, envelope.body())
    assert decoded == envelope
    assert decoded.contract() == event


def test_an_event_written_inside_a_trace_continues_it() -> None:
    parent = TraceParent.new()
    token = current_traceparent.set(str(parent))
    try:
        envelope = Envelope.wrap(account_event())
    finally:
        current_traceparent.reset(token)
    assert envelope.trace_id == parent.trace_id
    assert envelope.traceparent != str(parent)


@pytest.mark.parametrize(
    ("headers", "body", "reason"),
    [
        ({}, b"{}", "missing_headers"),
        ({"ce-specversion": "0.3"}, b"{}", "bad_specversion"),
        ({"ce-id": "not-a-uuid"}, b"{}", "bad_attribute"),
        ({}, b"[1, 2]", "bad_json"),
        ({}, b"\xff\xfe", "bad_json"),
    ],
)
def test_malformed_messages_are_refused_with_a_reason(
    headers: dict[str, str], body: bytes, reason: str
) -> None:
    base = Envelope.wrap(account_event()).headers()
    if reason == "missing_headers":
        base.pop("ce-id")
    with pytest.raises(EnvelopeError) as raised:
        Envelope.from_message({**base, **headers}, body)
    assert raised.value.reason == reason


def test_traceparent_parsing_rejects_all_zero_and_malformed_values() -> None:
    assert TraceParent.parse("00-" + "0" * 32 + "-" + "1" * 16 + "-01") is None
    assert TraceParent.parse("garbage") is None
    parsed = TraceParent.parse("00-" + "a" * 32 + "-" + "b" * 16 + "-01")
    assert parsed is not None and parsed.child().trace_id == "a" * 32
