"""Test helpers for notify (and its benchmark): a movable clock, an HTTP receiver with a
scripted answer, the service's pieces in one process, and event builders."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import uvicorn
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sinergi_kit.contracts.base import EventContract, contract_for
from sinergi_kit.contracts.events import (
    EventSnapshot,
    InvitationIssuedV1,
    InvitationSnapshot,
    LocalizedText,
    ReminderDueV1,
    Venue,
)
from sinergi_kit.contracts.registry import (
    ConsentPurpose,
    ConsentRecord,
    ContactPoints,
    PersonRegisteredV1,
    PersonState,
)
from sinergi_kit.db import Database
from sinergi_kit.envelope import Envelope
from sinergi_kit.ids import new_id
from sinergi_kit.messaging.consumer import Subscription
from sinergi_kit.nats_server import free_port
from sinergi_kit.uow import UnitOfWorkFactory
from sinergi_notify.adapters.channels.registry import build_channels
from sinergi_notify.adapters.tables import attempts, messaging, notifications, suppressions
from sinergi_notify.entrypoints.bus import subscriptions
from sinergi_notify.service_layer.sender import Sender
from sinergi_notify.settings import NotifySettings

NO_QUIET_HOURS_ENV = {"SINERGI_NOTIFY_QUIET_START": "00:00", "SINERGI_NOTIFY_QUIET_END": "00:00"}
"""For a notify process on the real clock that is not testing quiet hours: in the default
ones (21:00-06:00 WIB) every message would wait for the morning."""

DAYTIME = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
"""Sunday 22 November 2026, 10:00 WIB: outside the quiet hours."""
EVENT_ID = UUID("0193a000-0000-7000-8000-0000000000e1")


class Clock:
    def __init__(self, now: datetime = DAYTIME) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def refuse_by_local_part(address: str) -> str | None:
    """The SMTP server's answer per recipient, chosen by the test's addresses."""
    local = address.strip("<>").split("@")[0]
    if local.startswith("bounce"):
        return f"550 5.1.1 <{address}>: Recipient address rejected: user unknown"
    if local.startswith("busy"):
        return "451 4.3.0 Mailbox temporarily unavailable"
    return None


@dataclass
class Receiver:
    """An HTTP endpoint that records requests and answers from a script (then 200)."""

    port: int = field(default_factory=free_port)
    script: deque[tuple[int, dict[str, str], dict[str, Any] | None]] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    delay_s: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answer(self, *responses: tuple[int, dict[str, str]]) -> None:
        self.script.extend((status, headers, None) for status, headers in responses)

    def answer_with_body(self, status: int, body: dict[str, Any]) -> None:
        self.script.append((status, {}, body))

    async def handle(self, request: Request) -> JSONResponse:
        self.requests.append(
            {
                "path": request.url.path,
                "headers": dict(request.headers),
                "json": await request.json(),
            }
        )
        number = len(self.requests)
        status, headers, body = self.script.popleft() if self.script else (200, {}, None)
        await asyncio.sleep(self.delay_s)
        if body is None and status < 300:
            # What WhatsApp, the SMS gateway and Telegram answer, in one body.
            body = {
                "messages": [{"id": f"wamid.{number}"}],
                "id": "1",
                "result": {"message_id": number},
            }
        return JSONResponse(body or {"error": status}, status, headers)

    @contextlib.asynccontextmanager
    async def serving(self) -> AsyncIterator[Receiver]:
        app = Starlette(routes=[Route("/{path:path}", self.handle, methods=["POST"])])
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        while not server.started:  # noqa: ASYNC110 - uvicorn offers no started event
            await asyncio.sleep(0.01)
        try:
            yield self
        finally:
            server.should_exit = True
            await task


def settings_for(
    database_url: str, smtp_port: int, receiver: Receiver | None = None, **overrides: Any
) -> NotifySettings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "jwt_secret": "test-secret-test-secret-test-secret-1234",
        "smtp_port": smtp_port,
        "channels": ["email", "webhook", "whatsapp", "telegram", "sms"],
        "retry_base_s": 10.0,
        "retry_max_attempts": 4,
        "rate_per_s": {},
        "public_base_url": "http://notify.test",
    }
    if receiver is not None:
        values.update(
            whatsapp_base_url=receiver.url + "/whatsapp",
            whatsapp_phone_number_id="1234",
            whatsapp_token="wa-token",
            telegram_bot_token="tg-token",
            sms_token="sms-token",
            telegram_base_url=receiver.url + "/telegram",
            sms_base_url=receiver.url + "/sms",
        )
    values.update(overrides)
    return NotifySettings(**values)


@dataclass
class Notify:
    """The service's pieces in the test's process, with a movable clock."""

    settings: NotifySettings
    db: Database
    uow: UnitOfWorkFactory
    clock: Clock = field(default_factory=Clock)
    senders: list[Sender] = field(default_factory=list)

    @property
    def subscriptions(self) -> list[Subscription]:
        return subscriptions(self.settings, self.clock)

    def sender(self) -> Sender:
        sender = Sender(
            self.uow,
            self.settings,
            build_channels(self.settings),
            clock=self.clock,
            rand=lambda: 0.5,
        )
        self.senders.append(sender)
        return sender

    async def deliver(self, event: EventContract, envelope: Envelope | None = None) -> Envelope:
        """Apply an event as the consumer does: in a unit of work, batch or single handler."""
        envelope = envelope or Envelope.wrap(event)
        for subscription in self.subscriptions:
            async with self.uow() as uow:
                if batch := subscription.batch_handlers.get(envelope.type):
                    await batch(uow, [(envelope, event)])
                elif handler := subscription.handlers.get(envelope.type):
                    await handler(uow, envelope, event)
        return envelope

    async def person(
        self,
        *,
        email: str | None = None,
        whatsapp: str | None = None,
        telegram: str | None = None,
        language: str = "id",
        consents: Sequence[ConsentPurpose] = ("event_invitations", "amplification_requests"),
        accounts: Sequence[UUID] = (),
        roles: Sequence[str] = (),
        organization_id: UUID | None = None,
        timezone: str | None = None,
    ) -> PersonState:
        person = person_state(
            email=email,
            whatsapp=whatsapp,
            telegram=telegram,
            language=language,
            consents=consents,
            accounts=accounts,
            roles=roles,
            organization_id=organization_id,
            timezone=timezone,
        )
        await self.deliver(PersonRegisteredV1(person=person))
        return person

    async def close(self) -> None:
        for sender in self.senders:
            for channel in sender.channels.values():
                await channel.close()
        await self.db.dispose()

    async def rows(self, recipient_id: UUID | None = None) -> list[Any]:
        query = select(notifications).order_by(notifications.c.created_at, notifications.c.id)
        if recipient_id is not None:
            query = query.where(notifications.c.recipient_id == recipient_id)
        async with self.db.read() as session:
            return list((await session.execute(query)).all())

    async def attempts(self, notification_id: UUID) -> list[Any]:
        async with self.db.read() as session:
            return list(
                (
                    await session.execute(
                        select(attempts)
                        .where(attempts.c.notification_id == notification_id)
                        .order_by(attempts.c.number)
                    )
                ).all()
            )

    async def published(self) -> list[EventContract]:
        """The events in notify's outbox, oldest first."""
        outbox = messaging.outbox
        async with self.db.read() as session:
            rows = (await session.execute(select(outbox).order_by(outbox.c.seq))).all()
        return [contract_of(row.event_type).model_validate(row.data) for row in rows]

    async def suppressed(self) -> set[tuple[str, str]]:
        async with self.db.read() as session:
            return {(r.channel, r.address) for r in await session.execute(select(suppressions))}


def contract_of(event_type: str) -> type[EventContract]:
    contract = contract_for(event_type)
    if contract is None:
        raise LookupError(f"no contract for {event_type}")
    return contract


def person_state(
    *,
    email: str | None = None,
    whatsapp: str | None = None,
    telegram: str | None = None,
    language: str = "id",
    consents: Sequence[ConsentPurpose] = ("event_invitations", "amplification_requests"),
    accounts: Sequence[UUID] = (),
    roles: Sequence[str] = (),
    organization_id: UUID | None = None,
    name: str = "Ahmad Fauzi",
    timezone: str | None = None,
) -> PersonState:
    return PersonState.model_validate(
        {
            "id": new_id(),
            "version": 1,
            "name": name,
            "roles": list(roles),
            "contact": ContactPoints(email=email, whatsapp=whatsapp, telegram=telegram),
            "preferred_language": language,
            "timezone": timezone,
            "consents": [
                ConsentRecord(purpose=p, granted=True, recorded_at=DAYTIME, source="form:test")
                for p in consents
            ],
            "organization_id": organization_id,
            "managed_account_ids": list(accounts),
            "created_at": DAYTIME,
            "updated_at": DAYTIME,
        }
    )


def kopilaborasi(
    starts_at: datetime = DAYTIME + timedelta(days=6),
    version: int = 1,
    sequence: int = 0,
    event_id: UUID = EVENT_ID,
) -> EventSnapshot:
    return EventSnapshot(
        id=event_id,
        version=version,
        sequence=sequence,
        calendar_uid=f"{event_id}@sinergi.jombangkab.go.id",
        kind="kopilaborasi",
        status="published",
        title=LocalizedText(id="Kopilaborasi 2026", en="Kopilaborasi 2026"),
        theme=LocalizedText(id="Bersama melawan hoaks", en="Together against hoaxes"),
        venue=Venue(name="Pendopo Kabupaten Jombang", address="Jl. KH. Wahid Hasyim"),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=4),
        organizer_name="Diskominfo Kabupaten Jombang",
        organizer_email="diskominfo@jombangkab.go.id",
    )


def invitation_for(
    person: PersonState, event: EventSnapshot, response: str = "pending"
) -> InvitationSnapshot:
    return InvitationSnapshot.model_validate(
        {
            "id": new_id(),
            "version": 1,
            "event_id": event.id,
            "person_id": person.id,
            "role": "participant",
            "response": response,
            "seat": "none",
            "rsvp_path": f"/rsvp/{person.id}",
        }
    )


def invitation_issued(
    person: PersonState, event: EventSnapshot | None = None
) -> InvitationIssuedV1:
    event = event or kopilaborasi()
    return InvitationIssuedV1(
        invitation=invitation_for(person, event), event=event, expires_at=event.starts_at
    )


def reminder_due(person: PersonState, event: EventSnapshot) -> ReminderDueV1:
    return ReminderDueV1(
        reminder_id=new_id(),
        offset_minutes=60,
        audience="accepted",
        invitation=invitation_for(person, event, "accepted"),
        event=event,
        expires_at=event.starts_at,
    )
