"""bench/registry: the registry's read path and bulk import, each beside a baseline measured
in the same run.

- GET one account through the real service process (uvicorn, SQLite, bearer token checked) at
  32 concurrent keep-alive connections, beside a bare FastAPI app returning the same JSON
  without a database or auth, both driven by the same load generator: p99 latency,
  throughput, and the server's CPU time per request (the figure that noise on a shared
  machine moves least).
- List and search (words, filters, sorting) over 100,000 accounts through the same process,
  one request at a time (the latency of a query, not of a queue), beside the bare app
  returning a page of the same size.
- Import of 10,000 CSV rows in-process: wall and CPU time beside parsing the same file with
  the csv module alone; in separate runs (tracing allocations slows the import several
  times over), peak traced memory beside importing 1,000 rows (streaming in batches keeps
  it flat).
"""

from __future__ import annotations

import asyncio
import csv
import random
import tempfile
import textwrap
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.report import Figure
from bench.support import bare_server, closed_loop, get_request
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
    get_paths = [f"/accounts/{chooser.choice(ids)}" for _ in range(gets + CONNECTIONS)]
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
        assert service.process is not None
        sample = httpx.get(
            service.base_url + get_paths[0], headers={"authorization": f"Bearer {token}"}
        )
        page = httpx.get(
            service.base_url + "/accounts?limit=50", headers={"authorization": f"Bearer {token}"}
        )
        got = closed_loop(
            service.port,
            service.process.pid,
            [get_request(p, headers) for p in get_paths],
            CONNECTIONS,
        )
        listed = closed_loop(
            service.port,
            service.process.pid,
            [get_request(p, headers) for p in search_paths(searches + 1, accounts)],
            1,
        )
    finally:
        service.stop()
        nats.stop()
    (tmp / "account.json").write_bytes(sample.content)
    (tmp / "page.json").write_bytes(page.content)
    with bare_server(tmp, "bare_registry", BARE_APP) as (port, pid):
        bare_got = closed_loop(port, pid, [get_request(p) for p in get_paths], CONNECTIONS)
        bare_listed = closed_loop(port, pid, [get_request("/accounts")] * (searches + 1), 1)
    share = got.rate / bare_got.rate
    print(
        f"GET one: p99 {got.p99_ms:.1f} ms, {got.rate:,.0f}/s, {got.cost()}; "
        f"bare p99 {bare_got.p99_ms:.1f} ms, {bare_got.rate:,.0f}/s, {bare_got.cost()}; "
        f"list/search p99 {listed.p99_ms:.1f} ms",
        flush=True,
    )
    return [
        Figure(
            name=f"GET one account p99, {CONNECTIONS} connections, SQLite "
            f"({len(got.latencies):,} requests)",
            value=got.p99_ms,
            unit="ms",
            target=f"≤ {GET_P99_TARGET_MS:.0f} ms",
            met=got.p99_ms <= GET_P99_TARGET_MS,
            baseline_name="bare FastAPI, same JSON, p99 (ms)",
            baseline_value=bare_got.p99_ms,
            note=f"p50 {got.p50_ms:.1f} ms (bare {bare_got.p50_ms:.1f} ms)",
        ),
        Figure(
            name="GET one account throughput",
            value=got.rate,
            unit="req/s",
            target=f"≥ {THROUGHPUT_SHARE_TARGET:.0%} of bare",
            met=share >= THROUGHPUT_SHARE_TARGET,
            baseline_name="bare FastAPI req/s",
            baseline_value=bare_got.rate,
            note=f"{share:.0%} of the bare endpoint; {got.cost()}; bare: {bare_got.cost()}",
        ),
        Figure(
            name=f"list/search p99 over {accounts:,} accounts, one client, SQLite",
            value=listed.p99_ms,
            unit="ms",
            target=f"≤ {LIST_P99_TARGET_MS:.0f} ms",
            met=listed.p99_ms <= LIST_P99_TARGET_MS,
            baseline_name="bare FastAPI, a page of 50, p99 (ms)",
            baseline_value=bare_listed.p99_ms,
            note=f"p50 {listed.p50_ms:.1f} ms; words, filters, sort, tag",
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


@dataclass(frozen=True)
class ImportRun:
    seconds: float
    cpu_seconds: float
    created: int
    peak_bytes: int


async def import_file(url: str, path: Path, *, trace_memory: bool) -> ImportRun:
    """One import into a fresh database. Tracing allocations slows Python down several
    times over, so a run either traces memory or is timed, never both."""
    await asyncio.to_thread(upgrade, MIGRATIONS, url)
    db = Database(url)
    try:
        uow = UnitOfWorkFactory(db, messaging, lambda: None)
        actor = Principal("bench", frozenset({Role.OPERATOR}))
        if trace_memory:
            tracemalloc.start()
        started, cpu_started = time.perf_counter(), time.process_time()
        with path.open("rb") as file:
            report = await run_import(uow, "accounts", file, path.name, actor, dry_run=False)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        peak = 0
        if trace_memory:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    finally:
        await db.dispose()
    return ImportRun(seconds, cpu_seconds, report.created, peak)


def import_figures(tmp: Path, quick: bool) -> list[Figure]:
    rows = 2_000 if quick else 10_000
    small, large = tmp / "small.csv", tmp / "large.csv"
    write_csv(small, SMALL_IMPORT)
    write_csv(large, rows)
    started = time.perf_counter()
    with large.open(newline="", encoding="utf-8") as file:
        parsed = sum(1 for _ in csv.DictReader(file))
    parse_s = time.perf_counter() - started

    def imported(name: str, path: Path, *, trace_memory: bool) -> ImportRun:
        url = f"sqlite+aiosqlite:///{tmp / name}"
        return asyncio.run(import_file(url, path, trace_memory=trace_memory))

    timed = imported("import.db", large, trace_memory=False)
    peak = imported("import-traced.db", large, trace_memory=True).peak_bytes
    small_peak = imported("import-small.db", small, trace_memory=True).peak_bytes
    assert timed.created == parsed == rows, (timed.created, parsed)
    per_row_us = timed.cpu_seconds / rows * 1e6
    print(
        f"import {rows:,} rows: {timed.seconds:.1f} s ({per_row_us:,.0f} µs CPU a row), "
        f"peak {peak / 2**20:.1f} MiB",
        flush=True,
    )
    return [
        Figure(
            name=f"import {rows:,} CSV rows, SQLite",
            value=timed.seconds,
            unit="s",
            target=f"≤ {IMPORT_TARGET_S:.0f} s for 10,000",
            met=timed.seconds <= IMPORT_TARGET_S * rows / 10_000,
            baseline_name="csv module parse only (s)",
            baseline_value=parse_s,
            note=f"{rows / timed.seconds:,.0f} rows/s; {per_row_us:,.0f} µs CPU a row",
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
