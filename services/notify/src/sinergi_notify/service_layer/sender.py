"""The sender loop: claim due notifications with a lease, send them, record the outcome.

Exactly once per (source event, recipient, channel): the row is unique on that key; the
attempt is recorded (state ``sending`` with a lease) in a committed transaction BEFORE the
provider is called; every attempt of a notification carries the same idempotency key
(webhook header, SMTP Message-ID), so a re-send after a crash mid-send is recognisable by the
receiver. Claims take row locks with SKIP LOCKED on PostgreSQL and run under SQLite's
BEGIN IMMEDIATE, so replicas never claim the same row; a crashed sender's lease expires and
another sender takes the row over.

Once a channel has answered, the answer is kept in memory and its write retried until the
database takes it, while the leases are kept: a database outage between the provider's
acceptance and the outcome's write must not turn into a second send. For the same reason a
sender takes over expired leases only after a whole lease period of unbroken contact with
the database: when it was itself cut off (or has just started), the holder may have been cut
off by the same outage rather than have crashed, and gets that time to record its outcome.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import random
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import and_, bindparam, or_, select, update

from sinergi_kit.clock import as_utc, utcnow
from sinergi_kit.ids import new_id
from sinergi_kit.logging import get_logger
from sinergi_kit.uow import UnitOfWorkFactory
from sinergi_notify.adapters.channels.base import ChannelAdapter, OutgoingMessage
from sinergi_notify.adapters.outage import database_unavailable
from sinergi_notify.adapters.rate_limit import take_tokens
from sinergi_notify.adapters.rendering import Renderer, RenderError
from sinergi_notify.adapters.repository import (
    Recipient,
    active_templates,
    insert_ignoring_conflicts,
    load_recipients,
    suppressed_addresses,
)
from sinergi_notify.adapters.tables import attempts, notifications, suppressions
from sinergi_notify.domain.delivery import (
    Defer,
    Gate,
    Outcome,
    RetryPolicy,
    Skip,
    after_attempt,
    decide,
    next_in_ladder,
)
from sinergi_notify.domain.model import DUE_STATES, Channel
from sinergi_notify.domain.preferences import route
from sinergi_notify.domain.quiet_hours import QuietHours, parse_clock
from sinergi_notify.domain.templates import TemplateSource, pick
from sinergi_notify.domain.unsubscribe import UnsubscribeScope, sign
from sinergi_notify.service_layer.delivery_events import (
    PUBLISHED_STATES,
    delivery_event,
    lock_rows,
)
from sinergi_notify.service_layer.digest import assemble_digests
from sinergi_notify.service_layer.enqueue import (
    AWAITING_RECIPIENT,
    CONSENT_FOR,
    UNIQUE_KEY,
    ladder_for,
    notification_row,
    plan,
    request_of,
)
from sinergi_notify.settings import NotifySettings

log = get_logger(__name__)


def idempotency_key(notification_id: UUID, generation: int) -> str:
    """Stable across attempts; a deliberate resend (a new generation) gets a new key."""
    return str(notification_id) if generation == 0 else f"{notification_id}.{generation}"


@dataclass(frozen=True)
class Claim:
    row: dict[str, Any]
    attempt_id: UUID
    attempts: int
    recipient: Recipient
    template: TemplateSource | None
    timezone: str

    @property
    def id(self) -> UUID:
        value: UUID = self.row["id"]
        return value

    @property
    def channel(self) -> Channel:
        value: Channel = self.row["channel"]
        return value


class Sender:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        settings: NotifySettings,
        channels: dict[Channel, ChannelAdapter],
        *,
        renderer: Renderer | None = None,
        clock: Callable[[], datetime] = utcnow,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.uow = uow
        self.db = uow.db
        self.settings = settings
        self.channels = channels
        self.renderer = renderer or Renderer()
        self.clock = clock
        self.rand = rand
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid4().hex[:8]}"
        self.policy = RetryPolicy(
            max_attempts=settings.retry_max_attempts,
            base_delay_s=settings.retry_base_s,
            max_delay_s=settings.retry_max_s,
        )
        self.quiet_hours = QuietHours(
            parse_clock(settings.quiet_start), parse_clock(settings.quiet_end)
        )
        self._semaphore = asyncio.Semaphore(settings.sender_concurrency)
        self._unsubscribe_key = settings.unsubscribe_key()
        self._in_contact_since: datetime | None = None
        self._record_retry_cap_s = min(2.0, settings.lease_s / 3)

    async def run(self, stop: asyncio.Event) -> None:
        """Loop until ``stop`` is set; the batch in flight is finished and recorded first, so
        a graceful shutdown leaves no lease behind."""
        log.info("sender.started", worker=self.worker)
        while not stop.is_set():
            try:
                await assemble_digests(self.db, self.settings, self.clock())
                handled = await self.run_once()
            except Exception:
                log.exception("sender.iteration_failed")
                handled = 0
            if handled < self.settings.sender_batch_size:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.settings.sender_poll_interval_s)
        log.info("sender.stopped", worker=self.worker)

    async def run_once(self) -> int:
        """One claim, send and record cycle; returns how many due rows it decided on."""
        try:
            decided, claims = await self._claim()
        except Exception as exc:
            self._note_failure(exc)
            raise
        if self._in_contact_since is None:
            self._in_contact_since = self.clock()
        if claims:
            keeper = asyncio.create_task(self._keep_leases([claim.id for claim in claims]))
            try:
                outcomes = await asyncio.gather(*(self._send(claim) for claim in claims))
                await self._record_until_written(list(zip(claims, outcomes, strict=True)))
            finally:
                keeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await keeper
        return decided

    def _note_failure(self, exc: BaseException) -> None:
        if database_unavailable(exc):
            self._in_contact_since = None

    def _may_take_over(self, now: datetime) -> bool:
        since = self._in_contact_since
        return since is not None and now - since >= timedelta(seconds=self.settings.lease_s)

    async def _record_until_written(self, results: Sequence[tuple[Claim, Outcome]]) -> None:
        """What the channels answered is written however long the database is unavailable;
        the lease keeper goes on extending the leases meanwhile, so no row is released."""
        delay_s = 0.05
        for failures in itertools.count(1):
            try:
                await self._record(results)
                return
            except Exception as exc:
                if not database_unavailable(exc):
                    raise
                self._in_contact_since = None
                log.warning(
                    "sender.record_retrying",
                    failures=failures,
                    notifications=len(results),
                    error=f"{type(exc).__name__}: {exc}"[:300],
                )
            await asyncio.sleep(delay_s * (0.5 + self.rand()))
            delay_s = min(delay_s * 2, self._record_retry_cap_s)

    async def _keep_leases(self, ids: list[UUID]) -> None:
        """Extend the leases of a batch still in flight (a slow provider must not let
        another sender take over rows that are being sent)."""
        n = notifications.c
        while True:
            await asyncio.sleep(self.settings.lease_s / 3)
            try:
                async with self.db.sessions() as session, session.begin():
                    await session.execute(
                        update(notifications)
                        .where(n.id.in_(ids), n.leased_by == self.worker, n.state == "sending")
                        .values(lease_until=self.clock() + timedelta(seconds=self.settings.lease_s))
                    )
            except Exception as exc:
                self._note_failure(exc)
                log.exception("sender.lease_renewal_failed")

    async def drain(self, timeout_s: float = 30.0) -> None:
        """Run until nothing is due (tests, the benchmark's baseline)."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while await self.run_once():
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError("notifications still due")

    # -- claim ------------------------------------------------------------------------------

    async def _claim(self) -> tuple[int, list[Claim]]:
        now = self.clock()
        s = self.settings
        n = notifications.c
        due = and_(n.state.in_(DUE_STATES), n.next_attempt_at <= now)
        if self._may_take_over(now):
            due = or_(due, and_(n.state == "sending", n.lease_until < now))
        query = select(notifications).where(due).order_by(n.next_attempt_at)
        query = query.limit(s.sender_batch_size)
        async with self.db.sessions() as session, session.begin():
            if not self.db.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            rows = [dict(r._mapping) for r in (await session.execute(query)).all()]
            if not rows:
                return 0, []
            people = await load_recipients(session, (r["recipient_id"] for r in rows))
            blocked = await suppressed_addresses(
                session, ((r["channel"], r["address"]) for r in rows if r["address"])
            )
            stale = [r["id"] for r in rows if r["state"] == "sending"]
            if stale:
                await session.execute(
                    update(attempts)
                    .where(attempts.c.notification_id.in_(stale), attempts.c.finished_at.is_(None))
                    .values(finished_at=now, outcome="lease_expired")
                )
                log.warning("sender.leases_expired", count=len(stale))
            rows = await self._plan_awaiting(session, rows, people, now)
            skipped: list[dict[str, Any]] = []
            deferred: list[dict[str, Any]] = []
            ready: dict[Channel, list[dict[str, Any]]] = {}
            for row in rows:
                recipient = people.get(row["recipient_id"])
                decision = self._decide(row, recipient, blocked, now)
                if isinstance(decision, Skip):
                    skipped.append({"b_id": row["id"], "b_reason": decision.reason})
                elif isinstance(decision, Defer):
                    deferred.append({"b_id": row["id"], "b_until": decision.until})
                else:
                    ready.setdefault(row["channel"], []).append(row)
            if skipped:
                await session.execute(
                    update(notifications)
                    .where(n.id == bindparam("b_id"))
                    .values(state="skipped", reason=bindparam("b_reason"), updated_at=now),
                    skipped,
                )
            if deferred:
                await session.execute(
                    update(notifications)
                    .where(n.id == bindparam("b_id"))
                    .values(state="deferred", next_attempt_at=bindparam("b_until"), updated_at=now),
                    deferred,
                )
            granted: list[dict[str, Any]] = []
            queued: list[dict[str, Any]] = []
            for channel, group in ready.items():
                rate = s.rate_per_s.get(channel, 0.0)
                burst = s.rate_burst.get(channel, max(1.0, rate))
                count = await take_tokens(
                    session, channel, len(group), rate=rate, burst=burst, now=now
                )
                granted.extend(group[:count])
                # The rest wait their turn at the channel's rate, so the next claims find
                # other channels' messages instead of the same throttled rows.
                queued.extend(
                    {"b_id": row["id"], "b_until": now + timedelta(seconds=turn / rate)}
                    for turn, row in enumerate(group[count:], start=1)
                )
            if queued:
                await session.execute(
                    update(notifications)
                    .where(n.id == bindparam("b_id"))
                    .values(next_attempt_at=bindparam("b_until")),
                    queued,
                )
            claims = await self._lease(session, granted, people, now)
        return len(skipped) + len(deferred) + len(granted) + len(queued), claims

    async def _plan_awaiting(
        self,
        session: Any,
        rows: list[dict[str, Any]],
        people: dict[UUID, Recipient],
        now: datetime,
    ) -> list[dict[str, Any]]:
        """Rows that waited for their recipient: planned now if the person is known, else
        they wait a little longer (until they expire)."""
        due: list[dict[str, Any]] = []
        for row in rows:
            if row["reason"] != AWAITING_RECIPIENT:
                due.append(row)
                continue
            recipient = people.get(row["recipient_id"])
            if recipient is None:
                expired = row["expires_at"] is not None and as_utc(row["expires_at"]) <= now
                wait = timedelta(seconds=self.settings.awaiting_recipient_retry_s)
                values: dict[str, Any] = (
                    {"state": "skipped", "reason": "expired"}
                    if expired
                    else {"next_attempt_at": now + wait}
                )
            else:
                planned = plan(request_of(row), recipient, self.settings, now)
                values = {
                    name: planned[name]
                    for name in ("channel", "address", "state", "reason", "next_attempt_at")
                }
                values["digest_at"] = planned["digest_at"]
                if planned["state"] == "pending":
                    due.append({**row, **values})
            await session.execute(
                update(notifications)
                .where(notifications.c.id == row["id"])
                .values(**values, updated_at=now)
            )
        return due

    def _decide(
        self,
        row: dict[str, Any],
        recipient: Recipient | None,
        blocked: set[tuple[str, str]],
        now: datetime,
    ) -> Defer | Skip | None:
        if recipient is None or not row["address"]:
            return Skip("erased" if recipient is None or recipient.erased else "no_address")
        preferences = recipient.preferences
        decision = decide(
            Gate(
                now=now,
                expires_at=as_utc(row["expires_at"]) if row["expires_at"] else None,
                urgent=row["urgent"] or row["category"] in self.settings.urgent_categories,
                erased=recipient.erased,
                consented=recipient.consents_to(CONSENT_FOR[row["category"]]),
                opted_out=not preferences.allows(row["category"], row["channel"]),
                suppressed=(row["channel"], row["address"]) in blocked,
                quiet_hours=preferences.quiet_hours or self.quiet_hours,
                timezone=recipient.zone(self.settings.default_timezone),
            )
        )
        return decision if isinstance(decision, Skip | Defer) else None

    async def _lease(
        self,
        session: Any,
        rows: Sequence[dict[str, Any]],
        people: dict[UUID, Recipient],
        now: datetime,
    ) -> list[Claim]:
        if not rows:
            return []
        lease_until = now + timedelta(seconds=self.settings.lease_s)
        await session.execute(
            update(notifications)
            .where(notifications.c.id == bindparam("b_id"))
            .values(
                state="sending",
                lease_until=lease_until,
                leased_by=self.worker,
                attempts=bindparam("b_attempts"),
                updated_at=now,
            ),
            [{"b_id": r["id"], "b_attempts": r["attempts"] + 1} for r in rows],
        )
        attempt_rows = [
            {
                "id": new_id(),
                "notification_id": r["id"],
                "number": r["attempts"] + 1,
                "generation": r["generation"],
                "channel": r["channel"],
                "worker": self.worker,
                "started_at": now,
                "finished_at": None,
                "outcome": None,
                "status": None,
                "detail": None,
            }
            for r in rows
        ]
        await session.execute(attempts.insert(), attempt_rows)
        sources = await active_templates(session, ((r["template_key"], r["channel"]) for r in rows))
        claims = []
        for row, attempt in zip(rows, attempt_rows, strict=True):
            recipient = people[row["recipient_id"]]
            claims.append(
                Claim(
                    row=row,
                    attempt_id=attempt["id"],
                    attempts=row["attempts"] + 1,
                    recipient=recipient,
                    template=pick(
                        sources[(row["template_key"], row["channel"])], recipient.language
                    ),
                    timezone=recipient.zone(self.settings.default_timezone).key,
                )
            )
        return claims

    # -- send -------------------------------------------------------------------------------

    def unsubscribe_url(self, claim: Claim, locale: str) -> str:
        scope = UnsubscribeScope(claim.recipient.id, claim.row["category"], claim.channel, locale)
        token = sign(self._unsubscribe_key, scope)
        return f"{self.settings.public_base_url.rstrip('/')}/unsubscribe?token={token}"

    async def _send(self, claim: Claim) -> Outcome:
        adapter = self.channels.get(claim.channel)
        if adapter is None:
            return Outcome("permanent", f"the {claim.channel} channel is switched off")
        if claim.template is None:
            return Outcome("permanent", f"no template {claim.row['template_key']}/{claim.channel}")
        locale = claim.template.locale
        unsubscribe = self.unsubscribe_url(claim, locale)
        context = {
            **claim.row["context"],
            "recipient_name": claim.recipient.name,
            "unsubscribe_url": unsubscribe,
        }
        try:
            rendered = self.renderer.render(claim.template, context, timezone=claim.timezone)
        except RenderError as exc:
            return Outcome("permanent", f"template: {exc}"[:500])
        message = OutgoingMessage(
            notification_id=claim.id,
            idempotency_key=idempotency_key(claim.id, claim.row["generation"]),
            channel=claim.channel,
            address=claim.row["address"],
            rendered=rendered,
            template_key=claim.row["template_key"],
            category=claim.row["category"],
            unsubscribe_url=unsubscribe,
            ics=claim.row["ics"],
            ics_method=claim.row["ics_method"],
            data=claim.row["context"],
        )
        async with self._semaphore:
            try:
                return await adapter.send(message)
            except Exception as exc:
                log.exception("sender.channel_error", channel=claim.channel)
                return Outcome("temporary", f"{type(exc).__name__}: {exc}"[:500])

    # -- record -----------------------------------------------------------------------------

    def _next_channel(self, claim: Claim) -> Channel | None:
        recipient = claim.recipient
        chosen = route(
            category=claim.row["category"],
            ladder=ladder_for(recipient, self.settings),
            addresses=recipient.addresses,
            configured=self.channels,
            preferences=recipient.preferences,
        )
        following = next_in_ladder(chosen.channels, claim.channel)
        return following[0] if following and not chosen.opted_out else None

    async def _record(self, results: Sequence[tuple[Claim, Outcome]]) -> None:
        """One transaction: the outcomes, the attempt log and the delivery events (outbox).
        Only rows still leased by this sender change (a sender that outlived its lease must
        not overwrite the new owner's work)."""
        now = self.clock()
        n = notifications.c
        async with self.uow() as uow:
            session = uow.session
            owned = await lock_rows(
                session,
                [claim.id for claim, _ in results],
                n.leased_by == self.worker,
                n.state == "sending",
            )
            rows: list[dict[str, Any]] = []
            finished: list[dict[str, Any]] = []
            follow_ups: list[tuple[Claim, Outcome, Channel | None]] = []
            for claim, outcome in results:
                finished.append(
                    {
                        "b_id": claim.attempt_id,
                        "b_outcome": outcome.kind,
                        "b_status": outcome.status,
                        "b_detail": outcome.detail[:2_000] or None,
                    }
                )
                current = owned.get(claim.id)
                if current is None or current["generation"] != claim.row["generation"]:
                    continue
                next_channel = self._next_channel(claim) if outcome.kind == "permanent" else None
                transition = after_attempt(
                    outcome,
                    attempts=claim.attempts,
                    now=now,
                    policy=self.policy,
                    next_channel=next_channel,
                    rand=self.rand,
                )
                delivered = transition.state == "sent"
                reason = None
                if transition.state in ("failed", "dead"):
                    reason = "exhausted" if outcome.kind == "temporary" else "permanent"
                version = current["version"]
                if transition.state in PUBLISHED_STATES:
                    version += 1
                    uow.emit(
                        delivery_event(
                            current,
                            state=transition.state,
                            version=version,
                            at=now,
                            reason=reason,
                            status=outcome.status,
                            provider_id=outcome.provider_id if delivered else None,
                            next_channel=transition.escalate_to,
                        )
                    )
                rows.append(
                    {
                        "b_id": claim.id,
                        "b_state": transition.state,
                        "b_version": version,
                        "b_reason": reason,
                        "b_error": None if delivered else outcome.detail or None,
                        "b_next": transition.next_attempt_at or current["next_attempt_at"],
                        "b_sent_at": now if delivered else current["sent_at"],
                        "b_provider": outcome.provider_id if delivered else current["provider_id"],
                    }
                )
                if outcome.hard_bounce or transition.escalate_to is not None:
                    follow_ups.append((claim, outcome, transition.escalate_to))
            if rows:
                await session.execute(
                    update(notifications)
                    .where(n.id == bindparam("b_id"))
                    .values(
                        state=bindparam("b_state"),
                        version=bindparam("b_version"),
                        reason=bindparam("b_reason"),
                        last_error=bindparam("b_error"),
                        next_attempt_at=bindparam("b_next"),
                        sent_at=bindparam("b_sent_at"),
                        provider_id=bindparam("b_provider"),
                        lease_until=None,
                        leased_by=None,
                        updated_at=now,
                    ),
                    rows,
                )
            await session.execute(
                update(attempts)
                .where(attempts.c.id == bindparam("b_id"))
                .values(
                    finished_at=now,
                    outcome=bindparam("b_outcome"),
                    status=bindparam("b_status"),
                    detail=bindparam("b_detail"),
                ),
                finished,
            )
            if len(rows) != len(results):
                log.warning("sender.leases_lost", count=len(results) - len(rows))
            for claim, outcome, escalate_to in follow_ups:
                await self._follow_up(session, claim, outcome, escalate_to, now)

    async def _follow_up(
        self,
        session: Any,
        claim: Claim,
        outcome: Outcome,
        escalate_to: Channel | None,
        now: datetime,
    ) -> None:
        """A hard bounce suppresses the address; a permanent failure hands over to the
        next channel (the unique key keeps that to one row however often it runs)."""
        if outcome.hard_bounce:
            await session.execute(
                insert_ignoring_conflicts(session, suppressions, ["channel", "address"]),
                [
                    {
                        "channel": claim.channel,
                        "address": claim.row["address"],
                        "reason": outcome.detail,
                        "notification_id": claim.id,
                        "created_at": now,
                    }
                ],
            )
        if escalate_to is not None:
            await session.execute(
                insert_ignoring_conflicts(session, notifications, UNIQUE_KEY),
                [self._escalated(claim, escalate_to, now)],
            )

    def _escalated(self, claim: Claim, channel: Channel, now: datetime) -> dict[str, Any]:
        return notification_row(
            request_of(claim.row),
            channel=channel,
            address=claim.recipient.addresses.get(channel),
            state="pending",
            now=now,
            escalated_from=claim.id,
        )
