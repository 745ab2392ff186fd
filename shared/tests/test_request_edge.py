"""The request edge answers as the trace middleware inside Starlette's CORS middleware did,
header for header, with and without an Origin, preflights included."""

from __future__ import annotations

import pytest
import structlog
from fastapi import FastAPI, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from sinergi_kit.http.edge import EXPOSED_HEADERS, RequestEdge
from sinergi_kit.http.tracing import TraceMiddleware
from sinergi_kit.tracing import TraceParent, current_traceparent

ORIGINS = ["http://127.0.0.1:8100", "http://localhost:8100"]
ALLOWED = ORIGINS[1]
FOREIGN = "https://elsewhere.example"


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/akun")
    async def plain() -> Response:
        return Response(b"{}", media_type="application/json", headers={"ETag": '"3"'})

    @app.get("/bervariasi")
    async def varied() -> Response:
        return Response(b"{}", headers={"Vary": "Accept-Language", "vary": "Accept"})

    @app.get("/jejak")
    async def trace() -> dict[str, str | None]:
        logged = structlog.contextvars.get_contextvars()
        return {"logged": logged.get("trace_id"), "current": current_traceparent.get()}

    return app


def _edge() -> TestClient:
    app = _app()
    app.add_middleware(RequestEdge, cors_origins=ORIGINS)
    return TestClient(app)


def _layered() -> TestClient:
    app = _app()
    app.add_middleware(
        CORSMiddleware,
        allow_origins=ORIGINS,
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=EXPOSED_HEADERS,
    )
    app.add_middleware(TraceMiddleware)
    return TestClient(app)


PREFLIGHT = {"access-control-request-method": "PATCH"}
WITH_HEADERS = {**PREFLIGHT, "access-control-request-headers": "authorization, if-match"}
REQUESTS = [
    ("GET", "/akun", {}),
    ("GET", "/akun", {"origin": ALLOWED}),
    ("GET", "/akun", {"origin": FOREIGN}),
    ("GET", "/bervariasi", {}),
    ("GET", "/bervariasi", {"origin": ALLOWED}),
    ("GET", "/hilang", {}),
    ("GET", "/hilang", {"origin": ALLOWED}),
    ("OPTIONS", "/akun", {"origin": ALLOWED, **PREFLIGHT}),
    ("OPTIONS", "/akun", {"origin": FOREIGN, **PREFLIGHT}),
    ("OPTIONS", "/akun", {"origin": ALLOWED, **WITH_HEADERS}),
    ("OPTIONS", "/akun", {"origin": ALLOWED}),
    ("OPTIONS", "/akun", PREFLIGHT),
]


@pytest.mark.parametrize(("method", "path", "headers"), REQUESTS)
def test_answers_as_the_trace_and_cors_middlewares_did(
    method: str, path: str, headers: dict[str, str]
) -> None:
    edge = _edge().request(method, path, headers=headers)
    layered = _layered().request(method, path, headers=headers)
    assert edge.status_code == layered.status_code
    assert edge.headers.raw == layered.headers.raw
    assert edge.content == layered.content


def test_an_allowed_origin_reads_the_version_and_location() -> None:
    answer = _edge().get("/akun", headers={"origin": ALLOWED})
    assert answer.headers["access-control-allow-origin"] == ALLOWED
    assert answer.headers["access-control-expose-headers"] == "ETag, Location"
    assert answer.headers["vary"] == "Origin"


def test_an_answer_without_an_origin_varies_on_it() -> None:
    assert _edge().get("/akun").headers.get_list("vary") == ["Origin"]
    assert _edge().get("/bervariasi").headers.get_list("vary") == [
        "Accept-Language, Accept, Origin"
    ]


def test_a_request_continues_the_callers_trace_and_leaves_nothing_bound() -> None:
    caller = TraceParent.new()
    client = _edge()
    for headers in ({"traceparent": str(caller)}, {"traceparent": str(caller), "origin": ALLOWED}):
        answer = client.get("/jejak", headers=headers).json()
        current = TraceParent.parse(answer["current"])
        assert current is not None
        assert answer["logged"] == current.trace_id == caller.trace_id
        assert current.span_id != caller.span_id
    first, second = client.get("/jejak").json(), client.get("/jejak").json()
    assert first["logged"] and second["logged"] and first["logged"] != second["logged"]
    assert "trace_id" not in structlog.contextvars.get_contextvars()


async def test_other_scopes_pass_through_untouched() -> None:
    seen: list[Scope] = []

    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope)
        await send({"type": "lifespan.startup.complete"})

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        return {"type": "lifespan.startup"}

    scope: Scope = {"type": "lifespan", "state": {}}
    await RequestEdge(inner, cors_origins=ORIGINS)(scope, receive, send)
    assert seen == [scope]
    assert sent == [{"type": "lifespan.startup.complete"}]
    assert current_traceparent.get() is None
