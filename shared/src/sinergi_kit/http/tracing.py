"""Continue the caller's W3C trace for the length of a request, so events carry it."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from sinergi_kit.logging import bound_context
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
        try:
            with bound_context(trace_id=trace.trace_id):
                await self.app(scope, receive, send)
        finally:
            current_traceparent.reset(token)
