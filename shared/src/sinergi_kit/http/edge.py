"""The layer every request of a service passes before its routes: it joins the caller's
trace and gets the CORS headers browsers need.

One layer does what :class:`~sinergi_kit.http.tracing.TraceMiddleware` and Starlette's
``CORSMiddleware`` did one inside the other, and reads the request's headers once. A
request without an ``Origin`` header (every call but a browser's) needs nothing from CORS
but the ``Vary: Origin`` on its answer, which is added here without building header
objects; a request with one is handed to Starlette's middleware itself, so preflights and
cross-origin answers are exactly Starlette's.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sinergi_kit.http.tracing import TRACEPARENT, enter_trace, leave_trace

ORIGIN = b"origin"
VARY = b"vary"
EXPOSED_HEADERS = ("ETag", "Location")


def vary_on_origin(message: Message) -> None:
    """Adds ``Origin`` to a response start's ``Vary`` header, as CORSMiddleware does."""
    headers = message["headers"] = list(message.get("headers", ()))
    if not any(name == VARY for name, _ in headers):
        headers.append((VARY, b"Origin"))
        return
    varied = MutableHeaders(scope=message)
    varied["Vary"] = ", ".join([*varied.getlist("Vary"), "Origin"])


def varying_on_origin(send: Send) -> Send:
    async def send_varying(message: Message) -> None:
        if message["type"] == "http.response.start":
            vary_on_origin(message)
        await send(message)

    return send_varying


class RequestEdge:
    """Trace context and CORS (any method and header from ``cors_origins``; ETag and
    Location readable by the page) for each HTTP request."""

    def __init__(self, app: ASGIApp, *, cors_origins: Sequence[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=EXPOSED_HEADERS,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = origin = None
        for name, value in scope["headers"]:
            if name == TRACEPARENT and incoming is None:
                incoming = value
            elif name == ORIGIN and origin is None:
                origin = value
        entered = enter_trace(incoming)
        try:
            if origin is None:
                await self.app(scope, receive, varying_on_origin(send))
            else:
                await self.cors(scope, receive, send)
        finally:
            leave_trace(entered)
