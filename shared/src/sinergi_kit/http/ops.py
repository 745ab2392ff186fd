"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from sinergi_kit.http.problems import problem_response, problem_responses
from sinergi_kit.messaging.outbox import outbox_lag_seconds
from sinergi_kit.metrics import METRICS

if TYPE_CHECKING:
    from sinergi_kit.runtime import ServiceRuntime


class Readiness(BaseModel):
    status: str
    service: str
    checks: dict[str, Any]


def install_ops_routes(app: FastAPI, runtime: ServiceRuntime) -> None:
    tables = runtime.definition.tables
    service = runtime.definition.name

    @app.get("/healthz", tags=["ops"], summary="Liveness")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @app.get(
        "/readyz",
        tags=["ops"],
        summary="Readiness: database, NATS and relay lag",
        responses={200: {"model": Readiness}, **problem_responses(503)},
    )
    async def readyz(request: Request) -> Response:
        checks: dict[str, Any] = {}
        try:
            await runtime.db.ping()
            checks["database"] = "ok"
            lag = await outbox_lag_seconds(runtime.db, tables)
            checks["outbox_lag_s"] = round(lag, 3)
            lag_ok = lag <= runtime.settings.readiness_max_outbox_lag_s
        except Exception as exc:
            checks["database"] = f"error: {exc!r}"
            lag_ok = False
        checks["nats"] = "ok" if runtime.nats_connected else "disconnected"
        ready = checks["database"] == "ok" and runtime.nats_connected and lag_ok
        if not ready:
            return problem_response(request, 503, "not_ready", detail=str(checks))
        return JSONResponse({"status": "ready", "service": service, "checks": checks})

    @app.get(
        "/metrics",
        tags=["ops"],
        summary="Prometheus metrics",
        response_class=Response,
        responses={200: {"content": {CONTENT_TYPE_LATEST.split(";")[0]: {}}}},
    )
    async def metrics() -> Response:
        try:
            METRICS.outbox_lag.labels(service).set(await outbox_lag_seconds(runtime.db, tables))
        except Exception:
            METRICS.outbox_lag.labels(service).set(float("nan"))
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
