"""W3C Trace Context (``traceparent``) carried across services in the envelope."""

from __future__ import annotations

import random
import re
from contextvars import ContextVar
from dataclasses import dataclass

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")

current_traceparent: ContextVar[str | None] = ContextVar("current_traceparent", default=None)


@dataclass(frozen=True)
class TraceParent:
    trace_id: str
    span_id: str
    flags: str = "01"

    def __str__(self) -> str:
        return f"00-{self.trace_id}-{self.span_id}-{self.flags}"

    def child(self) -> TraceParent:
        """A new span in the same trace."""
        return TraceParent(self.trace_id, _random_hex(64), self.flags)

    @classmethod
    def parse(cls, value: str | None) -> TraceParent | None:
        if not value:
            return None
        match = _TRACEPARENT.match(value.strip().lower())
        if match is None or set(match.group(1)) == {"0"} or set(match.group(2)) == {"0"}:
            return None
        return cls(match.group(1), match.group(2), match.group(3))

    @classmethod
    def new(cls) -> TraceParent:
        return cls(_random_hex(128), _random_hex(64))


def _random_hex(bits: int) -> str:
    """A random non-zero id (all zeros is invalid). Trace ids need to be unique, not secret:
    the random module's generator, as OpenTelemetry's id generator uses, instead of the OS's
    entropy source (two system calls on every request). Its shared instance is reseeded in a
    forked child, so forked workers never repeat each other's ids."""
    value = 0
    while value == 0:
        value = random.getrandbits(bits)
    return f"{value:0{bits // 4}x}"


def continue_or_start(incoming: str | None) -> TraceParent:
    """Continue the caller's trace with a new span, or start a new trace."""
    parent = TraceParent.parse(incoming)
    return parent.child() if parent else TraceParent.new()


def traceparent_for_outgoing(parent: str | None = None) -> str:
    """The traceparent an event written now should carry: a new span of ``parent``, by
    default of the trace being served (the request's or the message's)."""
    current = TraceParent.parse(parent if parent is not None else current_traceparent.get())
    return str(current.child() if current else TraceParent.new())
