"""Publishing clarifications, correcting and retracting them; the public feed."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field
from sqlalchemy import or_, select

from sinergi_factcheck.adapters.repository import (
    Cases,
    Clarifications,
    Verdicts,
    clarification_from_row,
    record_audit,
)
from sinergi_factcheck.adapters.tables import clarification_log, clarifications
from sinergi_factcheck.domain.cases import Case
from sinergi_factcheck.domain.claimreview import Publisher, build_claim_review
from sinergi_factcheck.domain.publication import (
    Clarification,
    ClarificationStatusError,
    Text,
)
from sinergi_factcheck.service_layer.context import Factcheck, domain_errors
from sinergi_factcheck.service_layer.workflow import load_case
from sinergi_kit.auth import Principal
from sinergi_kit.clock import utcnow
from sinergi_kit.contracts.factcheck import (
    ClarificationCorrectedV1,
    ClarificationPublishedV1,
    ClarificationRetractedV1,
    ClarificationStatus,
    PublicLabel,
    Rating,
)
from sinergi_kit.http.problems import ProblemError
from sinergi_kit.ids import new_id
from sinergi_kit.uow import UnitOfWork


class Publish(BaseModel):
    title_id: str = Field(min_length=5, max_length=300)
    title_en: str = Field(min_length=5, max_length=300)
    summary_id: str = Field(min_length=10, max_length=2_000)
    summary_en: str = Field(min_length=10, max_length=2_000)
    body_id: str = Field(min_length=10, max_length=50_000)
    body_en: str = Field(min_length=10, max_length=50_000)

    def text(self) -> Text:
        return Text(**self.model_dump())


class Correct(Publish):
    note_id: str = Field(min_length=5, max_length=2_000, description="What was corrected")
    note_en: str = Field(min_length=5, max_length=2_000)


class Retract(BaseModel):
    reason_id: str = Field(min_length=5, max_length=2_000)
    reason_en: str = Field(min_length=5, max_length=2_000)


class ClarificationView(BaseModel):
    id: UUID
    status: ClarificationStatus
    label: PublicLabel
    rating: Rating
    title_id: str
    title_en: str
    summary_id: str
    summary_en: str
    body_id: str
    body_en: str
    url: str
    claim_review: dict[str, Any]
    published_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, item: Clarification) -> ClarificationView:
        return cls(
            id=item.id,
            status=item.status,
            label=item.label,
            rating=item.rating,
            url=item.url,
            claim_review=item.claim_review,
            published_at=item.published_at,
            updated_at=item.updated_at,
            version=item.version,
            **item.text.__dict__,
        )


def _claim_review(
    fc: Factcheck,
    case: Case,
    url: str,
    rating: Rating,
    label: PublicLabel,
    text: Text,
    published_at: datetime,
) -> dict[str, Any]:
    return build_claim_review(
        url=url,
        claim=case.claim,
        rating=rating,
        label=label,
        appearances=list(case.urls),
        first_seen_at=case.opened_at,
        published_at=published_at,
        headline=f"[{label}] {text.title_id}",
        publisher=Publisher(fc.settings.publisher_name, fc.settings.publisher_url, "KKD Jombang"),
    )


async def publish(
    fc: Factcheck, principal: Principal, case_id: UUID, command: Publish
) -> Clarification:
    now = utcnow()
    with domain_errors():
        async with fc.uow() as uow:
            case = await load_case(uow, fc, principal, case_id)
            verdict = await Verdicts(uow.session).get(case.id)
            case = case.publish(now)
            assert verdict is not None, "an approved case has a verdict"
            clarification_id = new_id()
            url = fc.public_url(f"/clarifications/{clarification_id}")
            text = command.text()
            clarification = Clarification(
                id=clarification_id,
                case_id=case.id,
                status="published",
                label=verdict.label,
                rating=verdict.rating,
                text=text,
                url=url,
                claim_review=_claim_review(fc, case, url, verdict.rating, verdict.label, text, now),
                report_ids=tuple(await Cases(uow.session).report_ids(case.id)),
                published_at=now,
                updated_at=now,
            )
            await Cases(uow.session).save(case)
            await Clarifications(uow.session).add(clarification)
            await _log(uow, clarification, "published", "", "", principal, now)
            await record_audit(
                uow.session,
                case.id,
                principal.subject,
                "published",
                now,
                clarification_id=str(clarification.id),
            )
            uow.emit(ClarificationPublishedV1(clarification=clarification.state()))
    return clarification


async def _log(
    uow: UnitOfWork,
    item: Clarification,
    action: str,
    note_id: str,
    note_en: str,
    principal: Principal,
    at: datetime,
) -> None:
    await uow.session.execute(
        clarification_log.insert().values(
            id=new_id(),
            clarification_id=item.id,
            version=item.version,
            action=action,
            note_id=note_id,
            note_en=note_en,
            actor=principal.subject,
            at=at,
        )
    )


async def _load_for_change(
    uow: UnitOfWork, fc: Factcheck, principal: Principal, clarification_id: UUID
) -> tuple[Case, Clarification]:
    item = await Clarifications(uow.session).get(clarification_id)
    if item is None:
        raise ProblemError(
            404, "clarification_not_found", detail_key="factcheck.clarification_not_found"
        )
    return await load_case(uow, fc, principal, item.case_id), item


async def correct(
    fc: Factcheck, principal: Principal, clarification_id: UUID, command: Correct
) -> Clarification:
    now = utcnow()
    with domain_errors():
        async with fc.uow() as uow:
            case, item = await _load_for_change(uow, fc, principal, clarification_id)
            case = case.correct(now)
            text = Text(**command.model_dump(exclude={"note_id", "note_en"}))
            review = _claim_review(fc, case, item.url, item.rating, item.label, text, now)
            try:
                item = item.correct(text, review, now)
            except ClarificationStatusError as exc:
                raise ProblemError(
                    409, "clarification_retracted", detail_key="factcheck.clarification_retracted"
                ) from exc
            await Cases(uow.session).save(case)
            await Clarifications(uow.session).save(item)
            await _log(uow, item, "corrected", command.note_id, command.note_en, principal, now)
            await record_audit(uow.session, case.id, principal.subject, "corrected", now)
            uow.emit(
                ClarificationCorrectedV1(
                    clarification=item.state(), note_id=command.note_id, note_en=command.note_en
                )
            )
    return item


async def retract(
    fc: Factcheck, principal: Principal, clarification_id: UUID, command: Retract
) -> Clarification:
    now = utcnow()
    with domain_errors():
        async with fc.uow() as uow:
            case, item = await _load_for_change(uow, fc, principal, clarification_id)
            case = case.retract(now)
            item = item.retract(now)
            await Cases(uow.session).save(case)
            await Clarifications(uow.session).save(item)
            await _log(uow, item, "retracted", command.reason_id, command.reason_en, principal, now)
            await record_audit(uow.session, case.id, principal.subject, "retracted", now)
            uow.emit(
                ClarificationRetractedV1(
                    clarification=item.state(),
                    reason_id=command.reason_id,
                    reason_en=command.reason_en,
                )
            )
    return item


async def get_public(fc: Factcheck, clarification_id: UUID) -> Clarification:
    async with fc.db.read() as session:
        item = await Clarifications(session).get(clarification_id)
    if item is None:
        raise ProblemError(
            404, "clarification_not_found", detail_key="factcheck.clarification_not_found"
        )
    return item


async def feed(
    fc: Factcheck, *, query: str | None, before: datetime | None, limit: int
) -> list[Clarification]:
    """Newest first; retracted ones stay listed with their status, as the record says."""
    statement = select(clarifications).order_by(clarifications.c.published_at.desc()).limit(limit)
    if before is not None:
        statement = statement.where(clarifications.c.published_at < before)
    if query:
        words = [w for w in query.lower().split() if w][:5]
        for word in words:
            pattern = f"%{word.replace('%', '').replace('_', '')}%"
            statement = statement.where(
                or_(
                    clarifications.c.title_id.ilike(pattern),
                    clarifications.c.title_en.ilike(pattern),
                    clarifications.c.summary_id.ilike(pattern),
                    clarifications.c.summary_en.ilike(pattern),
                )
            )
    async with fc.db.read() as session:
        rows = (await session.execute(statement)).all()
    return [clarification_from_row(row, ()) for row in rows]
