"""The services' HTTP APIs as the console calls them: the operator's bearer token and language
go along with every request; a refusal comes back as its RFC 9457 problem document."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from sinergi_console.settings import ConsoleSettings
from sinergi_kit.i18n import Lang, translate
from sinergi_kit.tracing import current_traceparent

ServiceName = Literal["registry", "events", "notify", "factcheck"]


@dataclass
class ApiProblemError(Exception):
    """A service refused: ``problem`` is its RFC 9457 document (or one made up for a service
    that could not be reached)."""

    status: int
    problem: dict[str, Any] = field(default_factory=dict)

    @property
    def detail(self) -> str:
        return str(self.problem.get("detail") or self.problem.get("title") or self.status)

    @property
    def field_errors(self) -> list[str]:
        return [
            f"{'.'.join(str(p) for p in error.get('loc', [])[1:])}: {error.get('msg', '')}"
            for error in self.problem.get("errors") or []
        ]


class Services:
    """One pooled HTTP client per service."""

    def __init__(
        self, settings: ConsoleSettings, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        urls: dict[ServiceName, str] = {
            "registry": settings.registry_url,
            "events": settings.events_url,
            "notify": settings.notify_url,
            "factcheck": settings.factcheck_url,
        }
        self.clients = {
            name: httpx.AsyncClient(
                base_url=url, timeout=settings.upstream_timeout_s, transport=transport
            )
            for name, url in urls.items()
        }

    async def close(self) -> None:
        for client in self.clients.values():
            await client.aclose()

    def caller(self, token: str | None, lang: Lang) -> Caller:
        return Caller(self, token, lang)


@dataclass
class Caller:
    services: Services
    token: str | None
    lang: Lang

    def _headers(self) -> dict[str, str]:
        headers: dict[str, str] = {"accept-language": self.lang}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        if traceparent := current_traceparent.get():
            headers["traceparent"] = traceparent
        return headers

    async def request(
        self, service: ServiceName, method: str, path: str, **kwargs: Any
    ) -> httpx.Response:
        client = self.services.clients[service]
        try:
            response = await client.request(method, path, headers=self._headers(), **kwargs)
        except httpx.HTTPError as exc:
            raise ApiProblemError(
                503,
                {
                    "status": 503,
                    "code": "service_unreachable",
                    "detail": translate("console.unreachable", self.lang, service=service),
                },
            ) from exc
        if response.status_code >= 400:
            try:
                problem = response.json()
            except ValueError:
                problem = {"status": response.status_code, "detail": response.text[:500]}
            raise ApiProblemError(
                response.status_code, problem if isinstance(problem, dict) else {}
            )
        return response

    async def get(self, service: ServiceName, path: str, **params: Any) -> Any:
        clean = {k: v for k, v in params.items() if v not in (None, "", [])}
        return (await self.request(service, "GET", path, params=clean)).json()

    async def post(self, service: ServiceName, path: str, body: Any = None, **kwargs: Any) -> Any:
        response = await self.request(service, "POST", path, json=body, **kwargs)
        return response.json() if response.content else None
