"""The database becomes unavailable between the SMTP server's acceptance and the write of the
outcome: the sender keeps what the channel answered, writes it once the database is back, and
no other sender re-sends meanwhile — each message reaches the real SMTP server once."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import asyncpg
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from sinergi_kit.testing.plugin import asyncpg_dsn
from sinergi_notify.adapters.outage import database_unavailable
from sinergi_notify.mailcatcher import MailCatcher
from sinergi_notify.service_layer.sender import Sender
from sinergi_notify.testing import Notify, invitation_issued

if TYPE_CHECKING:
    from conftest import NotifyFactory

INVITEES = 6
FAILED_WRITES = 3
LEASE_S = 30.0


class Outage:
    """Makes notify's database unavailable and available again. PostgreSQL: the database
    stops accepting connections and its backends are terminated from an admin connection
    (the server itself keeps running). SQLite: every statement on the database fails as a
    broken disk would make it."""

    def __init__(self, notify: Notify) -> None:
        self.notify = notify
        self.active = False
        url = make_url(notify.settings.database_url)
        self.name = url.database or ""
        self.admin_dsn = asyncpg_dsn(url.set(database="postgres"))
        if notify.db.is_sqlite:
            event.listen(notify.db.engine.sync_engine, "before_cursor_execute", self._refuse)

    def _refuse(self, *_args: Any) -> None:
        if self.active:
            raise OperationalError("outage", {}, sqlite3.OperationalError("disk I/O error"))

    async def _admin(self, *statements: str) -> None:
        connection = await asyncpg.connect(self.admin_dsn, timeout=5)
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    async def begin(self) -> None:
        self.active = True
        if not self.notify.db.is_sqlite:
            await self._admin(
                f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false',
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = '{self.name}' AND pid <> pg_backend_pid()",
            )

    async def end(self) -> None:
        self.active = False
        if not self.notify.db.is_sqlite:
            await self._admin(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true')


async def test_an_outage_between_acceptance_and_the_outcome_write_sends_each_message_once(
    notify_factory: NotifyFactory, smtp: MailCatcher
) -> None:
    notify = await notify_factory(lease_s=LEASE_S)
    people = [await notify.person(email=f"padam{n}@example.id") for n in range(INVITEES)]
    holder, rival = notify.sender(), notify.sender()
    await rival.drain()  # in contact with the database before the invitations arrive
    for person in people:
        await notify.deliver(invitation_issued(person))
    outage = Outage(notify)
    write_outcomes = holder._record
    calls: list[int] = []
    rival_failures: list[BaseException] = []

    async def record_through_an_outage(results: Sequence[Any]) -> None:
        calls.append(len(results))
        if len(calls) == 1:
            assert smtp.store.received == INVITEES  # accepted, not yet recorded
            await outage.begin()
            notify.clock.advance(LEASE_S + 1)  # the outage outlasts the lease
            try:
                await rival.run_once()
            except Exception as exc:
                rival_failures.append(exc)
        if len(calls) == FAILED_WRITES + 1:
            await outage.end()
            # Back in contact, but only just: the rival must not take the expired leases
            # over while the holder is about to write what the channel accepted.
            assert await rival.run_once() == 0
        await write_outcomes(results)

    holder._record = record_through_an_outage  # type: ignore[method-assign]
    assert await holder.run_once() == INVITEES

    assert calls == [INVITEES] * (FAILED_WRITES + 1)
    assert [database_unavailable(exc) for exc in rival_failures] == [True]
    await rival.drain()
    notify.clock.advance(LEASE_S + 1)
    await rival.drain()
    assert smtp.store.received == INVITEES and smtp.store.distinct == INVITEES
    rows = await notify.rows()
    assert {r.state for r in rows} == {"sent"}
    for row in rows:
        assert [a.outcome for a in await notify.attempts(row.id)] == ["sent"]


async def test_a_sender_takes_expired_leases_over_only_after_a_lease_in_contact(
    notify_factory: NotifyFactory, smtp: MailCatcher
) -> None:
    notify = await notify_factory(lease_s=LEASE_S)
    person = await notify.person(email="diambil@example.id")
    await notify.deliver(invitation_issued(person))
    crashed = notify.sender()
    _decided, claims = await crashed._claim()  # claimed, then the process died mid-send
    assert len(claims) == 1
    notify.clock.advance(LEASE_S + 1)
    newcomer: Sender = notify.sender()
    await newcomer.drain()
    assert smtp.store.received == 0  # just started: the holder may only be cut off
    notify.clock.advance(LEASE_S)
    await newcomer.drain()
    [row] = await notify.rows()
    assert row.state == "sent" and smtp.store.received == 1
    assert [a.outcome for a in await notify.attempts(row.id)] == ["lease_expired", "sent"]
