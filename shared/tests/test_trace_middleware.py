"""Every request runs in its caller's trace (or a new one), and its log lines carry it."""

from __future__ import annotations

import structlog
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sinergi_kit.http.tracing import TraceMiddleware
from sinergi_kit.tracing import TraceParent, current_traceparent


def _client() -> TestClient:
    app = FastAPI()
    app.add_middleware(TraceMiddleware)

    @app.get("/jejak")
    async def trace() -> dict[str, str | None]:
        logged = structlog.contextvars.get_contextvars()
        return {"logged": logged.get("trace_id"), "current": current_traceparent.get()}

    return TestClient(app)


def test_a_request_continues_the_callers_trace_in_a_new_span() -> None:
    caller = TraceParent.new()
    answer = _client().get("/jejak", headers={"traceparent": str(caller)}).json()
    current = TraceParent.parse(answer["current"])
    assert current is not None
    assert answer["logged"] == current.trace_id == caller.trace_id
    assert current.span_id != caller.span_id


def test_each_request_without_a_trace_starts_its_own_and_leaves_nothing_bound() -> None:
    client = _client()
    first, second = client.get("/jejak").json(), client.get("/jejak").json()
    assert first["logged"] and second["logged"]
    assert first["logged"] != second["logged"]
    assert "trace_id" not in structlog.contextvars.get_contextvars()


def _new_trace_id(_: int) -> str:
    return TraceParent.new().trace_id


def test_forked_workers_start_different_traces() -> None:
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(2) as pool:
        ids = pool.map(_new_trace_id, range(8), chunksize=4)
    assert len(set(ids)) == 8
