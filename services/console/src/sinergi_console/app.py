"""The console's ASGI app: pages, static files, sign-in and sign-out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

import httpx
from fastapi import FastAPI, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from sinergi_console import events, factcheck, notify, registry
from sinergi_console.api import ApiProblemError, Services
from sinergi_console.messages import register_console_messages
from sinergi_console.session import SESSION_COOKIE, Operator
from sinergi_console.settings import ConsoleSettings
from sinergi_console.web import AnyPage, LoginRequiredError, SignedIn, any_page
from sinergi_kit.http.tracing import TraceMiddleware
from sinergi_kit.logging import get_logger

log = get_logger(__name__)


def _safe_next(target: str | None) -> str:
    """Only a path on this console: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


def create_app(
    settings: ConsoleSettings | None = None, transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    settings = settings or ConsoleSettings()
    register_console_messages()

    services = Services(settings, transport)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await services.close()

    app = FastAPI(title="Sinergi console", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.services = services
    app.add_middleware(TraceMiddleware)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    @app.exception_handler(LoginRequiredError)
    async def to_login(request: Request, _exc: Exception) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?next=" + quote(target), status_code=303)

    @app.exception_handler(ApiProblemError)
    async def show_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiProblemError)
        page = any_page(request)
        if exc.status == 401:
            response = RedirectResponse("/login?next=" + quote(request.url.path), status_code=303)
            response.delete_cookie(SESSION_COOKIE)
            return response
        if request.method == "POST":
            return page.redirect(_back(request), problem=exc)
        return page.render("problem.html", status_code=exc.status, problem=exc)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": "console"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> Response:
        """Ready once the registry, where operators sign in, answers."""
        try:
            answer = await services.clients["registry"].get("/healthz")
            ready = answer.status_code == 200
        except httpx.HTTPError:
            ready = False
        return JSONResponse(
            {"status": "ready" if ready else "not_ready", "service": "console"},
            status_code=200 if ready else 503,
        )

    @app.get("/")
    async def home(page: SignedIn) -> Response:
        return page.render("home.html")

    @app.get("/login")
    async def login_form(page: AnyPage, next: str = "/") -> Response:
        return page.render("login.html", next=_safe_next(next))

    @app.post("/login")
    async def login(
        page: AnyPage,
        username: Annotated[str, Form()],
        password: Annotated[str, Form()],
        next: Annotated[str, Form()] = "/",
    ) -> Response:
        try:
            issued = await page.api.post(
                "registry", "/auth/login", {"username": username, "password": password}
            )
        except ApiProblemError as problem:
            return page.render(
                "login.html",
                status_code=problem.status,
                next=_safe_next(next),
                problem=problem,
                username=username,
            )
        token = str(issued["access_token"])
        if Operator.from_token(token) is None:
            raise ApiProblemError(502, {"detail": page.t("console.bad_token")})
        response = page.redirect(_safe_next(next))
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=int(issued.get("expires_in", 3600)),
            httponly=True,
            samesite="strict",
            secure=settings.secure_cookies,
        )
        log.info("console.signed_in", user=username)
        return response

    @app.post("/logout")
    async def logout(page: AnyPage) -> Response:
        response = page.redirect("/login")
        response.delete_cookie(SESSION_COOKIE)
        return response

    for module in (registry, events, factcheck, notify):
        app.include_router(module.router)
    return app


def _back(request: Request) -> str:
    """Where a refused form returns to: the page it was posted from, on this console."""
    referer = request.headers.get("referer", "")
    origin = f"{request.url.scheme}://{request.url.netloc}"
    return _safe_next(referer.removeprefix(origin)) if referer.startswith(origin) else "/"
