"""Group commit of intake, on SQLite and PostgreSQL: reports arriving together share one
transaction, each still gets its own answer; one bad report costs the others nothing; rate
limits live in the database, so replicas spend from the same buckets."""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import func, select

from sinergi_factcheck.adapters.repository import Cases
from sinergi_factcheck.adapters.tables import messaging, rate_buckets, reports
from sinergi_factcheck.domain.matching.text import normalise_text
from sinergi_factcheck.service_layer import intake, matching
from sinergi_factcheck.service_layer.context import Factcheck
from sinergi_factcheck.service_layer.intake import (
    MAX_BATCH,
    IntakeWriter,
    RateLimitedError,
    Receipt,
    SubmitReport,
    submit_report,
)
from sinergi_kit.contracts.factcheck import CaseOpenedV1, ReportReceivedV1
from sinergi_kit.db import Database
from sinergi_kit.http.problems import ProblemError
from sinergi_kit.tracing import TraceParent, current_traceparent
from sinergi_kit.uow import UnitOfWork, UnitOfWorkFactory

from .support import Api, run_with_factcheck

HOAX = "Bantuan tunai Rp 600 ribu dari Kemensos dibagikan lewat tautan ini, isi nomor KTP"


class CountingUnitsOfWork:
    def __init__(self, inner: UnitOfWorkFactory) -> None:
        self.inner = inner
        self.opened = 0

    def __call__(self) -> AbstractAsyncContextManager[UnitOfWork]:
        self.opened += 1
        return self.inner()


def test_reports_arriving_together_share_a_transaction_and_get_their_own_receipts(
    database_url: str,
) -> None:
    texts = [
        "Pemadaman listrik total se-Jawa Timur selama tiga hari mulai besok",
        "KPU menghapus nama pemilih yang tidak datang ke TPS tahun lalu",
        "Vaksin campak di puskesmas Diwek mengandung chip pelacak",
        "Jembatan Ploso ditutup permanen karena retak parah",
        "Pendaftaran CPNS Pemkab Jombang dibuka lewat grup WhatsApp",
        "Bupati melarang warga keluar rumah setelah jam delapan malam",
        "Harga beras naik dua kali lipat karena gudang Bulog terbakar",
        "Polres menangkap tim sukses yang membagikan amplop di Mojoagung",
        "Air PDAM tercemar limbah pabrik, jangan diminum seminggu",
        "Sekolah dasar negeri wajib memakai seragam baru tahun depan",
    ]

    async def scenario(fc: Factcheck) -> tuple[list[Receipt], int, dict[Any, int]]:
        transactions = CountingUnitsOfWork(fc.intake.uow)
        fc.intake.uow = transactions  # type: ignore[assignment]
        receipts = await asyncio.gather(
            *(
                submit_report(fc, SubmitReport(text=text), channel="public")
                for text in [*texts, HOAX, HOAX.lower() + " 🙏"]
            )
        )
        async with fc.db.read() as session:
            rows = (await session.execute(select(reports.c.id, reports.c.case_id))).all()
        return receipts, transactions.opened, {row.id: row.case_id for row in rows}

    receipts, transactions, case_of = run_with_factcheck(database_url, scenario)
    assert len({r.report_id for r in receipts}) == 12
    assert set(case_of) == {r.report_id for r in receipts}
    assert transactions < 12
    first, copy = receipts[-2], receipts[-1]
    assert case_of[first.report_id] == case_of[copy.report_id]
    assert len(set(case_of.values())) == 11


def test_a_bad_report_in_a_batch_costs_the_others_nothing(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = Cases.add_all

    async def failing(self: Cases, new_cases: Any) -> None:
        if any("meledak" in case.claim for case in new_cases):
            raise RuntimeError("disk full while writing the exploding case")
        await original(self, new_cases)

    monkeypatch.setattr(Cases, "add_all", failing)

    async def scenario(fc: Factcheck) -> list[Receipt | BaseException]:
        commands = [
            SubmitReport(text="Video tanggul jebol di Ploso hari ini"),
            SubmitReport(text="Tabung gas meledak serentak di Diwek"),
            SubmitReport(text="ghost", image_sha256=["a" * 64]),
            SubmitReport(text="Sekolah diliburkan sebulan karena cuaca panas"),
        ]
        return await asyncio.gather(
            *(submit_report(fc, c, channel="public") for c in commands), return_exceptions=True
        )

    outcomes = run_with_factcheck(database_url, scenario)
    assert isinstance(outcomes[0], Receipt)
    assert isinstance(outcomes[1], RuntimeError)
    assert isinstance(outcomes[2], ProblemError) and outcomes[2].code == "unknown_image"
    assert isinstance(outcomes[3], Receipt)


def test_a_refused_charge_comes_before_the_content_check(database_url: str) -> None:
    async def scenario(fc: Factcheck) -> list[BaseException | Receipt]:
        charge = fc.charge("10.9.9.9")
        outcomes: list[BaseException | Receipt] = []
        for _ in range(int(fc.client_rate.capacity) + 1):
            try:
                outcomes.append(
                    await submit_report(fc, SubmitReport(text=""), channel="public", charge=charge)
                )
            except (ProblemError, RateLimitedError) as exc:
                outcomes.append(exc)
        return outcomes

    outcomes = run_with_factcheck(database_url, scenario)
    assert all(isinstance(o, ProblemError) and o.code == "empty_report" for o in outcomes[:-1])
    assert isinstance(outcomes[-1], RateLimitedError)


def test_rate_limits_hold_across_replicas(make_api: Any) -> None:
    limits = {
        "intake_burst_per_client": 3,
        "intake_per_minute_per_client": 1,
        "intake_burst_per_contact": 2,
        "intake_per_minute_per_contact": 1,
        "trust_forwarded_for": True,
    }
    first: Api = make_api(**limits)
    second: Api = make_api(**limits)

    def post(api: Api, text: str, client: str, contact: dict[str, str] | None = None) -> int:
        body: dict[str, Any] = {"text": text}
        if contact is not None:
            body |= {"contact": contact, "consent": True}
        response = api.client.post("/reports", json=body, headers={"X-Forwarded-For": client})
        return response.status_code

    by_client = [
        post(api, f"hoaks banjir nomor {i}", "10.1.1.1")
        for i, api in enumerate([first, second, first, second])
    ]
    assert by_client == [201, 201, 201, 429]
    contact = {"channel": "whatsapp", "address": "+6281234567890"}
    by_contact = [
        post(api, f"pesan berantai {i}", f"10.2.2.{i}", contact)
        for i, api in enumerate([second, first, second])
    ]
    assert by_contact == [201, 201, 429]
    assert post(first, "hoaks dari balik proxy yang aneh", "f" * 300) == 201

    async def buckets() -> int:
        db = Database(first.database_url)
        try:
            async with db.read() as session:
                query = select(func.count()).select_from(rate_buckets)
                return int((await session.execute(query)).scalar_one())
        finally:
            await db.dispose()

    assert asyncio.run(buckets()) >= 4


def test_the_relay_is_woken_once_the_queue_has_drained(database_url: str) -> None:
    async def scenario(fc: Factcheck) -> tuple[int, int]:
        wakes: list[int] = []
        fc.intake = IntakeWriter(
            UnitOfWorkFactory(fc.db, fc.uow.tables, lambda: wakes.append(1)), fc.matcher
        )
        transactions = CountingUnitsOfWork(fc.intake.uow)
        fc.intake.uow = transactions  # type: ignore[assignment]
        await fc.matcher.sync(fc.db)  # every report below joins the queue in the same turn
        reports = MAX_BATCH + 6
        await asyncio.gather(
            *(
                submit_report(fc, SubmitReport(text=f"Pesan berantai ke-{i}"), channel="public")
                for i in range(reports)
            )
        )
        return transactions.opened, len(wakes)

    transactions, wakes = run_with_factcheck(database_url, scenario)
    assert (transactions, wakes) == (2, 1)


def test_a_replica_learns_the_reports_another_replica_wrote(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(matching, "SYNC_INTERVAL_S", 0.0)
    texts = [
        "Sinyal 5G di menara Peterongan menyebarkan virus ke warga sekitar",
        "Pabrik gula Jombang membuang limbah beracun ke sungai Brantas malam ini",
        "Gerhana bulan besok membuat sinyal ponsel mati tiga hari",
    ]

    async def scenario(fc: Factcheck) -> tuple[list[UUID | None], list[UUID], UUID]:
        other = matching.Matcher(fc.matcher.thresholds.suggest, fc.matcher.thresholds.merge)
        receipts = [await submit_report(fc, SubmitReport(text=texts[0]), channel="public")]
        await other.sync(fc.db)  # the first look reads every report
        receipts.append(await submit_report(fc, SubmitReport(text=texts[1]), channel="public"))
        await other.sync(fc.db)  # later looks read the reports it does not know
        receipts.append(await submit_report(fc, SubmitReport(text=texts[2]), channel="public"))
        indexed_as = uuid4()
        other.learn(receipts[2].report_id, indexed_as, normalise_text(texts[2]), [])
        await other.sync(fc.db)  # a report it has indexed already is not read again
        async with fc.db.read() as session:
            cases = dict((await session.execute(select(reports.c.id, reports.c.case_id))).all())
        found = [other.match(normalise_text(text), []) for text in texts]
        return (
            [match.case_id if match else None for match in found],
            [cases[receipt.report_id] for receipt in receipts],
            indexed_as,
        )

    found, written, indexed_as = run_with_factcheck(database_url, scenario)
    assert found == [written[0], written[1], indexed_as]


def test_a_drain_soon_after_a_wake_wakes_the_relay_once_the_interval_is_over(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(intake, "RELAY_WAKE_INTERVAL_S", 1.0)

    async def scenario(fc: Factcheck) -> list[int]:
        wakes: list[int] = []
        fc.intake = IntakeWriter(
            UnitOfWorkFactory(fc.db, fc.uow.tables, lambda: wakes.append(1)), fc.matcher
        )
        seen: list[int] = []
        for i in range(3):  # one batch each, the queue drained after each
            await submit_report(fc, SubmitReport(text=f"Kabar bohong ke-{i}"), channel="public")
            seen.append(len(wakes))
        await asyncio.sleep(1.5)
        return [*seen, len(wakes)]

    assert run_with_factcheck(database_url, scenario) == [1, 1, 1, 2]


def test_each_report_of_a_batch_carries_its_own_requests_trace(database_url: str) -> None:
    texts = [
        "Pemadaman listrik total se-Jawa Timur selama tiga hari mulai besok",
        "Jembatan Ploso ditutup permanen karena retak parah",
    ]
    traces = [TraceParent.new() for _ in texts]

    async def scenario(fc: Factcheck) -> list[tuple[str, str]]:
        async def submit_in(trace: TraceParent, text: str) -> Receipt:
            current_traceparent.set(str(trace))  # each gathered report runs in a task of its own
            return await submit_report(fc, SubmitReport(text=text), channel="public")

        await asyncio.gather(*(submit_in(t, text) for t, text in zip(traces, texts, strict=True)))
        async with fc.db.read() as session:
            rows = await session.execute(
                select(messaging.outbox.c.event_type, messaging.outbox.c.traceparent)
            )
            return [(row.event_type, row.traceparent) for row in rows]

    carried = run_with_factcheck(database_url, scenario)
    expected = sorted(t.trace_id for t in traces)
    for event_type in (ReportReceivedV1.event_type, CaseOpenedV1.event_type):
        trace_ids = [TraceParent.parse(tp).trace_id for kind, tp in carried if kind == event_type]  # type: ignore[union-attr]
        assert sorted(trace_ids) == expected, event_type
