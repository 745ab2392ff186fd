"""Continue the caller's W3C trace for the length of a request, so events carry it."""

from __future__ import annotations

import structlog
from starlette.types import ASGIApp, Receive, Scope, Send

from sinergi_kit.tracing import continue_or_start, current_traceparent


class TraceMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k == b"traceparent"), None
        )
        trace = continue_or_start(incoming)
        token = current_traceparent.set(str(trace))
        # Bound and reset by token in this one coroutine: the same as the kit's bound_context,
        # without reading every context variable on each request.
        logged = structlog.contextvars.bind_contextvars(trace_id=trace.trace_id)
        try:
            await self.app(scope, receive, send)
        finally:
            structlog.contextvars.reset_contextvars(**logged)
            current_traceparent.reset(token)
