"""Bulk import of other fact-checkers' ClaimReview feeds: each review becomes a report of
the claim (matched into a case like any report) with the external fact-check recorded as
evidence and its rating mapped to ours, for a verifier to confirm under the four-eyes rule."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy import select

from sinergi_factcheck.adapters.repository import Cases, EvidenceChain, record_audit
from sinergi_factcheck.adapters.tables import reports
from sinergi_factcheck.domain.claimreview import read_claim_reviews
from sinergi_factcheck.domain.evidence import append
from sinergi_factcheck.domain.matching.urls import InvalidUrlError, normalise_url
from sinergi_factcheck.service_layer.context import Factcheck
from sinergi_factcheck.service_layer.intake import SubmitReport, submit_report
from sinergi_kit.auth import Principal
from sinergi_kit.clock import utcnow
from sinergi_kit.contracts.factcheck import Rating
from sinergi_kit.http.problems import ProblemError
from sinergi_kit.ids import new_id

EVIDENCE_STATUSES = ("received", "triage", "investigating", "in_review")


class ImportedItem(BaseModel):
    url: str
    rating: Rating
    case_id: UUID


class ImportResult(BaseModel):
    imported: list[ImportedItem]
    skipped: list[str]


def _valid_urls(urls: tuple[str, ...]) -> list[str]:
    kept: list[str] = []
    for url in urls[:10]:
        try:
            kept.append(normalise_url(url))
        except InvalidUrlError:
            continue
    return kept


async def import_claim_reviews(fc: Factcheck, principal: Principal, document: Any) -> ImportResult:
    fc.ensure_kkd(principal)
    found, skipped = read_claim_reviews(document)
    if not found and not skipped:
        raise ProblemError(422, "invalid_feed", detail_key="factcheck.invalid_feed")
    imported: list[ImportedItem] = []
    for review in found[:500]:
        receipt = await submit_report(
            fc,
            SubmitReport(text=review.claim[:5_000], urls=_valid_urls(review.appearances)),
            channel="import",
            submitted_by=principal.subject,
        )
        now = utcnow()
        async with fc.uow() as uow:
            case_id: UUID = (
                await uow.session.execute(
                    select(reports.c.case_id).where(reports.c.id == receipt.report_id)
                )
            ).scalar_one()
            case = await Cases(uow.session).get(case_id)
            assert case is not None
            if case.status in EVIDENCE_STATUSES:
                chain = EvidenceChain(uow.session)
                await chain.add(
                    append(
                        await chain.of(case.id),
                        evidence_id=new_id(),
                        case_id=case.id,
                        kind="document",
                        official=False,
                        source=review.author or "ClaimReview",
                        url=review.url[:2048],
                        archived_sha256=None,
                        note=f"Imported fact-check rated {review.rating}",
                        added_by=principal.subject,
                        added_at=now,
                    )
                )
            await record_audit(
                uow.session,
                case.id,
                principal.subject,
                "claim_review_imported",
                now,
                url=review.url[:500],
                rating=review.rating,
            )
        imported.append(ImportedItem(url=review.url, rating=review.rating, case_id=case.id))
    return ImportResult(imported=imported, skipped=skipped + [f.url for f in found[500:]])
