"""bench/registry: the registry's read path and bulk import, each beside a baseline measured
in the same run.

- GET one account through the real service process (uvicorn, SQLite, bearer token checked) at
  32 concurrent keep-alive connections, beside a bare FastAPI app returning the same JSON
  without a database or auth: p99 latency and throughput.
- List and search (words, filters, sorting) over 100,000 accounts through the same process,
  one request at a time (the latency of a query, not of a queue), beside the bare app
  returning a page of the same size.
- Import of 10,000 CSV rows in-process: wall time beside parsing the same file with the csv
  module alone; peak traced memory beside importing 1,000 rows (streaming in batches keeps it
  flat).
"""

from __future__ import annotations

import asyncio
import csv
import random
import statistics
import tempfile
import textwrap
import time
import tracemalloc
from pathlib import Path

import httpx

from bench.report import Figure
from bench.support import bare_app, percentile
from sinergi_kit.auth import Principal, Role, TokenVerifier
from sinergi_kit.clock import utcnow
from sinergi_kit.contracts.registry import AccountState, Platform
from sinergi_kit.db import Database
from sinergi_kit.ids import new_id
from sinergi_kit.migrations import upgrade
from sinergi_kit.nats_server import EmbeddedNats
from sinergi_kit.settings import ServiceSettings
from sinergi_kit.testing.processes import ServiceProcess
from sinergi_kit.uow import UnitOfWorkFactory
from sinergi_registry.adapters.repository import AccountRepository
from sinergi_registry.adapters.tables import messaging
from sinergi_registry.app import MIGRATIONS
from sinergi_registry.domain.districts import DISTRICTS
from sinergi_registry.service_layer.imports import run_import

CONNECTIONS = 32
GET_P99_TARGET_MS = 20.0
THROUGHPUT_SHARE_TARGET = 0.5
LIST_P99_TARGET_MS = 50.0
IMPORT_TARGET_S = 15.0
SMALL_IMPORT = 1_000  # two import batches: the fixed costs are all there
JWT_SECRET = "kunci-bench-registry-0123456789abcdef"
WORDS = (
    "info",
    "kabar",
    "warta",
    "suara",
    "jombang",
    "santri",
    "kopi",
    "wisata",
    "desa",
    "umkm",
    "dinas",
    "kecamatan",
    "komunitas",
    "relawan",
    "pemuda",
    "literasi",
    "budaya",
    "kuliner",
    "sehat",
    "tani",
    "batik",
    "sepeda",
    "foto",
    "vlog",
    "sejarah",
    "pesantren",
    "pasar",
    "sekolah",
    "karang",
    "taruna",
    "peduli",
    "lingkungan",
    "berbagi",
    "kreatif",
    "digital",
    "media",
    "radio",
    "berita",
    "terkini",
    "update",
    "rakyat",
    "warga",
    "kampung",
    "sungai",
    "brantas",
    "majapahit",
    "ringin",
    "contong",
    "bersatu",
    "damai",
)
PLATFORMS: tuple[Platform, ...] = ("instagram", "facebook", "tiktok", "youtube", "x")

BARE_APP = textwrap.dedent(
    """
    from pathlib import Path

    from fastapi import FastAPI, Response

    app = FastAPI()
    ACCOUNT = Path(__file__).with_name("account.json").read_bytes()
    PAGE = Path(__file__).with_name("page.json").read_bytes()

    @app.get("/accounts/{account_id}")
    async def account(account_id: str) -> Response:
        return Response(ACCOUNT, media_type="application/json")

    @app.get("/accounts")
    async def accounts() -> Response:
        return Response(PAGE, media_type="application/json")
    """
)


def _account(index: int) -> AccountState:
    now = utcnow()
    chooser = random.Random(index)
    words = [*chooser.sample(WORDS, 2), chooser.choice(DISTRICTS)]
    name = f"{' '.join(w.title() for w in words)} {index}"
    return AccountState(
        id=new_id(),
        version=1,
        platform=PLATFORMS[index % 5],
        handle=f"akun.{index}",
        display_name=name,
        managed_by="government" if index % 2 else "independent",
        category="government" if index % 2 else "community",
        district=DISTRICTS[index % len(DISTRICTS)],
        tags=["pemilu"] if index % 7 == 0 else [],
        followers=(index * 37) % 50_000,
        created_at=now,
        updated_at=now,
    )


async def seed(url: str, count: int) -> list[str]:
    """``count`` accounts written straight through the repository (no events)."""
    await asyncio.to_thread(upgrade, MIGRATIONS, url)
    db = Database(url)
    ids: list[str] = []
    try:
        for start in range(0, count, 5_000):
            states = [_account(i) for i in range(start, min(count, start + 5_000))]
            async with db.sessions() as session, session.begin():
                await AccountRepository(session).add_many(states)
            ids += [str(s.id) for s in states]
        async with db.sessions() as session, session.begin():
            await AccountRepository(session).refresh_statistics()
    finally:
        await db.dispose()
    return ids


async def _client(port: int, paths: list[str], headers: bytes, latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for path in paths:
            started = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nhost: bench\r\n".encode() + headers + b"\r\n")
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            await reader.readexactly(length)
            if b" 200 " not in head.split(b"\r\n", 1)[0]:
                raise RuntimeError(f"GET {path} answered {head[:60]!r}")
            latencies.append(time.perf_counter() - started)
    finally:
        writer.close()


async def load(
    port: int, paths: list[str], headers: bytes, connections: int
) -> tuple[list[float], float]:
    """Latencies and requests per second with ``connections`` keep-alive clients."""
    await _client(port, paths[:connections], headers, [])
    latencies: list[float] = []
    started = time.perf_counter()
    await asyncio.gather(
        *(_client(port, paths[i::connections], headers, latencies) for i in range(connections))
    )
    return latencies, len(latencies) / (time.perf_counter() - started)


def p99(latencies: list[float]) -> float:
    return percentile(latencies, 99) * 1000


def search_paths(count: int, seed_count: int) -> list[str]:
    chooser = random.Random(7)
    paths = []
    for n in range(count):
        kind = n % 5
        if kind == 0:
            paths.append(f"/accounts?q={chooser.choice(WORDS)}&sort=name")
        elif kind == 1:
            a, b = chooser.sample(WORDS, 2)
            paths.append(f"/accounts?q={a}+{b[:3]}")
        elif kind == 2:
            district = chooser.choice(DISTRICTS).replace(" ", "+")
            paths.append(f"/accounts?district={district}&managed_by=independent&sort=-followers")
        elif kind == 3:
            paths.append(f"/accounts?platform={chooser.choice(PLATFORMS)}&tag=pemilu")
        else:
            paths.append(f"/accounts?q=akun.{chooser.randrange(seed_count)}")
    return paths


def http_figures(tmp: Path, quick: bool) -> list[Figure]:
    accounts = 5_000 if quick else 100_000
    gets = 4_000 if quick else 32_000
    searches = 400 if quick else 3_000
    url = f"sqlite+aiosqlite:///{tmp / 'registry.db'}"
    ids = asyncio.run(seed(url, accounts))
    print(f"seeded {accounts:,} accounts", flush=True)
    chooser = random.Random(1)
    get_paths = [f"/accounts/{chooser.choice(ids)}" for _ in range(gets)]
    token = TokenVerifier(ServiceSettings(jwt_secret=JWT_SECRET)).issue(
        Principal("bench", frozenset({Role.VIEWER}))
    )
    headers = f"authorization: Bearer {token}\r\n".encode()

    nats = EmbeddedNats(tmp / "nats")
    nats.start()
    service = ServiceProcess(
        "registry",
        url,
        nats.url,
        tmp / "registry.log",
        extra_env={
            "SINERGI_REGISTRY_JWT_SECRET": JWT_SECRET,
            "SINERGI_REGISTRY_LOG_LEVEL": "WARNING",
        },
    )
    try:
        service.start()
        sample = httpx.get(
            service.base_url + get_paths[0], headers={"authorization": f"Bearer {token}"}
        )
        page = httpx.get(
            service.base_url + "/accounts?limit=50", headers={"authorization": f"Bearer {token}"}
        )
        got, got_rate = asyncio.run(load(service.port, get_paths, headers, CONNECTIONS))
        listed, _ = asyncio.run(load(service.port, search_paths(searches, accounts), headers, 1))
    finally:
        service.stop()
        nats.stop()
    (tmp / "account.json").write_bytes(sample.content)
    (tmp / "page.json").write_bytes(page.content)
    with bare_app(tmp, "bare_registry", BARE_APP) as port:
        bare_got, bare_rate = asyncio.run(load(port, get_paths, b"", CONNECTIONS))
        bare_listed, _ = asyncio.run(load(port, ["/accounts"] * searches, b"", 1))
    print(
        f"GET one: p99 {p99(got):.1f} ms, {got_rate:,.0f}/s; bare p99 {p99(bare_got):.1f} ms, "
        f"{bare_rate:,.0f}/s; list/search p99 {p99(listed):.1f} ms",
        flush=True,
    )
    share = got_rate / bare_rate
    return [
        Figure(
            name=f"GET one account p99, {CONNECTIONS} connections, SQLite ({len(got):,} requests)",
            value=p99(got),
            unit="ms",
            target=f"≤ {GET_P99_TARGET_MS:.0f} ms",
            met=p99(got) <= GET_P99_TARGET_MS,
            baseline_name="bare FastAPI, same JSON, p99 (ms)",
            baseline_value=p99(bare_got),
            note=f"p50 {statistics.median(got) * 1000:.1f} ms",
        ),
        Figure(
            name="GET one account throughput",
            value=got_rate,
            unit="req/s",
            target=f"≥ {THROUGHPUT_SHARE_TARGET:.0%} of bare",
            met=share >= THROUGHPUT_SHARE_TARGET,
            baseline_name="bare FastAPI req/s",
            baseline_value=bare_rate,
            note=f"{share:.0%} of the bare endpoint",
        ),
        Figure(
            name=f"list/search p99 over {accounts:,} accounts, one client, SQLite",
            value=p99(listed),
            unit="ms",
            target=f"≤ {LIST_P99_TARGET_MS:.0f} ms",
            met=p99(listed) <= LIST_P99_TARGET_MS,
            baseline_name="bare FastAPI, a page of 50, p99 (ms)",
            baseline_value=p99(bare_listed),
            note=f"p50 {statistics.median(listed) * 1000:.1f} ms; words, filters, sort, tag",
        ),
    ]


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(
            [
                "platform",
                "handle",
                "display_name",
                "managed_by",
                "category",
                "district",
                "tags",
                "followers",
            ]
        )
        for i in range(rows):
            writer.writerow(
                [
                    PLATFORMS[i % 5],
                    f"https://www.instagram.com/impor.{i}/" if i % 5 == 0 else f"@impor{i}",
                    f"Akun Impor {i}",
                    "independent",
                    "community",
                    DISTRICTS[i % len(DISTRICTS)],
                    "warga;pemilu",
                    i,
                ]
            )


async def timed_import(url: str, path: Path) -> tuple[float, int, int]:
    """Seconds, rows created and peak traced bytes of one import into a fresh database."""
    await asyncio.to_thread(upgrade, MIGRATIONS, url)
    db = Database(url)
    try:
        uow = UnitOfWorkFactory(db, messaging, lambda: None)
        actor = Principal("bench", frozenset({Role.OPERATOR}))
        tracemalloc.start()
        started = time.perf_counter()
        with path.open("rb") as file:
            report = await run_import(uow, "accounts", file, path.name, actor, dry_run=False)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        await db.dispose()
    return elapsed, report.created, peak


def import_figures(tmp: Path, quick: bool) -> list[Figure]:
    rows = 2_000 if quick else 10_000
    small, large = tmp / "small.csv", tmp / "large.csv"
    write_csv(small, SMALL_IMPORT)
    write_csv(large, rows)
    started = time.perf_counter()
    with large.open(newline="", encoding="utf-8") as file:
        parsed = sum(1 for _ in csv.DictReader(file))
    parse_s = time.perf_counter() - started
    seconds, created, peak = asyncio.run(
        timed_import(f"sqlite+aiosqlite:///{tmp / 'import.db'}", large)
    )
    _, _, small_peak = asyncio.run(
        timed_import(f"sqlite+aiosqlite:///{tmp / 'import-small.db'}", small)
    )
    assert created == parsed == rows, (created, parsed)
    print(f"import {rows:,} rows: {seconds:.1f} s, peak {peak / 2**20:.1f} MiB", flush=True)
    return [
        Figure(
            name=f"import {rows:,} CSV rows, SQLite",
            value=seconds,
            unit="s",
            target=f"≤ {IMPORT_TARGET_S:.0f} s",
            met=seconds <= IMPORT_TARGET_S,
            baseline_name="csv module parse only (s)",
            baseline_value=parse_s,
            note=f"{rows / seconds:,.0f} rows/s",
        ),
        Figure(
            name=f"import {rows:,} rows, peak traced memory",
            value=peak / 2**20,
            unit="MiB",
            target=f"flat: ≤ 1.5× the peak for {SMALL_IMPORT:,} rows",
            met=peak <= 1.5 * small_peak,
            baseline_name=f"{SMALL_IMPORT:,} rows (MiB)",
            baseline_value=small_peak / 2**20,
        ),
    ]


def run(*, quick: bool) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="sinergi-bench-registry-") as tmp:
        return http_figures(Path(tmp), quick) + import_figures(Path(tmp), quick)
