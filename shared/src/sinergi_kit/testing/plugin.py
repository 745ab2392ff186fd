"""pytest fixtures: a real NATS JetStream server and real databases.

NATS: ``NATS_URL`` if set; else a testcontainers container when a Docker engine answers; else
the embedded binary on a free port with its own store directory.
PostgreSQL: ``TEST_POSTGRES_URL``; a database is created for each use and dropped at the end
of the run. Outside CI a missing server skips those tests with the reason; with ``CI=true`` it
fails them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import asyncpg
import nats
import pytest
from nats.js.errors import NotFoundError
from sqlalchemy.engine.url import URL, make_url

from sinergi_kit.messaging.topology import STREAMS
from sinergi_kit.nats_server import EmbeddedNats

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
    except Exception:
        return False
    return True


@pytest.fixture(scope="session")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if url := os.environ.get("NATS_URL"):
        yield url
        return
    if _docker_answers():
        from testcontainers.nats import NatsContainer

        with NatsContainer(jetstream=True) as container:
            yield container.nats_uri()
        return
    server = EmbeddedNats(tmp_path_factory.mktemp("nats-store"))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


async def delete_sinergi_streams(url: str) -> None:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        for spec in STREAMS.values():
            with contextlib.suppress(NotFoundError):
                await js.delete_stream(spec.name)
    finally:
        await nc.close()


@pytest.fixture
async def clean_nats(nats_url: str) -> AsyncIterator[str]:
    """The shared test server with no Sinergi streams left from an earlier test."""
    await delete_sinergi_streams(nats_url)
    yield nats_url


@pytest.fixture
def restartable_nats(tmp_path: Path) -> Iterator[EmbeddedNats]:
    """A server of the test's own that the test may stop and start again."""
    server = EmbeddedNats(tmp_path / "nats-store")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def require(condition: bool, reason: str) -> None:
    """Outside CI a missing prerequisite skips the test with its reason; in CI it fails."""
    if not condition:
        if IN_CI:
            pytest.fail(f"{reason} (CI requires it)")
        pytest.skip(reason)


def postgres_admin_url() -> str:
    """``TEST_POSTGRES_URL``, once the server answers."""
    url = os.environ.get("TEST_POSTGRES_URL", "")
    require(bool(url), "TEST_POSTGRES_URL is not set")
    try:
        asyncio.run(_check_postgres(url))
    except Exception as exc:
        require(False, f"PostgreSQL at TEST_POSTGRES_URL does not answer: {exc!r}")
    return url


def asyncpg_dsn(url: str | URL) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _check_postgres(url: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(url), timeout=5)
    await connection.close()


async def _run_admin(url: str, statement: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(url), timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def postgres_database_factory() -> Iterator[Callable[[], str]]:
    """Creates empty PostgreSQL databases; drops them all when the run ends."""
    created: list[str] = []
    admin_url: list[str] = []

    def create() -> str:
        if not admin_url:
            admin_url.append(postgres_admin_url())
        name = f"sinergi_test_{uuid.uuid4().hex[:12]}"
        asyncio.run(_run_admin(admin_url[0], f'CREATE DATABASE "{name}"'))
        created.append(name)
        url = make_url(admin_url[0]).set(drivername="postgresql+asyncpg", database=name)
        return url.render_as_string(hide_password=False)

    yield create
    for name in created:
        asyncio.run(_run_admin(admin_url[0], f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def postgres_url(postgres_database_factory: Callable[[], str]) -> str:
    """An empty PostgreSQL database, for a test of PostgreSQL alone."""
    return postgres_database_factory()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    postgres_database_factory: Callable[[], str],
) -> str:
    """An empty database of each backend."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    return postgres_database_factory()
