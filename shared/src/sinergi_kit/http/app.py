"""A service's FastAPI app, with the kit's layers outermost."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp

from sinergi_kit.http.edge import RequestEdge
from sinergi_kit.http.express import ExpressLane


class ServiceApp(FastAPI):
    """Every request passes the request edge (its trace, CORS), then the express lane (the
    direct routes), then FastAPI's own stack. With the edge outside FastAPI's server-error
    layer, an internal error is logged in the request's trace and its answer carries the
    CORS headers a page needs to read it."""

    def __init__(self, *, cors_origins: Sequence[str], **options: Any) -> None:
        super().__init__(**options)
        self.cors_origins = cors_origins

    def build_middleware_stack(self) -> ASGIApp:
        express = ExpressLane(self, super().build_middleware_stack())
        return RequestEdge(express, cors_origins=self.cors_origins)
