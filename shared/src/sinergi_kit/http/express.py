"""Direct routes served ahead of FastAPI's middleware and router.

Before it reaches its route, a request passes FastAPI's five layers of middleware (server
errors, telemetry, the body limit, handled exceptions, the exit stack), the router, and two
more wrappers around the route; each wraps the messages the answer sends, and each resumes
when the request's awaits do. Measured under uvicorn on this project's machines, a bare
FastAPI endpoint cost 159–191 µs of CPU a request where a plain ASGI function validating
the same body with the same model cost 36–56 µs.

A :class:`~sinergi_kit.http.direct.DirectRoute` needs none of those layers: its handler
reads and validates its own inputs. The :class:`ExpressLane` serves the direct routes among
the app's own routes (an included router's routes stay behind it): a request goes to a
direct route when the router would have sent it there (the first route to match it fully,
in the app's order) and is otherwise handed to the app's whole stack. An exception becomes
the response the app's own exception handlers give it, and one without a handler of its own
gets the app's server-error response and is raised again, as the layers it skips would do.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, cast

from fastapi import FastAPI
from starlette._utils import is_async_callable
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, HTTPExceptionHandler, Receive, Scope, Send

from sinergi_kit.http.direct import DirectRoute

Handler = Callable[[Request], Awaitable[Response]]


class _Lane:
    def __init__(self, route: DirectRoute, preceding: Sequence[BaseRoute]) -> None:
        self.route = route
        self.preceding = preceding
        self.handle: Handler = route.get_route_handler()

    def takes(self, scope: Scope) -> Scope | None:
        """The path values of ``scope`` when the router would send it to this route."""
        match, child_scope = self.route.matches(scope)
        if match is not Match.FULL:
            return None
        if any(route.matches(scope)[0] is Match.FULL for route in self.preceding):
            return None
        return child_scope


class ExpressLane:
    """Serves ``app``'s direct routes; any other request goes on to ``rest`` (the app's own
    middleware and router)."""

    def __init__(self, app: FastAPI, rest: ASGIApp) -> None:
        self.rest = rest
        self.router = app.router
        routes = app.router.routes
        # A middleware the app declares, or its body limit, is a layer every request must
        # pass: with either, the lane serves nothing.
        self.lanes = (
            [
                _Lane(route, routes[:position])
                for position, route in enumerate(routes)
                if isinstance(route, DirectRoute)
            ]
            if not app.user_middleware and app.max_body_size is None
            else []
        )
        handlers: dict[Any, HTTPExceptionHandler] = dict(app.exception_handlers)
        # As FastAPI builds its stack: the last handler given for Exception or 500 answers
        # server errors, and neither is a handler of the rest.
        self.server_error: HTTPExceptionHandler | None = None
        for key in [key for key in handlers if key in (500, Exception)]:
            self.server_error = handlers.pop(key)
        self.status_handlers = {k: v for k, v in handlers.items() if isinstance(k, int)}
        self.class_handlers = {k: v for k, v in handlers.items() if isinstance(k, type)}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for lane in self.lanes:
                child_scope = lane.takes(scope)
                if child_scope is not None:
                    scope.update(child_scope)
                    scope.setdefault("router", self.router)
                    await self._serve(lane.handle, scope, receive, send)
                    return
        await self.rest(scope, receive, send)

    async def _serve(self, handle: Handler, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        try:
            response = await handle(request)
        except Exception as error:
            handler = self._handler_for(error)
            if handler is None:
                await self._respond_to_the_unexpected(request, error, send)
                raise
            response = await _call(handler, request, error)
        await response(scope, receive, send)

    def _handler_for(self, error: Exception) -> HTTPExceptionHandler | None:
        if isinstance(error, HTTPException) and error.status_code in self.status_handlers:
            return self.status_handlers[error.status_code]
        for cls in type(error).__mro__:
            if cls in self.class_handlers:
                return self.class_handlers[cls]
        return None

    async def _respond_to_the_unexpected(
        self, request: Request, error: Exception, send: Send
    ) -> None:
        response = (
            await _call(self.server_error, request, error)
            if self.server_error is not None
            else Response("Internal Server Error", status_code=500, media_type="text/plain")
        )
        await response(request.scope, request.receive, send)


async def _call(handler: HTTPExceptionHandler, request: Request, error: Exception) -> Response:
    if is_async_callable(handler):
        return cast(Response, await handler(request, error))
    return cast(Response, await run_in_threadpool(handler, request, error))
