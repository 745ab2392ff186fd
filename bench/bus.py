"""bench/bus: events per second through the whole pipeline — outbox write → relay →
JetStream → consumer with inbox and projection write — beside raw nats-py pull-and-ack of the
same payloads, on SQLite and PostgreSQL; and the peak memory of real service processes.

The producer (use cases writing the outbox, 50 events a transaction, and the relay) and the
consumer run in separate processes, as two services would.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import secrets
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import nats
import psutil
from nats.js.api import AckPolicy, ConsumerConfig, StreamConfig
from sqlalchemy import func, select

from bench.report import Figure
from bench.support import database_urls
from sinergi_kit.auth import Principal, Role, TokenVerifier
from sinergi_kit.db import Database
from sinergi_kit.envelope import Envelope
from sinergi_kit.messaging.outbox import OutboxRelay
from sinergi_kit.messaging.topology import STREAMS, provision
from sinergi_kit.nats_server import EmbeddedNats
from sinergi_kit.settings import ServiceSettings
from sinergi_kit.testing.harness import (
    TEST_CONSUMER,
    Harness,
    account_event,
    metadata,
    projection,
    tables,
)
from sinergi_kit.testing.processes import ServiceProcess
from sinergi_kit.uow import UnitOfWorkFactory

EVENTS_PER_TRANSACTION = 50
PIPELINE_TARGET = 2_000.0
RAW_SHARE_TARGET = 0.25
RSS_TARGET_MB = 150.0


def run(*, quick: bool) -> list[Figure]:
    count = 2_000 if quick else 20_000
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="sinergi-bench-") as tmp:
        server = EmbeddedNats(Path(tmp) / "nats")
        server.start()
        try:
            raw = asyncio.run(raw_pull_and_ack(server.url, count))
            print(f"raw nats-py pull+ack: {raw:,.0f} msg/s", flush=True)
            with database_urls(Path(tmp)) as urls:
                for backend, url in urls:
                    rate = pipeline_rate(server.url, url, count)
                    print(f"pipeline on {backend}: {rate:,.0f} events/s", flush=True)
                    figures.append(
                        Figure(
                            name=f"bus pipeline, {backend} ({count:,} events)",
                            value=rate,
                            unit="events/s",
                            target=f"≥ {PIPELINE_TARGET:,.0f}/s and "
                            f"≥ {RAW_SHARE_TARGET:.0%} of raw",
                            met=rate >= PIPELINE_TARGET and rate >= RAW_SHARE_TARGET * raw,
                            baseline_name="raw nats-py pull+ack",
                            baseline_value=raw,
                            note=f"{rate / raw:.0%} of raw",
                        )
                    )
            figures += service_memory(server.url, Path(tmp), accounts=200 if quick else 2_000)
        finally:
            server.stop()
    return figures


def payloads(count: int) -> list[Envelope]:
    return [Envelope.wrap(account_event(handle=f"akun{n}")) for n in range(count)]


async def raw_pull_and_ack(url: str, count: int) -> float:
    nc = await nats.connect(url)
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name="BENCH_RAW", subjects=["bench.raw.>"]))
    futures = []
    for envelope in payloads(count):
        futures.append(
            await js.publish_async("bench.raw.account", envelope.body(), headers=envelope.headers())
        )
    await asyncio.gather(*futures)
    await js.add_consumer(
        "BENCH_RAW", ConsumerConfig(durable_name="raw", ack_policy=AckPolicy.EXPLICIT)
    )
    subscription = await js.pull_subscribe_bind(durable="raw", stream="BENCH_RAW")
    received = 0
    started = time.perf_counter()
    while received < count:
        for msg in await subscription.fetch(256, timeout=5):
            await msg.ack()
            received += 1
    elapsed = time.perf_counter() - started
    await js.delete_stream("BENCH_RAW")
    await nc.close()
    return count / elapsed


def pipeline_rate(nats_url: str, database_url: str, count: int) -> float:
    asyncio.run(prepare(nats_url, database_url))
    context = multiprocessing.get_context("spawn")
    ready, done = context.Event(), context.Queue()
    consumer = context.Process(target=consume, args=(nats_url, database_url, count, ready, done))
    consumer.start()
    if not ready.wait(60):
        raise RuntimeError("the consumer process did not start")
    started = time.time()
    asyncio.run(produce(nats_url, database_url, count))
    finished = float(done.get(timeout=600))
    consumer.join(30)
    return count / (finished - started)


async def prepare(nats_url: str, database_url: str) -> None:
    db = Database(database_url)
    async with db.engine.begin() as connection:
        await connection.run_sync(metadata.drop_all)
        await connection.run_sync(metadata.create_all)
    await db.dispose()
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    for spec in STREAMS.values():
        with contextlib.suppress(nats.js.errors.NotFoundError):
            await js.delete_stream(spec.name)
    await provision(js, streams=[STREAMS["registry"]], consumers=[TEST_CONSUMER])
    await nc.close()


async def produce(nats_url: str, database_url: str, count: int) -> None:
    """Use cases write the outbox while the relay publishes it, in one process."""
    db = Database(database_url)
    relay = OutboxRelay(db, tables, "registry", batch_size=500, poll_interval_s=0.05)
    uow = UnitOfWorkFactory(db, tables, relay.wake)
    nc = await nats.connect(nats_url)
    relay_task = asyncio.create_task(relay.run(nc.jetstream()))
    events = [account_event(handle=f"akun{n}") for n in range(count)]
    for start in range(0, count, EVENTS_PER_TRANSACTION):
        async with uow() as unit:
            for event in events[start : start + EVENTS_PER_TRANSACTION]:
                unit.emit(event)
        await asyncio.sleep(0)
    while True:
        async with db.read() as session:
            left = (
                await session.execute(
                    select(func.count())
                    .select_from(tables.outbox)
                    .where(tables.outbox.c.published_at.is_(None))
                )
            ).scalar_one()
        if left == 0:
            break
        await asyncio.sleep(0.05)
    relay_task.cancel()
    await asyncio.gather(relay_task, return_exceptions=True)
    await nc.close()
    await db.dispose()


def consume(nats_url: str, database_url: str, count: int, ready: Any, done: Any) -> None:
    asyncio.run(_consume(nats_url, database_url, count, ready, done))


async def _consume(nats_url: str, database_url: str, count: int, ready: Any, done: Any) -> None:
    db = Database(database_url)
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    uow = UnitOfWorkFactory(db, tables, lambda: None)
    harness = Harness(db, nc, js, OutboxRelay(db, tables, "registry"), uow)
    consumer = harness.consumer(batch_size=512, batched=True)
    task = asyncio.create_task(consumer.run(js))
    ready.set()
    while len(harness.applied) < count or await harness.count(projection) < count:  # noqa: ASYNC110
        await asyncio.sleep(0.02)
    done.put(time.time())
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await nc.close()
    await db.dispose()


def service_memory(nats_url: str, tmp: Path, accounts: int) -> list[Figure]:
    """Peak RSS of the registry and events processes while accounts flow between them."""
    asyncio.run(prepare(nats_url, f"sqlite+aiosqlite:///{tmp / 'scratch.db'}"))
    secret = secrets.token_urlsafe(48)
    token = TokenVerifier(ServiceSettings(jwt_secret=secret)).issue(
        Principal("bench-operator", frozenset({Role.OPERATOR}))
    )
    processes = {
        name: ServiceProcess(
            name,
            f"sqlite+aiosqlite:///{tmp / (name + '-rss.db')}",
            nats_url,
            tmp / f"{name}.log",
            extra_env={f"SINERGI_{name.upper()}_JWT_SECRET": secret},
        )
        for name in ("registry", "events")
    }
    for process in processes.values():
        process.start()
    peaks = {name: 0.0 for name in processes}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            for name, process in processes.items():
                assert process.process is not None
                rss = psutil.Process(process.process.pid).memory_info().rss / 2**20
                peaks[name] = max(peaks[name], rss)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        asyncio.run(register_accounts(processes["registry"].base_url, accounts, token))
        wait_projected(processes["events"].base_url, accounts)
    finally:
        stop.set()
        sampler.join()
        for process in processes.values():
            process.stop()
    return [
        Figure(
            name=f"peak RSS, {name} service ({accounts:,} accounts through it)",
            value=peak,
            unit="MB",
            target=f"≤ {RSS_TARGET_MB:.0f} MB",
            met=peak <= RSS_TARGET_MB,
        )
        for name, peak in peaks.items()
    ]


async def register_accounts(base_url: str, count: int, token: str) -> None:
    headers = {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, timeout=30, headers=headers) as client:
        semaphore = asyncio.Semaphore(16)

        async def one(n: int) -> None:
            async with semaphore:
                response = await client.post(
                    "/accounts",
                    json={
                        "platform": "instagram",
                        "handle": f"akun.jombang.{n}",
                        "display_name": f"Akun {n}",
                        "managed_by": "independent",
                        "category": "community",
                    },
                )
                response.raise_for_status()

        await asyncio.gather(*(one(n) for n in range(count)))


def wait_projected(base_url: str, count: int, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    seen = 0
    while time.monotonic() < deadline:
        seen, cursor = 0, None
        while True:
            params: dict[str, Any] = {"limit": 500}
            if cursor:
                params["cursor"] = cursor
            page = httpx.get(base_url + "/directory/accounts", params=params).json()
            seen += len(page["items"])
            cursor = page["next_cursor"]
            if not cursor:
                break
        if seen >= count:
            return
        time.sleep(0.2)
    raise TimeoutError(f"only {seen} of {count} accounts projected")
