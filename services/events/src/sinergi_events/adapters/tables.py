"""The events service's database schema (SQLAlchemy Core)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    Uuid,
)

from sinergi_kit.db import UtcTimestamp, make_metadata
from sinergi_kit.messaging.tables import messaging_tables

metadata = make_metadata()
messaging = messaging_tables(metadata)


def _at(name: str, nullable: bool = False) -> Column[object]:
    return Column(name, UtcTimestamp(), nullable=nullable)


# The local projections of registry accounts, people and segments (never read from the
# registry's database).
directory_accounts = Table(
    "directory_accounts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("platform", String(30), nullable=False),
    Column("handle", String(200), nullable=False),
    Column("display_name", String(200), nullable=False),
    Column("managed_by", String(20), nullable=False),
    Column("category", String(20), nullable=False),
    Column("district", String(100), nullable=True),
    Column("state", JSON, nullable=False),
    _at("updated_at"),
)

people = Table(
    "people",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("email", String(254), nullable=True),
    Column("language", String(2), nullable=False),
    Column("state", JSON, nullable=True),
    _at("erased_at", nullable=True),
)

segments = Table(
    "segments",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("state", JSON, nullable=True),
    _at("deleted_at", nullable=True),
)

events = Table(
    "events",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("status", String(30), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("title_id", String(300), nullable=False),
    Column("title_en", String(300), nullable=False),
    _at("starts_at"),
    _at("ends_at"),
    _at("rsvp_deadline", nullable=True),
    Column("capacity", Integer, nullable=True),
    Column("details", JSON, nullable=False),
    _at("created_at"),
    _at("updated_at"),
    Index("ix_events_starts_at", "starts_at"),
)

invitations = Table(
    "invitations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("event_id", Uuid, ForeignKey("events.id"), nullable=False),
    Column("person_id", Uuid, nullable=True),
    Column("role", String(30), nullable=False),
    Column("segment_id", Uuid, nullable=True),
    Column("response", String(20), nullable=False),
    Column("seat", String(20), nullable=False),
    _at("responded_at", nullable=True),
    Column("waitlist_position", Integer, nullable=True),
    _at("offered_at", nullable=True),
    _at("offer_expires_at", nullable=True),
    _at("revoked_at", nullable=True),
    Column("erased", Boolean, nullable=False),
    Column("pass_version", Integer, nullable=False),
    Column("pass_revoked", Boolean, nullable=False),
    Column("inside", Boolean, nullable=False),
    _at("first_entry_at", nullable=True),
    Column("version", Integer, nullable=False),
    _at("created_at"),
    UniqueConstraint("event_id", "person_id"),
    Index("ix_invitations_event_seat", "event_id", "seat", "waitlist_position"),
    Index("ix_invitations_offer_expires_at", "offer_expires_at"),
    Index("ix_invitations_person_id", "person_id"),
)

segment_sends = Table(
    "segment_sends",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("event_id", Uuid, ForeignKey("events.id"), nullable=False),
    Column("segment_id", Uuid, nullable=False),
    Column("segment_name", String(200), nullable=False),
    Column("segment_version", Integer, nullable=False),
    Column("role", String(30), nullable=False),
    Column("members", Integer, nullable=False),
    Column("invited", Integer, nullable=False),
    _at("sent_at"),
)

due_reminders = Table(
    "due_reminders",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("event_id", Uuid, ForeignKey("events.id"), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("offset_minutes", Integer, nullable=False),
    Column("audiences", JSON, nullable=False),
    _at("due_at"),
    Column("status", String(20), nullable=False),
    _at("processed_at", nullable=True),
    Column("recipients", Integer, nullable=True),
    UniqueConstraint("event_id", "sequence", "offset_minutes"),
    Index("ix_due_reminders_status_due_at", "status", "due_at"),
)

scans = Table(
    "scans",
    metadata,
    Column("nonce", String(100), primary_key=True),
    Column("event_id", Uuid, ForeignKey("events.id"), nullable=False),
    Column("invitation_id", Uuid, nullable=True),
    Column("direction", String(10), nullable=False),
    _at("scanned_at"),
    _at("received_at"),
    Column("accepted", Boolean, nullable=False),
    Column("reason", String(30), nullable=True),
    Column("device", String(100), nullable=False),
    Column("offline", Boolean, nullable=False),
    Index("ix_scans_event_id", "event_id", "scanned_at"),
)

walk_ins = Table(
    "walk_ins",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("event_id", Uuid, ForeignKey("events.id"), nullable=False),
    Column("person_id", Uuid, nullable=True),
    Column("name", String(200), nullable=False),
    Column("organization", String(200), nullable=False),
    _at("checked_in_at"),
    Index("ix_walk_ins_event_id", "event_id"),
    Index("ix_walk_ins_person_id", "person_id"),
)
