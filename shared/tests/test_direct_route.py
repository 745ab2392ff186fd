"""A direct route answers exactly as the same endpoint declared as an ordinary FastAPI route
(success, refused credentials, wrong role, a missing thing, malformed path values and bodies,
a response model), served by the router or by a service app's express lane, documents the
same operation, and refuses at declaration a signature it cannot serve. The express lane
serves only the requests the router would have sent to a direct route."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.types import ASGIApp, Receive, Scope, Send

from sinergi_kit.auth import Principal, Reader, Role, TokenVerifier, Writer
from sinergi_kit.http.app import ServiceApp
from sinergi_kit.http.direct import direct_route
from sinergi_kit.http.express import ExpressLane
from sinergi_kit.http.problems import ProblemError, install_problem_handlers
from sinergi_kit.settings import ServiceSettings

KNOWN = UUID("0192f5a8-5c1e-7c3a-9d2b-3f4e5a6b7c8d")
SETTINGS = ServiceSettings(jwt_secret="kunci-pengujian-rute-langsung-0123456789abcdef")


async def thing(thing_id: UUID, number: int, request: Request, caller: Writer) -> Response:
    if thing_id != KNOWN:
        raise ProblemError(404, "not_found", detail_key="problem.not_found")
    body = f'{{"id": "{thing_id}", "n": {number}, "by": "{caller.subject}"}}'
    return Response(body, media_type="application/json", headers={"ETag": f'"{number}"'})


class Mark(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str = Field(min_length=2)
    weight: int = 1


class Marked(BaseModel):
    id: UUID
    label: str
    weight: int
    by: str
    note: str | None = None


async def mark(thing_id: UUID, command: Mark, caller: Writer) -> Marked:
    return Marked(id=thing_id, label=command.label, weight=command.weight, by=caller.subject)


def app_with(declare: Callable[[APIRouter], None], *, express: bool = False) -> FastAPI:
    router = APIRouter(prefix="/things", tags=["things"])
    declare(router)
    app = ServiceApp(cors_origins=[]) if express else FastAPI()
    app.state.token_verifier = TokenVerifier(SETTINGS)
    install_problem_handlers(app)
    if express:  # as create_app joins a service's routes: the lane serves the app's own
        app.router.routes[:0] = router.routes
    else:
        app.include_router(router)
    return app


MARKED: dict[str, Any] = {
    "status_code": 201,
    "response_model": Marked,
    "response_model_exclude_none": True,
}


def ordinary(router: APIRouter) -> None:
    router.get("/{thing_id}/{number}", summary="One thing")(thing)
    router.post("/{thing_id}/marks", **MARKED)(mark)


def direct(router: APIRouter) -> None:
    direct_route(router, "/{thing_id}/{number}", methods=["GET"], summary="One thing")(thing)
    direct_route(router, "/{thing_id}/marks", methods=["POST"], **MARKED)(mark)


def token(*roles: Role) -> dict[str, str]:
    issued = TokenVerifier(SETTINGS).issue(Principal("sari", frozenset(roles)))
    return {"authorization": f"Bearer {issued}"}


REQUESTS: list[tuple[str, dict[str, str]]] = [
    (f"/things/{KNOWN}/3", token(Role.OPERATOR)),
    (f"/things/{KNOWN}/3", {}),
    (f"/things/{KNOWN}/3", {"authorization": "Bearer bukan-token"}),
    (f"/things/{KNOWN}/3", token(Role.VIEWER)),
    ("/things/0192f5a8-0000-7000-8000-000000000000/3", token(Role.OPERATOR)),
    ("/things/bukan-uuid/3", token(Role.OPERATOR)),
    ("/things/bukan-uuid/tiga", token(Role.OPERATOR)),
    ("/things/bukan-uuid/tiga", {}),
]


JSON = {"content-type": "application/json"}
TEXT = {"content-type": "text/plain"}
POSTS: list[tuple[str, bytes, dict[str, str]]] = [
    (f"/things/{KNOWN}/marks", b'{"label": "hoaks", "weight": 3}', JSON | token(Role.ADMIN)),
    (f"/things/{KNOWN}/marks", b'{"label": "ok"}', {"content-type": "application/merge+json"}),
    (f"/things/{KNOWN}/marks", b'{"label": "x", "extra": 1}', JSON | token(Role.ADMIN)),
    (f"/things/{KNOWN}/marks", b'{"label": ', JSON | token(Role.ADMIN)),
    (f"/things/{KNOWN}/marks", b'{"label": ', JSON),
    (f"/things/{KNOWN}/marks", b"", JSON | token(Role.ADMIN)),
    (f"/things/{KNOWN}/marks", b'{"label": "ok"}', TEXT | token(Role.ADMIN)),
    (f"/things/{KNOWN}/marks", b'{"label": "ok"}', token(Role.ADMIN)),
    ("/things/bukan-uuid/marks", b'{"weight": "berat"}', JSON | token(Role.ADMIN)),
    ("/things/bukan-uuid/marks", b'{"weight": "berat"}', JSON),
]


async def answers(app: FastAPI) -> list[tuple[int, str, Any, str | None]]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit") as client:
        got = []
        calls = [("GET", path, b"", headers) for path, headers in REQUESTS] + [
            ("POST", path, body, headers) for path, body, headers in POSTS
        ]
        for method, path, body, headers in calls:
            response = await client.request(
                method, path, content=body, headers={**headers, "accept-language": "en"}
            )
            got.append(
                (
                    response.status_code,
                    response.headers["content-type"],
                    response.json(),
                    response.headers.get("etag"),
                )
            )
        return got


async def test_a_direct_route_answers_as_the_ordinary_route_does() -> None:
    expected = await answers(app_with(ordinary))
    gets, posts = expected[: len(REQUESTS)], expected[len(REQUESTS) :]
    assert [status for status, *_ in gets] == [200, 401, 401, 403, 404, 422, 422, 401]
    assert gets[0][2] == {"id": str(KNOWN), "n": 3, "by": "sari"}
    assert len(gets[6][2]["errors"]) == 2  # both path values named
    assert [status for status, *_ in posts] == [201, 401, 422, 422, 422, 422, 422, 422, 422, 401]
    assert posts[0][2] == {"id": str(KNOWN), "label": "hoaks", "weight": 3, "by": "sari"}
    assert len(posts[8][2]["errors"]) == 3  # the path value, the missing label, the weight
    assert await answers(app_with(direct)) == expected
    assert await answers(app_with(direct, express=True)) == expected


def _express_lane(app: FastAPI) -> ExpressLane:
    assert app.middleware_stack is None
    app.middleware_stack = app.build_middleware_stack()
    lane = getattr(app.middleware_stack, "app", None)
    assert isinstance(lane, ExpressLane)
    return lane


async def _refuse(scope: Scope, receive: Receive, send: Send) -> None:
    raise AssertionError(f"{scope['method']} {scope['path']} went past the express lane")


async def test_the_express_lane_serves_direct_routes_and_hands_on_the_rest() -> None:
    def declare(router: APIRouter) -> None:
        direct(router)
        router.get("/{thing_id}", summary="Ordinary")(thing_summary)

    app = app_with(declare, express=True)
    lane = _express_lane(app)
    rest, lane.rest = lane.rest, _refuse
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit") as client:
        served = await client.get(f"/things/{KNOWN}/3", headers=token(Role.OPERATOR))
        assert served.status_code == 200
        with pytest.raises(AssertionError, match="went past the express lane"):
            await client.get(f"/things/{KNOWN}")
        lane.rest = rest
        assert (await client.get(f"/things/{KNOWN}")).json() == {"ordinary": str(KNOWN)}


async def thing_summary(thing_id: UUID) -> dict[str, str]:
    return {"ordinary": str(thing_id)}


async def test_a_route_the_router_would_choose_first_keeps_its_requests() -> None:
    def declare(router: APIRouter) -> None:
        router.get("/{thing_id}/7", summary="Seven")(thing_summary)
        direct(router)

    app = app_with(declare, express=True)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit") as client:
        seven = await client.get(f"/things/{KNOWN}/7", headers=token(Role.OPERATOR))
        three = await client.get(f"/things/{KNOWN}/3", headers=token(Role.OPERATOR))
        wrong_method = await client.delete(f"/things/{KNOWN}/3", headers=token(Role.OPERATOR))
    assert seven.json() == {"ordinary": str(KNOWN)}
    assert three.json() == {"id": str(KNOWN), "n": 3, "by": "sari"}
    assert wrong_method.status_code == 405
    assert wrong_method.headers["allow"] == "GET"
    assert wrong_method.json()["code"] == "method_not_allowed"


async def fails(thing_id: UUID) -> Response:
    raise RuntimeError(f"rusak {thing_id}")


async def gives_up(thing_id: UUID) -> Response:
    raise HTTPException(500, "menyerah")


async def answer_of(app: FastAPI) -> tuple[int, Any]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit") as client:
        response = await client.get(f"/things/{KNOWN}", headers={"accept-language": "en"})
    return response.status_code, response.json()


def failing_app(endpoint: Callable[..., Any], *, express: bool) -> FastAPI:
    def declare(router: APIRouter) -> None:
        if express:
            direct_route(router, "/{thing_id}", methods=["GET"], summary="Failing")(endpoint)
        else:
            router.get("/{thing_id}", summary="Failing")(endpoint)

    app = app_with(declare, express=express)

    async def on_500(request: Request, exc: Exception) -> Response:
        return JSONResponse({"code": "custom_500"}, status_code=500)

    app.add_exception_handler(500, on_500)  # answers server errors, as FastAPI has it
    return app


async def test_an_unexpected_error_gets_the_apps_answer_and_is_raised_again() -> None:
    expected = await answer_of(failing_app(fails, express=False))
    assert expected == (500, {"code": "custom_500"})
    assert await answer_of(failing_app(fails, express=True)) == expected
    transport = httpx.ASGITransport(app=failing_app(fails, express=True))
    async with httpx.AsyncClient(transport=transport, base_url="http://kit") as client:
        with pytest.raises(RuntimeError, match="rusak"):
            await client.get(f"/things/{KNOWN}")


async def test_a_raised_http_error_is_answered_by_its_class_handler() -> None:
    expected = await answer_of(failing_app(gives_up, express=False))
    assert expected[0] == 500
    assert expected[1]["code"] == "http_error"
    assert await answer_of(failing_app(gives_up, express=True)) == expected


async def test_a_middleware_the_app_declares_sees_every_request() -> None:
    seen: list[str] = []

    class Witness:
        def __init__(self, app: ASGIApp) -> None:
            self.app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                seen.append(scope["path"])
            await self.app(scope, receive, send)

    app = app_with(direct, express=True)
    app.add_middleware(Witness)
    assert _express_lane(app).lanes == []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit") as client:
        served = await client.get(f"/things/{KNOWN}/3", headers=token(Role.OPERATOR))
    assert served.status_code == 200
    assert seen == [f"/things/{KNOWN}/3"]


def test_a_direct_route_documents_the_same_operation() -> None:
    assert app_with(direct).openapi() == app_with(ordinary).openapi()


async def by_query(page: int) -> Response:
    return Response(str(page))


async def by_header(x_mode: Annotated[str, Header()]) -> Response:
    return Response(x_mode)


async def needs_more(request: Request, verbose: bool = False) -> int:
    return 1


def blocking(thing_id: int) -> Response:
    return Response(str(thing_id))


@pytest.mark.parametrize(
    ("endpoint", "reason"),
    [
        (by_query, "query params"),
        (by_header, "header params"),
        (blocking, "coroutine function"),
    ],
)
def test_a_signature_it_cannot_serve_is_refused_when_declared(
    endpoint: Callable[..., Any], reason: str
) -> None:
    router = APIRouter()
    with pytest.raises(TypeError, match=reason):
        direct_route(router, "/x/{thing_id}", methods=["GET"])(endpoint)


def test_a_dependency_taking_more_than_the_request_is_refused() -> None:
    async def read(_: Annotated[int, Depends(needs_more)], reader: Reader) -> Response:
        return Response("")

    router = APIRouter()
    with pytest.raises(TypeError, match="only the request"):
        direct_route(router, "/x", methods=["GET"])(read)
