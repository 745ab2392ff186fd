"""What several benchmarks share: the databases to run on, percentiles, a bare FastAPI app as
the baseline server, and the HTTP load generator that measures a server and its baseline
alike."""

from __future__ import annotations

import asyncio
import os
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import psutil
from sqlalchemy.engine.url import make_url

from sinergi_kit.nats_server import free_port


def percentile(samples: list[float], pct: int) -> float:
    """The ``pct``-th percentile cut point, in the samples' unit."""
    return statistics.quantiles(samples, n=100)[pct - 1]


@contextmanager
def bare_app(tmp: Path, module: str, source: str) -> Iterator[int]:
    """Serve ``source`` (a FastAPI app named ``app``) with uvicorn; yields its port."""
    with bare_server(tmp, module, source) as (port, _):
        yield port


@contextmanager
def bare_server(tmp: Path, module: str, source: str) -> Iterator[tuple[int, int]]:
    """:func:`bare_app`, yielding its port and process id."""
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
        yield port, server.pid
    finally:
        server.terminate()
        server.wait(timeout=15)


@contextmanager
def database_urls(tmp: Path) -> Iterator[list[tuple[str, str]]]:
    """A SQLite file in ``tmp`` and, when TEST_POSTGRES_URL is set, a scratch PostgreSQL
    database, dropped when the benchmark is done with it."""
    urls = [("sqlite", f"sqlite+aiosqlite:///{tmp / 'bench.db'}")]
    admin = os.environ.get("TEST_POSTGRES_URL")
    if not admin:
        print("TEST_POSTGRES_URL not set: PostgreSQL figures left out", flush=True)
        yield urls
        return
    name = f"sinergi_bench_{secrets.token_hex(6)}"
    asyncio.run(_administer(admin, f'CREATE DATABASE "{name}"'))
    url = make_url(admin).set(drivername="postgresql+asyncpg", database=name)
    try:
        yield [*urls, ("postgresql", url.render_as_string(hide_password=False))]
    finally:
        asyncio.run(_administer(admin, f'DROP DATABASE "{name}" WITH (FORCE)'))


async def _administer(admin_url: str, statement: str) -> None:
    dsn = make_url(admin_url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@dataclass(frozen=True)
class Load:
    """What one closed-loop run measured: each request's latency, and the CPU time the server
    process and the load generator (this process) spent on the whole run."""

    latencies: list[float]
    seconds: float
    server_cpu_s: float
    client_cpu_s: float

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies, 99) * 1000

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies) * 1000

    @property
    def server_us(self) -> float:
        """Server CPU per request: what the server costs, whatever else runs on the machine."""
        return self.server_cpu_s / len(self.latencies) * 1e6

    @property
    def client_us(self) -> float:
        return self.client_cpu_s / len(self.latencies) * 1e6

    def cost(self) -> str:
        return (
            f"server {self.server_us:,.0f} µs CPU a request, "
            f"load generator {self.client_us:,.0f} µs"
        )


def _content_length(head: bytes) -> int:
    return next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )


async def _connection(
    port: int,
    requests: list[bytes],
    accept: Callable[[bytes], bool],
    latencies: list[float],
) -> None:
    """One keep-alive client sending its requests one after another. Raw HTTP/1.1 on a
    stream keeps the load generator's own CPU per request small beside the server's."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for request in requests:
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            body = await reader.readexactly(_content_length(head))
            if b" 200 " not in head.split(b"\r\n", 1)[0] or not accept(body):
                raise RuntimeError(f"refused: {head[:60]!r} {body[:200]!r}")
            latencies.append(time.perf_counter() - started)
    finally:
        writer.close()


def _everything(_: bytes) -> bool:
    return True


def closed_loop(
    port: int,
    server_pid: int,
    requests: list[bytes],
    connections: int,
    accept: Callable[[bytes], bool] = _everything,
) -> Load:
    """The first ``connections`` requests warm the server up one at a time; the rest are
    spread over ``connections`` keep-alive connections, each sending its next request when
    the answer to the last one has arrived. Every request must be answered 200 with a body
    ``accept`` takes."""
    warm, measured = requests[:connections], requests[connections:]
    asyncio.run(_connection(port, warm, accept, []))
    server = psutil.Process(server_pid)

    async def run() -> list[float]:
        latencies: list[float] = []
        await asyncio.gather(
            *(
                _connection(port, measured[i::connections], accept, latencies)
                for i in range(connections)
            )
        )
        return latencies

    server_before, client_before = sum(server.cpu_times()[:2]), time.process_time()
    started = time.perf_counter()
    latencies = asyncio.run(run())
    seconds = time.perf_counter() - started
    return Load(
        latencies,
        seconds,
        server_cpu_s=sum(server.cpu_times()[:2]) - server_before,
        client_cpu_s=time.process_time() - client_before,
    )


def get_request(path: str, headers: bytes = b"") -> bytes:
    return f"GET {path} HTTP/1.1\r\nhost: bench\r\n".encode() + headers + b"\r\n"


def post_json(path: str, body: bytes, headers: bytes = b"") -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nhost: bench\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\n".encode()
        + headers
        + b"\r\n"
        + body
    )
