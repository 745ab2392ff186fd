"""Request body limits enforced while the body is read (before it is parsed), and the
client's address."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from sinergi_factcheck.settings import FactcheckSettings
from sinergi_kit.http.problems import document_problems, problem_response
from sinergi_kit.i18n import negotiate, translate

SMALL_BODY = 16 * 1024
IMPORT_BODY = 5 * 1024 * 1024


def body_limit(settings: FactcheckSettings, path: str) -> int:
    if path == "/reports/images":
        return settings.intake_max_image_bytes + SMALL_BODY
    if path == "/imports/claimreview":
        return IMPORT_BODY
    if path.startswith("/share/"):
        return SMALL_BODY
    return settings.intake_max_body_bytes


def _too_large(request: Request, limit: int) -> Response:
    lang = negotiate(request.headers.get("accept-language"))
    return problem_response(
        request,
        413,
        "too_large",
        detail=translate("factcheck.too_large", lang, limit=limit),
        headers={"Connection": "close"},
    )


class LimitedRoute(APIRoute):
    """Reads a body only up to the route's limit, whether the client declares its size in
    Content-Length or streams past the limit chunk by chunk; answers 413 beyond it."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        if (self.methods or set()) - {"GET", "HEAD", "OPTIONS"}:
            document_problems(self, 413)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            if request.method in ("GET", "HEAD", "OPTIONS"):
                return await handler(request)
            settings: FactcheckSettings = request.app.state.runtime.settings
            limit = body_limit(settings, request.scope["path"])
            declared = request.headers.get("content-length")
            if declared is not None and (not declared.isdigit() or int(declared) > limit):
                return _too_large(request, limit)
            body = bytearray()
            async for chunk in request.stream():
                body += chunk
                if len(body) > limit:
                    return _too_large(request, limit)
            request._body = bytes(body)  # Starlette's cache: parsing reuses what was read
            return await handler(request)

        return limited


def client_address(request: Request, trust_forwarded_for: bool) -> str:
    if trust_forwarded_for and (forwarded := request.headers.get("x-forwarded-for")):
        return forwarded.split(",")[0].strip()
    return request.client.host if request.client else "unknown"
