"""Amplification: registered accounts are asked to share a clarification; each account
manager confirms with the URL of their post through a token link; progress per segment.

Targets are registry segments — evaluated at launch with the shared segment filter on this
service's projection of the registry, the membership kept with the campaign as its tasks — or
explicit account ids under a label. The token in a link is random; only its SHA-256 is stored,
so the table cannot be used to confirm for anyone."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sinergi_factcheck.adapters import rate_buckets
from sinergi_factcheck.adapters.repository import Clarifications, record_audit
from sinergi_factcheck.adapters.tables import campaigns, clarifications, share_tasks
from sinergi_factcheck.domain.audience import share_audience
from sinergi_factcheck.domain.matching.urls import InvalidUrlError, normalise_url
from sinergi_factcheck.domain.publication import share_kit
from sinergi_factcheck.service_layer import directory
from sinergi_factcheck.service_layer.context import Factcheck
from sinergi_factcheck.service_layer.intake import RateLimitedError
from sinergi_kit.auth import Principal
from sinergi_kit.clock import as_utc, utcnow
from sinergi_kit.contracts.factcheck import (
    AmplificationRequestedV1,
    AmplificationState,
    PublicLabel,
    ShareTask,
)
from sinergi_kit.contracts.registry import AccountState, PersonState
from sinergi_kit.http.problems import ProblemError
from sinergi_kit.ids import new_id

MAX_TASKS = 2_000
"""Keeps one amplification.requested event well under the NATS payload limit."""


class Target(BaseModel):
    segment_id: UUID | None = Field(
        default=None, description="A registry segment: the accounts in it at launch"
    )
    segment: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        examples=["OPD Kabupaten Jombang"],
        description="The label of explicit account ids (a segment's own name by default)",
    )
    account_ids: list[UUID] = Field(default_factory=list, max_length=MAX_TASKS)

    @model_validator(mode="after")
    def _one_kind(self) -> Target:
        if (self.segment_id is None) == (not self.account_ids):
            raise ValueError("give either segment_id or account_ids")
        if self.account_ids and self.segment is None:
            raise ValueError("account_ids need a segment label")
        return self


@dataclass(frozen=True)
class _Chosen:
    label: str
    segment_id: UUID | None


class RequestAmplification(BaseModel):
    targets: list[Target] = Field(min_length=1, max_length=50)
    deadline: datetime | None = Field(default=None, description="Default: 24 hours from now")


class SegmentProgress(BaseModel):
    segment: str
    tasks: int
    confirmed: int
    share: float


class Progress(BaseModel):
    campaign_id: UUID
    deadline: datetime
    tasks: int
    confirmed: int
    segments: list[SegmentProgress]


class CampaignSummary(BaseModel):
    id: UUID
    case_id: UUID
    clarification_id: UUID
    title: str = Field(description="The clarification's title (Indonesian)")
    deadline: datetime
    requested_by: str
    requested_at: datetime
    tasks: int
    confirmed: int


class CampaignPage(BaseModel):
    items: list[CampaignSummary]
    next_cursor: UUID | None = Field(description="Give as cursor for the next (older) page")


class ShareView(BaseModel):
    title_id: str
    title_en: str
    label: PublicLabel
    clarification_url: str
    share_kit: dict[str, str]
    deadline: datetime
    post_url: str | None
    confirmed_at: datetime | None


class Confirm(BaseModel):
    post_url: str = Field(min_length=8, max_length=2048)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def request_amplification(
    fc: Factcheck, principal: Principal, clarification_id: UUID, command: RequestAmplification
) -> AmplificationState:
    fc.ensure_kkd(principal)
    now = utcnow()
    deadline = (
        as_utc(command.deadline)
        if command.deadline
        else now + timedelta(hours=fc.settings.share_deadline_hours)
    )
    async with fc.uow() as uow:
        item = await Clarifications(uow.session).get(clarification_id)
        if item is None or item.status == "retracted":
            raise ProblemError(409, "not_published", detail_key="factcheck.not_published")
        targets = await _targets(uow.session, command.targets)
        if not targets or len(targets) > MAX_TASKS:
            raise ProblemError(
                422, "no_targets", detail_key="factcheck.no_targets", found=len(targets)
            )
        kit = share_kit(item.label, item.text.title_id, item.text.summary_id, item.url)
        campaign_id = new_id()
        await uow.session.execute(
            campaigns.insert().values(
                id=campaign_id,
                clarification_id=item.id,
                share_kit=kit,
                deadline=deadline,
                requested_by=principal.subject,
                requested_at=now,
            )
        )
        tasks: list[ShareTask] = []
        rows = []
        for account_id, chosen in targets.items():
            token = secrets.token_urlsafe(24)
            task = ShareTask(
                id=new_id(),
                account_id=account_id,
                segment=chosen.label,
                segment_id=chosen.segment_id,
                confirm_url=fc.public_url(f"/share/{token}"),
            )
            tasks.append(task)
            rows.append(
                {
                    "id": task.id,
                    "campaign_id": campaign_id,
                    "account_id": account_id,
                    "segment": chosen.label,
                    "segment_id": chosen.segment_id,
                    "token_sha256": _token_hash(token),
                }
            )
        await uow.session.execute(share_tasks.insert(), rows)
        await record_audit(
            uow.session,
            item.case_id,
            principal.subject,
            "amplification_requested",
            now,
            campaign_id=str(campaign_id),
            tasks=len(tasks),
        )
        state = AmplificationState(
            id=campaign_id,
            clarification_id=item.id,
            case_id=item.case_id,
            title=item.text.title_id,
            clarification_url=item.url,
            share_kit=kit,
            deadline=deadline,
            tasks=tasks,
            requested_at=now,
        )
        uow.emit(AmplificationRequestedV1(campaign=state))
    return state


async def _targets(session: AsyncSession, targets: list[Target]) -> dict[UUID, _Chosen]:
    """Each account once, under the first target that names it; segments evaluated now."""
    chosen: dict[UUID, _Chosen] = {}
    known_accounts: list[AccountState] | None = None
    known_people: list[PersonState] | None = None
    for target in targets:
        if target.segment_id is None:
            for account_id in target.account_ids:
                chosen.setdefault(account_id, _Chosen(target.segment or "", None))
            continue
        segment = await directory.segment(session, target.segment_id)
        if segment is None:
            raise ProblemError(
                404,
                "segment_not_found",
                detail_key="factcheck.segment_not_found",
                segment_id=str(target.segment_id),
            )
        if known_accounts is None or known_people is None:
            known_accounts = await directory.accounts(session)
            known_people = await directory.people(session)
        label = (target.segment or segment.name)[:100]
        for account in share_audience(segment.filter, known_accounts, known_people):
            chosen.setdefault(account.id, _Chosen(label, segment.id))
    return chosen


async def _task_by_token(fc: Factcheck, token: str) -> ShareView:
    statement = (
        select(
            share_tasks.c.post_url,
            share_tasks.c.confirmed_at,
            campaigns.c.share_kit,
            campaigns.c.deadline,
            clarifications.c.title_id,
            clarifications.c.title_en,
            clarifications.c.label,
            clarifications.c.url,
        )
        .join(campaigns, campaigns.c.id == share_tasks.c.campaign_id)
        .join(clarifications, clarifications.c.id == campaigns.c.clarification_id)
        .where(share_tasks.c.token_sha256 == _token_hash(token))
    )
    async with fc.db.read() as session:
        row = (await session.execute(statement)).first()
    if row is None:
        raise ProblemError(404, "share_not_found", detail_key="factcheck.share_not_found")
    return ShareView(
        title_id=row.title_id,
        title_en=row.title_en,
        label=row.label,
        clarification_url=row.url,
        share_kit=row.share_kit,
        deadline=as_utc(row.deadline),
        post_url=row.post_url,
        confirmed_at=as_utc(row.confirmed_at) if row.confirmed_at else None,
    )


async def view_share(fc: Factcheck, token: str) -> ShareView:
    return await _task_by_token(fc, token)


async def confirm_share(fc: Factcheck, token: str, command: Confirm) -> ShareView:
    """Records (or updates) the URL of the account's post. The token is the credential, so
    only the link's own rate is spent (``RateLimitedError`` once it is used up), and only by a
    link that exists."""
    try:
        post_url = normalise_url(command.post_url)
    except InvalidUrlError as exc:
        raise ProblemError(
            422, "invalid_url", detail_key="factcheck.invalid_url", url=command.post_url[:200]
        ) from exc
    now = utcnow()
    token_sha256 = _token_hash(token)
    async with fc.uow() as uow:
        result = await uow.session.execute(
            update(share_tasks)
            .where(share_tasks.c.token_sha256 == token_sha256)
            .values(post_url=post_url, confirmed_at=now)
        )
        if getattr(result, "rowcount", 0) != 1:
            raise ProblemError(404, "share_not_found", detail_key="factcheck.share_not_found")
        charge = [(f"share:{token_sha256}", fc.share_link_rate)]
        (wait,) = await rate_buckets.take(uow.session, [charge], time.time())
        if wait:
            raise RateLimitedError(wait)
    return await _task_by_token(fc, token)


async def progress(fc: Factcheck, principal: Principal, campaign_id: UUID) -> Progress:
    fc.ensure_kkd(principal)
    confirmed = func.count(share_tasks.c.confirmed_at)
    statement = (
        select(share_tasks.c.segment, func.count().label("tasks"), confirmed.label("confirmed"))
        .where(share_tasks.c.campaign_id == campaign_id)
        .group_by(share_tasks.c.segment)
        .order_by(share_tasks.c.segment)
    )
    async with fc.db.read() as session:
        deadline = (
            await session.execute(select(campaigns.c.deadline).where(campaigns.c.id == campaign_id))
        ).scalar()
        rows = (await session.execute(statement)).all()
    if deadline is None:
        raise ProblemError(404, "campaign_not_found", detail_key="factcheck.campaign_not_found")
    segments = [
        SegmentProgress(
            segment=r.segment,
            tasks=r.tasks,
            confirmed=r.confirmed,
            share=round(r.confirmed / r.tasks, 3) if r.tasks else 0.0,
        )
        for r in rows
    ]
    return Progress(
        campaign_id=campaign_id,
        deadline=as_utc(deadline),
        tasks=sum(s.tasks for s in segments),
        confirmed=sum(s.confirmed for s in segments),
        segments=segments,
    )


async def campaigns_page(
    fc: Factcheck,
    principal: Principal,
    *,
    case_id: UUID | None = None,
    cursor: UUID | None = None,
    limit: int = 50,
) -> CampaignPage:
    """Campaigns newest first (their ids are time-ordered), of one case or of all, each with
    its tasks and confirmations so far."""
    fc.ensure_kkd(principal)
    c = campaigns.c
    statement = (
        select(
            c.id,
            clarifications.c.case_id,
            c.clarification_id,
            clarifications.c.title_id,
            c.deadline,
            c.requested_by,
            c.requested_at,
        )
        .join(clarifications, clarifications.c.id == c.clarification_id)
        .order_by(c.id.desc())
        .limit(limit + 1)
    )
    if case_id is not None:
        statement = statement.where(clarifications.c.case_id == case_id)
    if cursor is not None:
        statement = statement.where(c.id < cursor)
    async with fc.db.read() as session:
        found = (await session.execute(statement)).all()
        rows = found[:limit]
        counts: dict[UUID, tuple[int, int]] = {}
        if rows:
            tally = (
                select(
                    share_tasks.c.campaign_id,
                    func.count().label("tasks"),
                    func.count(share_tasks.c.confirmed_at).label("confirmed"),
                )
                .where(share_tasks.c.campaign_id.in_([row.id for row in rows]))
                .group_by(share_tasks.c.campaign_id)
            )
            counts = {r.campaign_id: (r.tasks, r.confirmed) for r in await session.execute(tally)}
    items = []
    for row in rows:
        tasks, confirmed = counts.get(row.id, (0, 0))
        items.append(
            CampaignSummary(
                id=row.id,
                case_id=row.case_id,
                clarification_id=row.clarification_id,
                title=row.title_id,
                deadline=as_utc(row.deadline),
                requested_by=row.requested_by,
                requested_at=as_utc(row.requested_at),
                tasks=tasks,
                confirmed=confirmed,
            )
        )
    return CampaignPage(items=items, next_cursor=rows[-1].id if len(found) > limit else None)
