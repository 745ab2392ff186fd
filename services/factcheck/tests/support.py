"""Helpers for the factcheck HTTP tests: the app's client with tokens for verifiers of KKD and
partner organisations, and the outbox to read events."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

from fastapi.testclient import TestClient
from sqlalchemy import select

from sinergi_factcheck.adapters.tables import messaging
from sinergi_factcheck.app import MIGRATIONS, definition
from sinergi_factcheck.service_layer.context import Factcheck
from sinergi_factcheck.settings import FactcheckSettings
from sinergi_kit.auth import Principal, Role, TokenVerifier
from sinergi_kit.db import Database
from sinergi_kit.migrations import upgrade
from sinergi_kit.nats_server import free_port
from sinergi_kit.runtime import ServiceRuntime

T = TypeVar("T")

KPU = UUID("0193a000-0000-7000-8000-00000000c0b1")
BAWASLU = UUID("0193a000-0000-7000-8000-00000000ba51")


@dataclass
class Api:
    client: TestClient
    verifier: TokenVerifier
    database_url: str

    def token(self, subject: str, org: UUID | None = None, role: Role = Role.VERIFIER) -> str:
        return self.verifier.issue(Principal(subject, frozenset({role}), org, subject))

    def as_(self, subject: str, org: UUID | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(subject, org)}"}

    def events(self) -> list[tuple[str, dict[str, Any]]]:
        async def read() -> list[tuple[str, dict[str, Any]]]:
            db = Database(self.database_url)
            try:
                async with db.read() as session:
                    outbox = messaging.outbox
                    rows = await session.execute(
                        select(outbox.c.event_type, outbox.c.data).order_by(outbox.c.seq)
                    )
                    return [(t.split(".")[2] + "." + t.split(".")[3], d) for t, d in rows.all()]
            finally:
                await db.dispose()

        return asyncio.run(read())


def run_with_factcheck(
    database_url: str, scenario: Callable[[Factcheck], Awaitable[T]], **overrides: Any
) -> T:
    """Runs ``scenario`` with the service's use-case context on a migrated database."""
    upgrade(MIGRATIONS, database_url)
    settings = settings_for(database_url, **overrides)

    async def main() -> T:
        runtime = ServiceRuntime(definition(settings))
        try:
            return await scenario(Factcheck(runtime.uow, runtime.db, settings))
        finally:
            await runtime.db.dispose()

    return asyncio.run(main())


def settings_for(database_url: str, **overrides: Any) -> FactcheckSettings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "nats_url": f"nats://127.0.0.1:{free_port()}",
        "provision_topology_on_start": False,
        "jwt_secret": "kunci-uji-factcheck-" + "x" * 32,
        "public_base_url": "https://cekfakta.jombangkab.go.id",
        "log_format": "console",
        "log_level": "WARNING",
        **overrides,
    }
    return FactcheckSettings(**values)
