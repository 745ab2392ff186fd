"""The whole platform for each end-to-end test, once on SQLite and once on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .platform import Platform, running_platform


@pytest.fixture(params=["sqlite", "postgresql"])
def platform(
    request: pytest.FixtureRequest,
    clean_nats: str,
    tmp_path: Path,
    postgres_database_factory: Callable[[], str],
) -> Iterator[Platform]:
    def database_for(name: str) -> str:
        if request.param == "sqlite":
            return f"sqlite+aiosqlite:///{tmp_path / (name + '.db')}"
        return postgres_database_factory()

    with running_platform(clean_nats, database_for, tmp_path) as running:
        yield running
