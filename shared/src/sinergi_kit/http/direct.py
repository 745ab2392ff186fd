"""Routes for the hottest paths, served without FastAPI's general parameter solver.

Resolving a request's inputs generically (query, header and cookie parsing, the dependency
cache, security scopes) costs about a third of a small request. A route whose inputs are
path values, one JSON body, the request, and dependencies that take only the request needs
none of that: :class:`DirectRoute` reads and validates them with the fields FastAPI built
for them, calls the dependencies and the endpoint directly, and serialises the answer with
the route's response model. It is declared like any other route, so its OpenAPI operation
is generated from the same signature, and a signature it cannot serve is refused when the
route is declared, not at the first request.
"""

from __future__ import annotations

import email.message
import functools
import inspect
import json
from collections.abc import Awaitable, Callable, Coroutine
from functools import partial
from typing import Any, TypeVar, cast

from fastapi import APIRouter, Request, Response, params
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.utils import request_body_to_args
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute, serialize_response
from pydantic_core import PydanticUndefined

Endpoint = TypeVar("Endpoint", bound=Callable[..., Awaitable[Any]])

_UNSERVED_INPUTS = ("query_params", "header_params", "cookie_params")
_UNSERVED_SPECIAL_PARAMS = (
    "websocket_param_name",
    "http_connection_param_name",
    "response_param_name",
    "background_tasks_param_name",
    "security_scopes_param_name",
)


def _refuse_unservable(route: APIRoute) -> None:
    def refuse(reason: str) -> None:
        raise TypeError(f"DirectRoute {route.path}: {reason}")

    dependant = route.dependant
    if not inspect.iscoroutinefunction(dependant.call):
        refuse("the endpoint must be a coroutine function")
    for inputs in _UNSERVED_INPUTS:
        if getattr(dependant, inputs):
            refuse(f"takes {inputs.replace('_', ' ')}; path values and a JSON body are served")
    for special in _UNSERVED_SPECIAL_PARAMS:
        if getattr(dependant, special) is not None:
            refuse(f"takes a {special.removesuffix('_param_name').replace('_', ' ')}")
    if len(dependant.body_params) > 1 or (
        dependant.body_params and isinstance(dependant.body_params[0].field_info, params.Form)
    ):
        refuse("takes more than one JSON body")
    if not isinstance(route.response_class, DefaultPlaceholder) or route.max_body_size:
        refuse("sets its own response class or body limit")
    for sub in dependant.dependencies:
        takes_only_request = (
            sub.request_param_name is not None and len(inspect.signature(sub.call).parameters) == 1  # type: ignore[arg-type]
        )
        if not (inspect.iscoroutinefunction(sub.call) and takes_only_request):
            refuse(f"dependency {sub.call!r} must be a coroutine taking only the request")


@functools.lru_cache(maxsize=64)
def _declares_json(content_type: str) -> bool:
    """Whether ``content_type`` is JSON, parsed as FastAPI parses it (the same few values
    come on every request, and parsing one costs a few microseconds)."""
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


async def _json_body(request: Request) -> Any:
    """The body as FastAPI reads it: parsed when it is declared JSON, else the bytes."""
    raw = await request.body()
    if not raw:
        return PydanticUndefined
    content_type = request.headers.get("content-type")
    if not content_type or not _declares_json(content_type):
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        invalid = {
            "type": "json_invalid",
            "loc": ("body", error.pos),
            "msg": "JSON decode error",
            "input": {},
            "ctx": {"error": error.msg},
        }
        raise RequestValidationError([invalid], body=error.doc) from error


class DirectRoute(APIRoute):
    """The body is read first, then dependencies run in order, then path values and the
    body are validated together: FastAPI's own order, so malformed JSON is refused before
    credentials are checked and a request without credentials before its values are."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        _refuse_unservable(self)
        dependant = self.dependant
        # checked by _refuse_unservable: the endpoint and each dependency are coroutines
        endpoint = cast(Callable[..., Awaitable[Any]], dependant.call)
        path_fields = dependant.path_params
        body_fields = dependant.body_params
        request_name = dependant.request_param_name
        dependencies = [
            (sub.name, cast(Callable[[Request], Awaitable[Any]], sub.call))
            for sub in dependant.dependencies
        ]
        status_code = self.status_code or 200
        serialize = partial(
            serialize_response,
            field=self.response_field,
            include=self.response_model_include,
            exclude=self.response_model_exclude,
            by_alias=self.response_model_by_alias,
            exclude_unset=self.response_model_exclude_unset,
            exclude_defaults=self.response_model_exclude_defaults,
            exclude_none=self.response_model_exclude_none,
            dump_json=True,
        )

        async def handler(request: Request) -> Response:
            body = await _json_body(request) if body_fields else PydanticUndefined
            values: dict[str, Any] = {}
            for name, call in dependencies:
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
            if body_fields:
                body_values, invalid = await request_body_to_args(
                    body_fields, body, embed_body_fields=False
                )
                values.update(body_values)
                errors += invalid
            if errors:
                raise RequestValidationError(
                    errors, body=None if body is PydanticUndefined else body
                )
            if request_name is not None:
                values[request_name] = request
            answer = await endpoint(**values)
            if isinstance(answer, Response):
                return answer
            if self.response_field is None:
                raise TypeError(f"DirectRoute {self.path}: no response model for {answer!r}")
            content = await serialize(response_content=answer)
            return Response(content, status_code=status_code, media_type="application/json")

        return handler


def direct_route(
    router: APIRouter,
    path: str,
    *,
    methods: list[str],
    route_class: type[DirectRoute] = DirectRoute,
    **options: Any,
) -> Callable[[Endpoint], Endpoint]:
    """Like ``@router.get(path, ...)``, declaring a :class:`DirectRoute` (or a subclass that
    adds to it, as the router's own route class would)."""

    def declare(endpoint: Endpoint) -> Endpoint:
        router.add_api_route(
            path, endpoint, methods=methods, route_class_override=route_class, **options
        )
        return endpoint

    return declare
