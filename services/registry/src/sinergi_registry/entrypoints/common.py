"""What the registry's routes share: the runtime, raw JSON responses with their ETag, and
the answer to a creating POST."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response

from sinergi_kit.auth import Principal, Role, require_roles
from sinergi_kit.runtime import request_runtime
from sinergi_registry.adapters.point_reads import AccountReader
from sinergi_registry.service_layer.common import Created

JSON = "application/json"
PAGE_LIMIT = 500

Verifier = Annotated[Principal, Depends(require_roles(frozenset({Role.ADMIN, Role.VERIFIER})))]
"""An admin or a verifier: changes an account's verification status."""
Admin = Annotated[Principal, Depends(require_roles(frozenset({Role.ADMIN})))]


runtime = request_runtime


def account_reader(request: Request) -> AccountReader:
    """One per app, opened on first use."""
    state = request.app.state
    if not hasattr(state, "account_reader"):
        state.account_reader = AccountReader(runtime(request).db)
    reader: AccountReader = state.account_reader
    return reader


def versioned(body: str | bytes, version: int, status: int = 200) -> Response:
    """The stored state as it is (no re-serialisation), with its version as the ETag."""
    return Response(
        content=body, status_code=status, media_type=JSON, headers={"ETag": f'"{version}"'}
    )


def created(result: Created, version: int = 1) -> Response:
    response = versioned(result.body, version, status=201)
    response.headers["Location"] = result.location
    if result.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response
