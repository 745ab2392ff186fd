"""Reports from the public and from partners; screenshots; matching against known cases."""

from __future__ import annotations

import hashlib
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sinergi_factcheck.adapters.repository import Cases, Clarifications
from sinergi_factcheck.adapters.tables import clarifications, images, reports
from sinergi_factcheck.domain.cases import ANSWERED_STATUSES, Case
from sinergi_factcheck.domain.intake import MAX_TEXT, MAX_URLS, clean_text, clean_urls, image_type
from sinergi_factcheck.domain.matching.text import normalise_text
from sinergi_factcheck.service_layer.context import Factcheck, domain_errors
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


def contact_key(contact: ReporterContact) -> str:
    normalised = f"{contact.channel}:{contact.address.strip().lower()}"
    return hashlib.sha256(normalised.encode()).hexdigest()


async def submit_report(
    fc: Factcheck,
    command: SubmitReport,
    *,
    channel: ReportChannel,
    submitted_by: str | None = None,
) -> Receipt:
    text = clean_text(command.text)
    urls, refused = clean_urls(command.urls)
    if refused:
        raise ProblemError(422, "invalid_url", detail_key="factcheck.invalid_url", url=refused[0])
    shas = sorted({s.lower() for s in command.image_sha256})
    if not text and not urls and not shas:
        raise ProblemError(422, "empty_report", detail_key="factcheck.empty_report")
    contact = command.contact if command.consent else None
    normalised = normalise_text(text)
    await fc.matcher.sync(fc.db)
    best = fc.matcher.match(normalised, urls)
    thresholds = fc.matcher.thresholds
    now = utcnow()
    report_id = new_id()
    answer: Answer | None = None
    with domain_errors():
        async with fc.uow() as uow:
            session = uow.session
            if shas:
                known = set(
                    (
                        await session.execute(
                            select(images.c.sha256).where(images.c.sha256.in_(shas))
                        )
                    ).scalars()
                )
                if missing := [s for s in shas if s not in known]:
                    raise ProblemError(
                        422,
                        "unknown_image",
                        detail_key="factcheck.unknown_image",
                        sha256=missing[0],
                    )
            repository = Cases(session)
            target = None
            if best is not None and best.score >= thresholds.merge:
                target = await repository.get(best.case_id)
            match: MatchKind
            if target is not None and target.status != "merged":
                case = target.add_report(tuple(urls), now)
                await repository.save(case)
                match = "merged"
                if case.status in ANSWERED_STATUSES:
                    answer = await _answer(session, case.id)
                    match = "answered" if answer else "merged"
            else:
                claim = text or (urls[0] if urls else "(gambar)")
                case = Case.open(new_id(), claim, tuple(urls), now)
                await repository.add(case)
                uow.emit(CaseOpenedV1(case=case.state()))
                suggested = best is not None and best.score >= thresholds.suggest
                match = "suggested" if suggested else "new"
            suggested_case = best.case_id if match == "suggested" and best else None
            state = ReportState(
                id=report_id,
                case_id=case.id,
                channel=channel,
                text=text,
                urls=urls,
                image_sha256=shas,
                match=match,
                match_score=round(best.score, 1) if best and match != "new" else None,
                suggested_case_id=suggested_case,
                clarification_id=answer.clarification_id if answer else None,
                received_at=now,
            )
            await session.execute(
                reports.insert().values(
                    **state.model_dump(exclude={"channel"}),
                    channel=channel,
                    normalised=normalised,
                    contact_channel=contact.channel if contact else None,
                    contact_address=contact.address if contact else None,
                    contact_locale=contact.locale if contact else None,
                    submitted_by=submitted_by,
                )
            )
            # The report row is its own audit record: who (submitted_by), when, how matched.
            uow.emit(ReportReceivedV1(report=state, reporter_contact=contact))
    fc.matcher.learn(report_id, case.id, normalised, urls)
    return Receipt(report_id=report_id, status="answered" if answer else "received", answer=answer)


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
