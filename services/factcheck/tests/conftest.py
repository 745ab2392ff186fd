"""Fixtures for the factcheck HTTP tests: the real app on a migrated database of each backend."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sinergi_factcheck.app import MIGRATIONS, build_app
from sinergi_kit.auth import TokenVerifier
from sinergi_kit.migrations import upgrade

from .support import Api, settings_for


@pytest.fixture
def make_api(database_url: str) -> Iterator[Any]:
    upgrade(MIGRATIONS, database_url)
    opened: list[TestClient] = []

    def make(**overrides: Any) -> Api:
        settings = settings_for(database_url, **overrides)
        client = TestClient(build_app(settings))
        client.__enter__()
        opened.append(client)
        return Api(client, TokenVerifier(settings), database_url)

    yield make
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def api(make_api: Any) -> Api:
    result: Api = make_api()
    return result
