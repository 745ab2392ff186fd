"""Routes for the hottest paths, served without FastAPI's general parameter solver.

Resolving a request's inputs generically (query, header and cookie parsing, the dependency
cache, security scopes) costs about a third of a small request. A route whose inputs are
path values, the request, and dependencies that take only the request needs none of that:
:class:`DirectRoute` validates the path values with the fields FastAPI built for them and calls
the dependencies and the endpoint directly. It is declared like any other route, so its
OpenAPI operation is generated from the same signature, and a signature it cannot serve is
refused when the route is declared, not at the first request.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from fastapi import APIRouter, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

Endpoint = TypeVar("Endpoint", bound=Callable[..., Awaitable[Response]])

_OTHER_INPUTS = (
    "query_params",
    "header_params",
    "cookie_params",
    "body_params",
)
_OTHER_SPECIAL_PARAMS = (
    "websocket_param_name",
    "http_connection_param_name",
    "response_param_name",
    "background_tasks_param_name",
    "security_scopes_param_name",
)


def _refuse_unservable(dependant: Dependant, path: str) -> None:
    def refuse(reason: str) -> None:
        raise TypeError(f"DirectRoute {path}: {reason}")

    if not inspect.iscoroutinefunction(dependant.call):
        refuse("the endpoint must be a coroutine function")
    for inputs in _OTHER_INPUTS:
        if getattr(dependant, inputs):
            refuse(f"takes {inputs.replace('_', ' ')}; only path values are served")
    for special in _OTHER_SPECIAL_PARAMS:
        if getattr(dependant, special) is not None:
            refuse(f"takes a {special.removesuffix('_param_name').replace('_', ' ')}")
    for sub in dependant.dependencies:
        takes_only_request = (
            sub.request_param_name is not None and len(inspect.signature(sub.call).parameters) == 1  # type: ignore[arg-type]
        )
        if not (inspect.iscoroutinefunction(sub.call) and takes_only_request):
            refuse(f"dependency {sub.call!r} must be a coroutine taking only the request")


class DirectRoute(APIRoute):
    """Dependencies run first, in order, then the path values are validated (FastAPI's own
    order, so a request without credentials is refused before its path is checked). The
    endpoint must return a :class:`Response`: no response model is applied at run time."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        dependant = self.dependant
        _refuse_unservable(dependant, self.path)
        endpoint = dependant.call
        assert endpoint is not None
        path_fields = dependant.path_params
        request_name = dependant.request_param_name
        dependencies = [(sub.name, sub.call) for sub in dependant.dependencies]

        async def handler(request: Request) -> Response:
            values: dict[str, Any] = {}
            for name, call in dependencies:
                assert call is not None
                result = await call(request)
                if name is not None:
                    values[name] = result
            errors: list[Any] = []
            for field in path_fields:
                value, invalid = field.validate(
                    request.path_params[field.alias], loc=("path", field.alias)
                )
                values[field.name] = value
                errors += invalid
            if errors:
                raise RequestValidationError(errors)
            if request_name is not None:
                values[request_name] = request
            response = await endpoint(**values)
            if not isinstance(response, Response):
                raise TypeError(f"DirectRoute {self.path}: the endpoint returned no Response")
            return response

        return handler


def direct_route(
    router: APIRouter, path: str, *, methods: list[str], **options: Any
) -> Callable[[Endpoint], Endpoint]:
    """Like ``@router.get(path, ...)``, declaring a :class:`DirectRoute`."""

    def declare(endpoint: Endpoint) -> Endpoint:
        router.add_api_route(
            path, endpoint, methods=methods, route_class_override=DirectRoute, **options
        )
        return endpoint

    return declare
