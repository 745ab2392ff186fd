"""bench/factcheck: matching a new report against 100,000 stored cases (the index — exact
hash, rare-token candidates, fuzzy scorer on the few — beside a naive linear rapidfuzz scan
over the same cases), and public intake reports/s through the real service process on SQLite
beside a bare FastAPI endpoint taking the same body, both served by uvicorn in this run.

The stored cases are synthetic Indonesian hoax texts: templates filled from lists of bodies,
places, amounts and a long tail of generated words, so token frequencies are skewed like real
text. Half the queries are edited copies of stored texts (slang, emoji, a forwarded prefix),
half are new.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import sqlite3
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from uuid import UUID, uuid4

import psutil
from rapidfuzz import fuzz, process

from bench.report import Figure
from bench.support import bare_app, percentile
from sinergi_factcheck.domain.matching.index import MatchIndex
from sinergi_factcheck.domain.matching.text import normalise_text
from sinergi_kit.nats_server import EmbeddedNats
from sinergi_kit.testing.processes import ServiceProcess

MATCH_P95_TARGET_MS = 50.0
INTAKE_TARGET = 300.0

SUBJECTS = [
    "KPU Jombang",
    "Bawaslu",
    "Bupati Jombang",
    "Polres Jombang",
    "Dinkes",
    "BPJS Kesehatan",
    "PLN",
    "Kemensos",
    "Disdik",
    "camat",
    "kepala desa",
    "Pemkab Jombang",
    "TNI",
    "PKH",
    "Shopee",
    "bank BRI",
    "Pertamina",
    "DPRD",
    "puskesmas",
    "RSUD Jombang",
    "Dishub",
]
ACTIONS = [
    "menghapus data pemilih",
    "membagikan bantuan tunai",
    "menutup pendaftaran",
    "membuka lowongan kerja",
    "mengundi hadiah mobil",
    "memblokir kartu peserta",
    "menaikkan tarif listrik",
    "meliburkan sekolah",
    "menangkap tim sukses",
    "menyita kotak suara",
    "memberi vaksin gratis",
    "mencabut subsidi",
    "memotong honor",
    "melarang warga keluar rumah",
    "membagikan sembako",
    "mengganti jadwal pencoblosan",
]
PLACES = [
    "Diwek",
    "Mojoagung",
    "Ploso",
    "Peterongan",
    "Jogoroto",
    "Sumobito",
    "Kabuh",
    "Ngoro",
    "Bareng",
    "Wonosalam",
    "Mojowarno",
    "Gudo",
    "Perak",
    "Bandar Kedungmulyo",
    "Tembelang",
    "Megaluh",
    "Kesamben",
    "Plandaan",
    "Kudu",
    "Ngusikan",
    "Jombang",
]
TAILS = [
    "sebarkan ke grup keluarga",
    "klik tautan untuk daftar",
    "kirim nomor KTP dan rekening",
    "info dari grup sebelah",
    "segera sebelum ditutup",
    "jangan sampai terlambat",
    "sudah terbukti benar",
    "tolong viralkan",
]
SYLLABLES = ["ka", "ra", "ma", "ta", "si", "lu", "no", "be", "ga", "dé", "pu", "jo", "wi", "sa"]
EDITS: list[Callable[[str], str]] = [
    lambda t: "Info dr grup sebelah: " + t,
    lambda t: t.upper() + " 🙏🙏",
    lambda t: t.replace("yang", "yg").replace("tidak", "gak").replace("dengan", "dgn"),
    lambda t: t + " sebarkan!!!",
    lambda t: " ".join(t.split()[:-2]),
]


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    words = {
        "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(size * 2)
    }
    return sorted(words)[:size]


def hoax_texts(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    vocabulary = _vocabulary(rng, 40_000)
    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(vocabulary))))
    texts = []
    for _ in range(count):
        tail_words = rng.choices(vocabulary, cum_weights=cumulative, k=rng.randint(6, 14))
        texts.append(
            f"{rng.choice(SUBJECTS)} {rng.choice(ACTIONS)} di {rng.choice(PLACES)} "
            f"tanggal {rng.randint(1, 28)} bulan {rng.randint(1, 12)} "
            f"Rp{rng.randint(1, 999)}.000 {' '.join(tail_words)} {rng.choice(TAILS)}"
        )
    return texts


def matching(*, cases: int, queries: int, baseline_queries: int) -> list[Figure]:
    texts = hoax_texts(cases)
    case_ids = [uuid4() for _ in texts]
    index = MatchIndex()
    started = time.perf_counter()
    normalised = [normalise_text(t) for t in texts]
    for text, case_id in zip(normalised, case_ids, strict=True):
        index.add(uuid4(), case_id, text, ())
    print(f"indexed {cases:,} cases in {time.perf_counter() - started:.1f}s", flush=True)
    rng = random.Random(11)
    fresh = hoax_texts(queries // 2, seed=99)
    picks = [rng.randrange(cases) for _ in range(queries - len(fresh))]
    workload: list[tuple[str, UUID | None]] = [
        (rng.choice(EDITS)(texts[i]), case_ids[i]) for i in picks
    ] + [(t, None) for t in fresh]
    rng.shuffle(workload)
    timings: list[float] = []
    found = 0
    for query, expected in workload:
        t0 = time.perf_counter()
        best = index.match(normalise_text(query), (), limit=1)
        timings.append((time.perf_counter() - t0) * 1000)
        if expected is not None and best and best[0].case_id == expected:
            found += 1
    p95 = percentile(timings, 95)
    copies = sum(1 for _, expected in workload if expected is not None)
    print(f"index: p95 {p95:.2f} ms, copies found {found}/{copies}", flush=True)
    scan_timings: list[float] = []
    for query, _ in workload[:baseline_queries]:
        t0 = time.perf_counter()
        process.extractOne(normalise_text(query), normalised, scorer=fuzz.token_sort_ratio)
        scan_timings.append((time.perf_counter() - t0) * 1000)
    scan_p95 = percentile(scan_timings, 95)
    print(f"linear rapidfuzz scan: p95 {scan_p95:.1f} ms", flush=True)
    return [
        Figure(
            name=f"factcheck match p95 ({cases:,} cases)",
            value=p95,
            unit="ms",
            target=f"≤ {MATCH_P95_TARGET_MS:.0f} ms",
            met=p95 <= MATCH_P95_TARGET_MS,
            baseline_name=f"linear rapidfuzz scan p95 ({baseline_queries} queries)",
            baseline_value=scan_p95,
            note=f"edited copies found: {found}/{copies}",
        )
    ]


BARE_APP = textwrap.dedent(
    """
    from fastapi import FastAPI
    from pydantic import BaseModel, Field

    app = FastAPI()

    class Body(BaseModel):
        text: str = Field(default="", max_length=5000)
        urls: list[str] = Field(default_factory=list, max_length=10)

    @app.post("/reports", status_code=201)
    async def reports(body: Body) -> dict[str, str]:
        return {"status": "received"}
    """
)


async def _post_all(host: str, port: int, payloads: list[bytes], counter: list[int]) -> None:
    """One keep-alive HTTP/1.1 connection posting ``payloads`` one after another."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for payload in payloads:
            writer.write(
                b"POST /reports HTTP/1.1\r\nhost: bench\r\ncontent-type: application/json\r\n"
                b"content-length: " + str(len(payload)).encode() + b"\r\n\r\n" + payload
            )
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            await reader.readexactly(length)
            if status != 201:
                raise RuntimeError(f"intake answered {status}")
            counter[0] += 1
    finally:
        writer.close()


async def _load(port: int, bodies: list[dict[str, object]], concurrency: int) -> float:
    """Requests per second over ``concurrency`` keep-alive connections. A raw asyncio client:
    httpx's async client tops out below the rate being measured on this machine."""
    payloads = [json.dumps(body).encode() for body in bodies]
    counter = [0]
    await _post_all("127.0.0.1", port, payloads[:1], counter)  # warm-up
    started = time.perf_counter()
    await asyncio.gather(
        *(
            _post_all("127.0.0.1", port, payloads[1 + i :: concurrency], counter)
            for i in range(concurrency)
        )
    )
    elapsed = time.perf_counter() - started
    return (counter[0] - 1) / elapsed


def _bare_endpoint(tmp: Path, bodies: list[dict[str, object]], concurrency: int) -> float:
    with bare_app(tmp, "bare_app", BARE_APP) as port:
        return asyncio.run(_load(port, bodies, concurrency))


def _outbox_drained(database: Path, timeout_s: float = 30.0) -> None:
    """Waits until the relay has published every event the load wrote, so the server's CPU
    time counts the publishing too."""
    deadline = time.monotonic() + timeout_s
    with sqlite3.connect(database) as connection:
        while time.monotonic() < deadline:
            query = "SELECT count(*) FROM outbox WHERE published_at IS NULL"
            if connection.execute(query).fetchone() == (0,):
                return
            time.sleep(0.02)
    raise TimeoutError("the outbox was not drained")


def intake(tmp: Path, *, reports: int, concurrency: int = 16) -> list[Figure]:
    texts = hoax_texts(reports, seed=5)
    bodies: list[dict[str, object]] = [
        {"text": text, "urls": [f"https://facebook.com/groups/{i % 97}/posts/{i}"]}
        for i, text in enumerate(texts)
    ]
    bare = _bare_endpoint(tmp, bodies, concurrency)
    print(f"bare FastAPI endpoint: {bare:,.0f} req/s", flush=True)
    nats = EmbeddedNats(tmp / "nats")
    nats.start()
    database = tmp / "factcheck.db"
    service = ServiceProcess(
        "factcheck",
        f"sqlite+aiosqlite:///{database}",
        nats.url,
        tmp / "factcheck.log",
        extra_env={
            "SINERGI_FACTCHECK_INTAKE_PER_MINUTE_PER_CLIENT": "1e9",
            "SINERGI_FACTCHECK_INTAKE_BURST_PER_CLIENT": "1e9",
            "SINERGI_FACTCHECK_JWT_SECRET": "bench-" + "k" * 40,
            "SINERGI_FACTCHECK_LOG_LEVEL": "WARNING",
        },
    )
    try:
        service.start()
        assert service.process is not None
        server = psutil.Process(service.process.pid)
        cpu_before = sum(server.cpu_times()[:2])
        rate = asyncio.run(_load(service.port, bodies, concurrency))
        _outbox_drained(database)
        cpu_us = (sum(server.cpu_times()[:2]) - cpu_before) / len(bodies) * 1e6
    finally:
        service.stop()
        nats.stop()
    cost = f"server {cpu_us:,.0f} µs CPU a report, outbox published"
    print(f"factcheck public intake (SQLite): {rate:,.0f} reports/s, {cost}", flush=True)
    return [
        Figure(
            name=f"factcheck public intake, SQLite ({reports:,} reports)",
            value=rate,
            unit="reports/s",
            target=f"≥ {INTAKE_TARGET:,.0f}/s",
            met=rate >= INTAKE_TARGET,
            baseline_name="bare FastAPI endpoint",
            baseline_value=bare,
            note=f"{rate / bare:.0%} of bare; {cost}",
        )
    ]


def run(*, quick: bool) -> list[Figure]:
    figures = matching(
        cases=10_000 if quick else 100_000,
        queries=200 if quick else 2_000,
        baseline_queries=20 if quick else 40,
    )
    with tempfile.TemporaryDirectory(prefix="sinergi-bench-factcheck-") as tmp:
        figures += intake(Path(tmp), reports=300 if quick else 5_000)
    return figures
