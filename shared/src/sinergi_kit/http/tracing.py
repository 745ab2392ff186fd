"""Continue the caller's W3C trace for the length of a request, so events carry it."""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import Token

import structlog
from starlette.types import ASGIApp, Receive, Scope, Send

from sinergi_kit.tracing import continue_or_start, current_traceparent

TRACEPARENT = b"traceparent"

RequestTrace = tuple[Token[str | None], Mapping[str, Token[object]]]


def enter_trace(incoming: bytes | None) -> RequestTrace:
    """Makes the caller's trace (a new span in it), or a new trace, current and binds its
    id for logging; :func:`leave_trace` undoes it in the same coroutine."""
    trace = continue_or_start(incoming.decode("latin-1") if incoming is not None else None)
    # Bound and reset by token: the same as the kit's bound_context, without reading every
    # context variable on each request.
    return (
        current_traceparent.set(str(trace)),
        structlog.contextvars.bind_contextvars(trace_id=trace.trace_id),
    )


def leave_trace(entered: RequestTrace) -> None:
    current, logged = entered
    structlog.contextvars.reset_contextvars(**logged)
    current_traceparent.reset(current)


class TraceMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        entered = enter_trace(next((v for k, v in scope["headers"] if k == TRACEPARENT), None))
        try:
            await self.app(scope, receive, send)
        finally:
            leave_trace(entered)
