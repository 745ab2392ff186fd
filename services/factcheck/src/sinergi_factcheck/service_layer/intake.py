"""Reports from the public and from partners; screenshots; matching against known cases.

Reports are written by group commit: the requests that arrive while a write is in flight
wait in a queue and go together in the next transaction — their rate-limit charges, their new
cases, reports and events — and each request still gets its own answer once that transaction
has committed. On SQLite (one writer at a time) this turns many small transactions queueing
for the lock into a few larger ones. A batch that fails as a whole is written again one report
at a time, so one bad report never costs the others their answer (the kit's ``batching``)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal
from uuid import UUID

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sinergi_factcheck.adapters import rate_buckets
from sinergi_factcheck.adapters.repository import Cases, Clarifications, StaleStateError
from sinergi_factcheck.adapters.tables import clarifications, images, reports
from sinergi_factcheck.domain.cases import ANSWERED_STATUSES, Case
from sinergi_factcheck.domain.intake import MAX_TEXT, MAX_URLS, clean_text, clean_urls, image_type
from sinergi_factcheck.domain.matching.index import Match, MatchIndex
from sinergi_factcheck.domain.matching.text import normalise_text
from sinergi_factcheck.service_layer.matching import Matcher
from sinergi_kit.batching import Batcher
from sinergi_kit.clock import utcnow
from sinergi_kit.contracts.factcheck import (
    CaseOpenedV1,
    MatchKind,
    PublicLabel,
    ReportChannel,
    ReporterContact,
    ReportReceivedV1,
    ReportState,
)
from sinergi_kit.http.problems import ProblemError
from sinergi_kit.ids import new_id
from sinergi_kit.tracing import current_traceparent
from sinergi_kit.uow import ThrottledWake, UnitOfWork, UnitOfWorkFactory

if TYPE_CHECKING:
    from sinergi_factcheck.service_layer.context import Factcheck

MAX_BATCH = 64
PRUNE_INTERVAL_S = 60.0
RELAY_WAKE_INTERVAL_S = 0.05
PERFECT_SCORE = 100.0


class SubmitReport(BaseModel):
    text: str = Field(
        default="", max_length=MAX_TEXT, examples=["KPU hapus pemilih yg gak nyoblos"]
    )
    urls: list[str] = Field(default_factory=list, max_length=MAX_URLS)
    image_sha256: list[str] = Field(
        default_factory=list, max_length=5, description="Images uploaded to /reports/images"
    )
    contact: ReporterContact | None = Field(
        default=None, description="Where to tell you the verdict; kept only with consent."
    )
    consent: bool = Field(
        default=False, description="I agree that my contact is kept to tell me the verdict."
    )


class Answer(BaseModel):
    clarification_id: UUID
    label: PublicLabel
    title_id: str
    title_en: str
    summary_id: str
    summary_en: str
    url: str


class Receipt(BaseModel):
    report_id: UUID
    status: Literal["received", "answered"]
    answer: Answer | None = None


class RateLimitedError(Exception):
    def __init__(self, wait_s: float) -> None:
        super().__init__(f"rate limited for {wait_s:.1f}s")
        self.wait_s = wait_s


def contact_key(contact: ReporterContact) -> str:
    normalised = f"{contact.channel}:{contact.address.strip().lower()}"
    return hashlib.sha256(normalised.encode()).hexdigest()


@dataclass(frozen=True)
class Prepared:
    """A report cleaned and normalised, before it meets the database."""

    text: str
    urls: list[str]
    image_sha256: list[str]
    contact: ReporterContact | None
    normalised: str
    channel: ReportChannel
    submitted_by: str | None
    best: Match | None
    """The best known case, found before the report waits for its batch: the matching runs
    while the batch before it is being written."""


def prepare(
    command: SubmitReport, channel: ReportChannel, submitted_by: str | None, matcher: Matcher
) -> Prepared:
    text = clean_text(command.text)
    urls, refused = clean_urls(command.urls)
    if refused:
        raise ProblemError(422, "invalid_url", detail_key="factcheck.invalid_url", url=refused[0])
    shas = sorted({s.lower() for s in command.image_sha256})
    if not text and not urls and not shas:
        raise ProblemError(422, "empty_report", detail_key="factcheck.empty_report")
    normalised = normalise_text(text)
    return Prepared(
        text=text,
        urls=urls,
        image_sha256=shas,
        contact=command.contact if command.consent else None,
        normalised=normalised,
        channel=channel,
        submitted_by=submitted_by,
        best=matcher.match(normalised, urls),
    )


async def submit_report(
    fc: Factcheck,
    command: SubmitReport,
    *,
    channel: ReportChannel,
    submitted_by: str | None = None,
    charge: rate_buckets.Charge = (),
) -> Receipt:
    """Files the report (grouped with the reports arriving at the same time). ``charge`` names
    the rate buckets it spends from: a refusal there comes first, as ``RateLimitedError``,
    even for a report that would be refused for its content."""
    await fc.matcher.sync(fc.db)
    try:
        prepared: Prepared | ProblemError = prepare(command, channel, submitted_by, fc.matcher)
    except ProblemError as refused:
        if not charge:
            raise
        prepared = refused
    return await fc.intake.submit(prepared, charge)


@dataclass(frozen=True)
class _Pending:
    report: Prepared | ProblemError
    charge: rate_buckets.Charge
    trace_parent: str | None
    """The trace of the request that brought the report: a batch runs in the task of the
    request that started it."""


Outcome = Receipt | Exception


@dataclass
class _Batch:
    """What one transaction writes: the cases it opens or adds to, and a small index of its
    own reports so that two copies of one new hoax in the same batch meet."""

    uow: UnitOfWork
    index: MatchIndex = field(default_factory=MatchIndex)
    opened: dict[UUID, Case] = field(default_factory=dict)
    loaded: dict[UUID, tuple[int, Case]] = field(default_factory=dict)
    answers: dict[UUID, Answer | None] = field(default_factory=dict)
    rows: list[dict[str, object]] = field(default_factory=list)
    learned: list[tuple[UUID, UUID, str, list[str]]] = field(default_factory=list)

    async def case(self, case_id: UUID) -> Case | None:
        if case_id in self.opened:
            return self.opened[case_id]
        if case_id not in self.loaded:
            found = await Cases(self.uow.session).get(case_id)
            if found is None:
                return None
            self.loaded[case_id] = (found.version, found)
        return self.loaded[case_id][1]

    def keep(self, case: Case) -> None:
        if case.id in self.opened:
            self.opened[case.id] = case
        else:
            self.loaded[case.id] = (self.loaded[case.id][0], case)

    async def answer(self, case_id: UUID) -> Answer | None:
        if case_id not in self.answers:
            self.answers[case_id] = await _answer(self.uow.session, case_id)
        return self.answers[case_id]

    async def write(self) -> None:
        repository = Cases(self.uow.session)
        await repository.add_all(list(self.opened.values()))
        for read_version, case in self.loaded.values():
            if case.version != read_version:
                await repository.save(case, over=read_version)
        if self.rows:
            await self.uow.session.execute(reports.insert(), self.rows)


class IntakeWriter:
    """The group commit of reports (see the module's docstring).

    The outbox relay is woken once the queue has drained, not after every batch, and at most
    every ``RELAY_WAKE_INTERVAL_S``: each round of the relay costs a read and a write
    transaction, and on SQLite its marking of published rows takes the one write lock that the
    next batch waits for. Under a steady stream of reports the queue drains after most
    batches; a drain soon after the last wake wakes the relay once the interval is over, so
    one round publishes the events of several batches."""

    def __init__(self, uow: UnitOfWorkFactory, matcher: Matcher) -> None:
        self.uow = UnitOfWorkFactory(uow.db, uow.tables, self._committed)
        self._unannounced = False
        self.matcher = matcher
        self._batcher: Batcher[_Pending, Receipt] = Batcher(
            MAX_BATCH, name="factcheck-intake", on_idle=self._drained
        )
        self._pruned_at = float("-inf")
        self._wake_relay = ThrottledWake(uow.notify_committed, RELAY_WAKE_INTERVAL_S)

    async def submit(self, report: Prepared | ProblemError, charge: rate_buckets.Charge) -> Receipt:
        try:
            pending = _Pending(report, charge, current_traceparent.get())
            return await self._batcher.submit(pending, self._write)
        except StaleStateError as exc:
            raise ProblemError(409, "stale_state", detail_key="factcheck.stale") from exc

    def _committed(self) -> None:
        self._unannounced = True

    def _drained(self) -> None:
        if self._unannounced:
            self._unannounced = False
            self._wake_relay()

    async def _write(self, batch: Sequence[_Pending]) -> list[Outcome]:
        now = utcnow()
        wall = time.time()
        outcomes: list[Outcome] = []
        async with self.uow() as uow:
            session = uow.session
            waits = await rate_buckets.take(session, [p.charge for p in batch], wall)
            if wall - self._pruned_at > PRUNE_INTERVAL_S:
                await rate_buckets.prune(session, wall)
                self._pruned_at = wall
            wanted = sorted(
                {s for p in batch if isinstance(p.report, Prepared) for s in p.report.image_sha256}
            )
            known = set()
            if wanted:
                query = select(images.c.sha256).where(images.c.sha256.in_(wanted))
                known = set((await session.execute(query)).scalars())
            writes = _Batch(uow)
            for pending, wait in zip(batch, waits, strict=True):
                report = pending.report
                if wait:
                    outcomes.append(RateLimitedError(wait))
                elif isinstance(report, ProblemError):
                    outcomes.append(report)
                elif missing := [s for s in report.image_sha256 if s not in known]:
                    outcomes.append(
                        ProblemError(
                            422,
                            "unknown_image",
                            detail_key="factcheck.unknown_image",
                            sha256=missing[0],
                        )
                    )
                else:
                    outcomes.append(await self._file(writes, report, now, pending.trace_parent))
            await writes.write()
        for learned in writes.learned:
            self.matcher.learn(*learned)
        return outcomes

    async def _file(
        self, writes: _Batch, report: Prepared, now: datetime, trace_parent: str | None
    ) -> Receipt:
        best = report.best
        if best is None or best.score < PERFECT_SCORE:  # nothing in the batch can beat 100
            in_batch = writes.index.match(report.normalised, report.urls, limit=1)
            best = _better(best, next(iter(in_batch), None))
        thresholds = self.matcher.thresholds
        target = None
        if best is not None and best.score >= thresholds.merge:
            target = await writes.case(best.case_id)
        answer: Answer | None = None
        match: MatchKind
        if target is not None and target.status != "merged":
            case = target.add_report(tuple(report.urls), now)
            writes.keep(case)
            match = "merged"
            if case.status in ANSWERED_STATUSES:
                answer = await writes.answer(case.id)
                match = "answered" if answer else "merged"
        else:
            claim = report.text or (report.urls[0] if report.urls else "(gambar)")
            case = Case.open(new_id(), claim, tuple(report.urls), now)
            writes.opened[case.id] = case
            writes.uow.emit(CaseOpenedV1(case=case.state()), trace_parent=trace_parent)
            suggested = best is not None and best.score >= thresholds.suggest
            match = "suggested" if suggested else "new"
        report_id = new_id()
        state = ReportState(
            id=report_id,
            case_id=case.id,
            channel=report.channel,
            text=report.text,
            urls=report.urls,
            image_sha256=report.image_sha256,
            match=match,
            match_score=round(best.score, 1) if best and match != "new" else None,
            suggested_case_id=best.case_id if match == "suggested" and best else None,
            clarification_id=answer.clarification_id if answer else None,
            received_at=now,
        )
        contact = report.contact
        writes.rows.append(
            {
                **state.model_dump(exclude={"channel"}),
                "channel": report.channel,
                "normalised": report.normalised,
                "contact_channel": contact.channel if contact else None,
                "contact_address": contact.address if contact else None,
                "contact_locale": contact.locale if contact else None,
                "submitted_by": report.submitted_by,
            }
        )
        # The report row is its own audit record: who (submitted_by), when, how matched.
        writes.uow.emit(
            ReportReceivedV1(report=state, reporter_contact=contact), trace_parent=trace_parent
        )
        writes.index.add(report_id, case.id, report.normalised, report.urls)
        writes.learned.append((report_id, case.id, report.normalised, report.urls))
        return Receipt(
            report_id=report_id, status="answered" if answer else "received", answer=answer
        )


def _better(first: Match | None, second: Match | None) -> Match | None:
    if first is None or (second is not None and second.score > first.score):
        return second
    return first


async def _answer(session: AsyncSession, case_id: UUID) -> Answer | None:
    clarification_id = await Clarifications(session).id_for_case(case_id)
    if clarification_id is None:
        return None
    row = (
        await session.execute(select(clarifications).where(clarifications.c.id == clarification_id))
    ).first()
    if row is None or row.status == "retracted":
        return None
    return Answer(
        clarification_id=row.id,
        label=row.label,
        title_id=row.title_id,
        title_en=row.title_en,
        summary_id=row.summary_id,
        summary_en=row.summary_en,
        url=row.url,
    )


async def store_image(fc: Factcheck, data: bytes) -> str:
    """Keeps an uploaded screenshot once, by its SHA-256; returns the hash."""
    if len(data) > fc.settings.intake_max_image_bytes:
        raise ProblemError(
            413,
            "too_large",
            detail_key="factcheck.too_large",
            limit=fc.settings.intake_max_image_bytes,
        )
    content_type = image_type(data)
    if content_type is None:
        raise ProblemError(415, "not_an_image", detail_key="factcheck.not_an_image")
    digest = hashlib.sha256(data).hexdigest()
    try:
        async with fc.uow() as uow:
            exists = (
                await uow.session.execute(select(images.c.sha256).where(images.c.sha256 == digest))
            ).first()
            if exists is None:
                await uow.session.execute(
                    images.insert().values(
                        sha256=digest,
                        content_type=content_type,
                        size=len(data),
                        data=data,
                        received_at=utcnow(),
                    )
                )
    except IntegrityError:  # the same image uploaded twice at once: one copy is enough
        pass
    return digest
