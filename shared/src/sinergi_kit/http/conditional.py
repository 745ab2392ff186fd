"""Optimistic concurrency over HTTP: an ``ETag`` carries the resource's version and an update
must send it back in ``If-Match``; a stale one is refused with 412, a missing one with 428."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from sinergi_kit.http.problems import ProblemError, document_problems
from sinergi_kit.i18n import register_messages

register_messages(
    {
        "http.precondition_required": {
            "id": "Kirim header If-Match berisi ETag terakhir yang Anda baca.",
            "en": "Send an If-Match header with the ETag you last read.",
        },
        "http.precondition_failed": {
            "id": "Data sudah diubah pihak lain (kini versi {current}). Muat ulang lalu ulangi.",
            "en": "Someone else changed this (now version {current}). Reload and try again.",
        },
        "http.bad_etag": {
            "id": "Header If-Match '{value}' bukan ETag yang dikenali.",
            "en": "The If-Match header '{value}' is not a recognised ETag.",
        },
    }
)


def etag(version: int) -> str:
    """A strong validator for a versioned resource."""
    return f'"{version}"'


def parse_if_match(value: str | None) -> int:
    if value is None or not value.strip():
        raise ProblemError(428, "precondition_required", detail_key="http.precondition_required")
    token = value.strip().removeprefix("W/").strip('"')
    if not token.isdigit():
        raise ProblemError(400, "bad_etag", detail_key="http.bad_etag", value=value)
    return int(token)


def precondition_failed(current: int) -> ProblemError:
    return ProblemError(
        412, "precondition_failed", detail_key="http.precondition_failed", current=current
    )


async def _expected_version(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description="The ETag of the version this update is based on",
            examples=['"3"'],
        ),
    ] = None,
) -> int:
    return parse_if_match(if_match)


ExpectedVersion = Annotated[int, Depends(_expected_version)]
"""The version named by the request's ``If-Match`` header (required)."""


def _requires_if_match(dependant: Dependant) -> bool:
    return any(
        sub.call is _expected_version or _requires_if_match(sub) for sub in dependant.dependencies
    )


def document_preconditions(router: APIRouter) -> None:
    """Every route that takes :data:`ExpectedVersion` documents its 412 and 428 answers."""
    for route in router.routes:
        if isinstance(route, APIRoute) and _requires_if_match(route.dependant):
            document_problems(route, 412, 428)
