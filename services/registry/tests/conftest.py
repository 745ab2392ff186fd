"""Fixtures for the registry: the real app on a migrated database of each backend, driven
in-process, with signed tokens for each role."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from sinergi_kit.auth import Principal, Role, TokenVerifier
from sinergi_kit.contracts.base import EventContract, contract_for
from sinergi_kit.runtime import ServiceRuntime, create_app, migrate
from sinergi_registry.adapters.tables import messaging
from sinergi_registry.app import definition
from sinergi_registry.settings import RegistrySettings

SECRET = "kunci-pengujian-registry-0123456789abcdef"


@dataclass
class Registry:
    client: httpx.AsyncClient
    runtime: ServiceRuntime
    verifier: TokenVerifier

    def auth(self, *roles: Role, org: Any = None, subject: str = "user-1") -> dict[str, str]:
        token = self.verifier.issue(Principal(subject, frozenset(roles), org, "Penguji"))
        return {"authorization": f"Bearer {token}"}

    @property
    def admin(self) -> dict[str, str]:
        return self.auth(Role.ADMIN)

    @property
    def operator(self) -> dict[str, str]:
        return self.auth(Role.OPERATOR)

    async def events(self, event_type: str | None = None) -> list[EventContract]:
        """The events in the outbox, each validated against its contract."""
        outbox = messaging.outbox
        async with self.runtime.db.read() as session:
            rows = (await session.execute(select(outbox).order_by(outbox.c.seq))).all()
        found = []
        for row in rows:
            contract = contract_for(row.event_type)
            assert contract is not None, row.event_type
            data = row.data
            event = (
                contract.model_validate_json(data)
                if isinstance(data, str | bytes)
                else contract.model_validate(data)
            )
            if event_type is None or row.event_type == event_type:
                found.append(event)
        return found


def settings_for(url: str) -> RegistrySettings:
    return RegistrySettings(
        database_url=url, jwt_secret=SECRET, nats_url="nats://127.0.0.1:1", log_format="console"
    )


@pytest.fixture
async def registry(database_url: str) -> AsyncIterator[Registry]:
    service = definition(settings_for(database_url))
    await asyncio.to_thread(migrate, service)
    app = create_app(service)
    runtime: ServiceRuntime = app.state.runtime
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
        yield Registry(client, runtime, app.state.token_verifier)
    if hasattr(app.state, "account_reader"):
        app.state.account_reader.close()
    await runtime.db.dispose()
