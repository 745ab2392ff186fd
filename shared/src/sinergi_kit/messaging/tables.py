"""The outbox, inbox and dead-letter tables every service keeps in its own database."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
)

from sinergi_kit.driver import DriverInsert

AutoIncrementId = BigInteger().with_variant(Integer(), "sqlite")


OUTBOX_COLUMNS = (
    "event_id",
    "event_type",
    "source",
    "subject",
    "occurred_at",
    "traceparent",
    "data",
)
"""The columns an event's outbox row is written with (``seq`` counts, ``published_at`` is
set by the relay)."""


@dataclass(frozen=True)
class MessagingTables:
    outbox: Table
    inbox: Table
    dead_letters: Table

    @cached_property
    def outbox_insert(self) -> DriverInsert:
        return DriverInsert(self.outbox, OUTBOX_COLUMNS)


def messaging_tables(metadata: MetaData) -> MessagingTables:
    outbox = Table(
        "outbox",
        metadata,
        Column("seq", AutoIncrementId, primary_key=True, autoincrement=True),
        Column("event_id", Uuid, nullable=False, unique=True),
        Column("event_type", String(200), nullable=False),
        Column("source", String(200), nullable=False),
        Column("subject", String(200), nullable=False),
        Column("occurred_at", DateTime(timezone=True), nullable=False),
        Column("traceparent", String(55), nullable=False),
        Column("data", JSON, nullable=False),
        Column("published_at", DateTime(timezone=True), nullable=True),
        Index("ix_outbox_occurred_at", "occurred_at"),
    )
    unpublished = outbox.c.published_at.is_(None)
    Index(
        "ix_outbox_unpublished",
        outbox.c.seq,
        sqlite_where=unpublished,
        postgresql_where=unpublished,
    )
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", Uuid, primary_key=True),
        Column("event_type", String(200), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False),
    )
    dead_letters = Table(
        "dead_letters",
        metadata,
        Column("id", Uuid, primary_key=True),
        Column("consumer", String(100), nullable=False),
        Column("stream", String(100), nullable=False),
        Column("stream_seq", BigInteger, nullable=True),
        Column("nats_subject", String(300), nullable=False),
        Column("event_id", String(100), nullable=True),
        Column("headers", JSON, nullable=False),
        Column("body", LargeBinary, nullable=False),
        Column("reason", String(50), nullable=False),
        Column("error", Text, nullable=False),
        Column("deliveries", Integer, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("resolved_at", DateTime(timezone=True), nullable=True),
        Index("ix_dead_letters_consumer_created", "consumer", "created_at"),
    )
    return MessagingTables(outbox=outbox, inbox=inbox, dead_letters=dead_letters)
