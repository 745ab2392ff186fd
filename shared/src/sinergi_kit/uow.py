"""Unit of work: one database transaction that holds a use case's state changes and the
events they produce. The events become outbox rows in the same transaction."""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from sinergi_kit.contracts.base import EventContract
from sinergi_kit.db import Database
from sinergi_kit.driver_connection import (
    DriverConnection,
    Write,
    driver_statements,
    driver_transaction,
)
from sinergi_kit.envelope import Envelope
from sinergi_kit.messaging.outbox import add_to_outbox, outbox_row
from sinergi_kit.messaging.tables import MessagingTables


class _Events(ABC):
    """The events a unit of work emits, written to the outbox when it is flushed."""

    def __init__(self, tables: MessagingTables) -> None:
        self._tables = tables
        self._pending: list[Envelope] = []
        self.emitted = 0

    def emit(self, event: EventContract, *, trace_parent: str | None = None) -> Envelope:
        """``trace_parent``: the trace the event belongs to when it is not the one being
        served, as for the requests a batch applies together."""
        envelope = Envelope.wrap(event, trace_parent=trace_parent)
        self._pending.append(envelope)
        return envelope

    async def flush_events(self) -> None:
        """Write the events emitted so far to the outbox (inside the open transaction)."""
        if self._pending:
            await self._write(self._pending)
        self._flushed()

    def _flushed(self) -> None:
        self.emitted += len(self._pending)
        self._pending.clear()

    @abstractmethod
    async def _write(self, envelopes: list[Envelope]) -> None: ...


class UnitOfWork(_Events):
    def __init__(self, session: AsyncSession, tables: MessagingTables) -> None:
        super().__init__(tables)
        self.session = session

    async def _write(self, envelopes: list[Envelope]) -> None:
        await add_to_outbox(self.session, self._tables, envelopes)


class DriverUnitOfWork(_Events):
    """A unit of work whose statements run at the driver (see
    :mod:`sinergi_kit.driver_connection`), for a hot path."""

    _write_as_one = False

    def __init__(self, transaction: DriverConnection, tables: MessagingTables) -> None:
        super().__init__(tables)
        self.transaction = transaction

    async def write_with_events(self, writes: Sequence[Write]) -> None:
        """Run ``writes`` and write the events emitted so far to the outbox, as one statement
        where the database can (see :meth:`DriverConnection.execute_together`)."""
        await self.transaction.execute_together(
            self._with_outbox_rows(writes, self._pending), as_one=self._write_as_one
        )
        self._flushed()

    async def _write(self, envelopes: list[Envelope]) -> None:
        await self.transaction.execute_together(self._with_outbox_rows([], envelopes))

    def _with_outbox_rows(self, writes: Sequence[Write], envelopes: list[Envelope]) -> list[Write]:
        values = self.transaction.values
        rows = [outbox_row(e, values) for e in envelopes]
        return [*writes, (self._tables.outbox_insert, rows)]


class _OneStatementUnitOfWork(DriverUnitOfWork):
    """At the driver outside a transaction: its one write, with its events, is a statement
    committed on its own, so nothing may be written beside it."""

    _write_as_one = True

    def __init__(self, transaction: DriverConnection, tables: MessagingTables) -> None:
        super().__init__(transaction, tables)
        self._written = False

    async def write_with_events(self, writes: Sequence[Write]) -> None:
        if self._written:
            raise RuntimeError("a unit of work without a transaction writes once")
        self._written = True
        await super().write_with_events(writes)

    async def _write(self, envelopes: list[Envelope]) -> None:
        raise RuntimeError("a unit of work without a transaction writes its events with its write")


class UnitOfWorkFactory:
    def __init__(
        self, db: Database, tables: MessagingTables, on_commit: Callable[[], None]
    ) -> None:
        self.db = db
        self.tables = tables
        self._on_commit = on_commit

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[UnitOfWork]:
        """Commit on a clean exit, roll back on an exception; wake the relay after commit."""
        async with self.db.sessions() as session, session.begin():
            uow = UnitOfWork(session, self.tables)
            yield uow
            await uow.flush_events()
        self._committed(uow)

    @asynccontextmanager
    async def at_the_driver(self) -> AsyncIterator[DriverUnitOfWork]:
        """As a call of the factory, with the transaction held at the driver."""
        async with driver_transaction(self.db) as transaction:
            uow = DriverUnitOfWork(transaction, self.tables)
            yield uow
            await uow.flush_events()
        self._committed(uow)

    @asynccontextmanager
    async def optimistic(self) -> AsyncIterator[DriverUnitOfWork]:
        """A unit of work at the driver that reads without locks and then writes once, with
        its events (:meth:`DriverUnitOfWork.write_with_events`); a guarded update (see the
        kit's ``DriverUpdate``) fails that write with
        :class:`~sinergi_kit.driver_connection.ChangedSinceReadError`, writing nothing, if a
        row it read was changed in between. On PostgreSQL it runs outside a transaction, the
        reads and the write a statement each: two round trips fewer than with BEGIN and
        COMMIT. On SQLite it is a write transaction, as :meth:`at_the_driver`, which keeps
        every other writer out from the read to the write."""
        if self.db.is_sqlite:
            async with self.at_the_driver() as uow:
                yield uow
            return
        async with driver_statements(self.db) as connection:
            uow = _OneStatementUnitOfWork(connection, self.tables)
            yield uow
            await uow.flush_events()
        self._committed(uow)

    def _committed(self, uow: _Events) -> None:
        if uow.emitted:
            self._on_commit()

    def notify_committed(self) -> None:
        self._on_commit()


class ThrottledWake:
    """An ``on_commit`` for a hot write path: wakes the outbox relay at most every
    ``interval_s``, and a commit soon after the last wake schedules one for when the interval
    is over. Each round of the relay costs a read and a write transaction (on SQLite its
    marking of published rows takes the one write lock the next commit waits for); this way
    one round publishes the events of several commits."""

    def __init__(self, wake: Callable[[], None], interval_s: float) -> None:
        self._wake = wake
        self._interval_s = interval_s
        self._woken_at = float("-inf")
        self._scheduled = False

    def __call__(self) -> None:
        if self._scheduled:
            return
        wait = self._woken_at + self._interval_s - time.monotonic()
        if wait > 0:
            self._scheduled = True
            asyncio.get_running_loop().call_later(wait, self._wake_now)
        else:
            self._wake_now()

    def _wake_now(self) -> None:
        self._scheduled = False
        self._woken_at = time.monotonic()
        self._wake()
