"""What several benchmarks share: the databases to run on, percentiles, and a bare FastAPI
app as the baseline server."""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine.url import make_url

from sinergi_kit.nats_server import free_port


def percentile(samples: list[float], pct: int) -> float:
    """The ``pct``-th percentile cut point, in the samples' unit."""
    return statistics.quantiles(samples, n=100)[pct - 1]


@contextmanager
def bare_app(tmp: Path, module: str, source: str) -> Iterator[int]:
    """Serve ``source`` (a FastAPI app named ``app``) with uvicorn; yields its port."""
    (tmp / f"{module}.py").write_text(source)
    port = free_port()
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "uvicorn", f"{module}:app", "--app-dir", str(tmp)),
            *("--port", str(port), "--log-level", "warning", "--no-access-log"),
        ]
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/docs", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise TimeoutError("the bare app did not start") from None
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=15)


def database_urls(tmp: Path) -> list[tuple[str, str]]:
    urls = [("sqlite", f"sqlite+aiosqlite:///{tmp / 'bench.db'}")]
    admin = os.environ.get("TEST_POSTGRES_URL")
    if admin:
        urls.append(("postgresql", asyncio.run(create_postgres_database(admin))))
    else:
        print("TEST_POSTGRES_URL not set: PostgreSQL figures left out", flush=True)
    return urls


async def create_postgres_database(admin_url: str) -> str:
    name = f"sinergi_bench_{os.getpid()}_{int(time.time())}"
    dsn = make_url(admin_url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    url = make_url(admin_url).set(drivername="postgresql+asyncpg", database=name)
    return url.render_as_string(hide_password=False)
