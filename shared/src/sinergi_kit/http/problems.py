"""RFC 9457 problem details for every error a service returns."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.utils import create_model_field
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from sinergi_kit.i18n import Lang, negotiate, register_messages, translate
from sinergi_kit.logging import get_logger

log = get_logger(__name__)
register_messages(
    {
        "problem.unstorable_value": {
            "id": "Ada nilai yang tidak dapat disimpan (misalnya karakter NUL atau angka "
            "di luar batas).",
            "en": "A value cannot be stored (for example a NUL character or a number out of "
            "range).",
        }
    }
)
PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://sinergi.jombangkab.go.id/problems/"


class Problem(BaseModel):
    """An RFC 9457 problem details object."""

    type: str = Field(examples=[TYPE_BASE + "not-found"])
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    code: str = Field(description="Stable machine-readable code")
    errors: list[dict[str, Any]] | None = None


class ProblemError(Exception):
    """Raise from a route or service to answer with a problem document."""

    def __init__(
        self,
        status: int,
        code: str,
        *,
        detail_key: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        **params: object,
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.detail_key = detail_key
        self.params = params
        self.errors = errors


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries documenting problem documents for ``statuses``."""
    return {status: {"model": Problem, "content": {PROBLEM_JSON: {}}} for status in statuses}


PROBLEM_RESPONSES = problem_responses(400, 401, 403, 404, 409, 422)


def document_problems(route: APIRoute, *statuses: int) -> None:
    """Documents problem answers on a route already declared (one its declaration did not
    list): the route built its response models when it was declared, so the schema of an
    answer added afterwards needs its model field too."""
    for status, response in problem_responses(*statuses).items():
        if status in route.responses:
            continue
        route.responses[status] = response
        route.response_fields[status] = create_model_field(
            name=f"Response_{status}_{route.unique_id}", type_=Problem, mode="serialization"
        )


def problem_response(
    request: Request,
    status: int,
    code: str,
    *,
    detail: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    lang: Lang = negotiate(request.headers.get("accept-language"))
    title_key = {
        401: "problem.unauthenticated",
        403: "problem.forbidden",
        404: "problem.not_found",
        409: "problem.conflict",
        422: "problem.validation",
        405: "problem.method_not_allowed",
        500: "problem.internal",
        503: "problem.not_ready",
    }.get(status, "problem.http")
    body = Problem(
        type=TYPE_BASE + code.replace("_", "-"),
        title=translate(title_key, lang),
        status=status,
        detail=detail,
        instance=str(request.url.path),
        code=code,
        errors=errors,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers={"Content-Language": lang, **(headers or {})},
    )


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ProblemError)
        lang = negotiate(request.headers.get("accept-language"))
        detail = translate(exc.detail_key, lang, **exc.params) if exc.detail_key else None
        return problem_response(request, exc.status, exc.code, detail=detail, errors=exc.errors)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {
                "loc": [str(p) for p in err.get("loc", ())],
                "msg": err.get("msg"),
                "type": err.get("type"),
            }
            for err in exc.errors()
        ]
        lang = negotiate(request.headers.get("accept-language"))
        return problem_response(
            request,
            422,
            "validation_failed",
            detail=translate("problem.validation", lang),
            errors=errors,
        )

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        detail = exc.detail if isinstance(exc.detail, str) else None
        return problem_response(
            request, exc.status_code, code, detail=detail, headers=getattr(exc, "headers", None)
        )

    async def on_unstorable(request: Request, exc: Exception) -> JSONResponse:
        if isinstance(exc, DBAPIError) and not _is_data_exception(exc):
            return await on_unexpected(request, exc)
        # A value the database cannot store (a NUL character, a number out of its range, which
        # SQLite's driver refuses with a bare OverflowError): the request's fault, and the unit
        # of work has rolled back.
        lang = negotiate(request.headers.get("accept-language"))
        return problem_response(
            request, 422, "unstorable_value", detail=translate("problem.unstorable_value", lang)
        )

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("http.unhandled_error", path=request.url.path)
        lang = negotiate(request.headers.get("accept-language"))
        return problem_response(
            request, 500, "internal_error", detail=translate("problem.internal", lang)
        )

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(DBAPIError, on_unstorable)
    app.add_exception_handler(OverflowError, on_unstorable)
    app.add_exception_handler(Exception, on_unexpected)


def _is_data_exception(exc: DBAPIError) -> bool:
    """SQLSTATE class 22 (data exception), as PostgreSQL reports it."""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return isinstance(sqlstate, str) and sqlstate.startswith("22")
