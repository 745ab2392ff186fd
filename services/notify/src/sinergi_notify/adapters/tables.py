"""The notify service's database schema (SQLAlchemy Core)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

from sinergi_kit.db import UtcTimestamp, make_metadata
from sinergi_kit.messaging.tables import messaging_tables

metadata = make_metadata()
messaging = messaging_tables(metadata)

# People from the registry's events, and fact-check reporters who asked for the verdict.
recipients = Table(
    "recipients",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("kind", String(20), nullable=False),  # person | reporter
    Column("name", String(200), nullable=True),
    Column("language", String(5), nullable=False),
    Column("timezone", String(60), nullable=True),  # IANA; none: the service default
    Column("email", String(254), nullable=True),
    Column("whatsapp", String(20), nullable=True),
    Column("telegram", String(64), nullable=True),
    Column("sms", String(20), nullable=True),
    Column("roles", JSON, nullable=False),
    Column("organization_id", Uuid, nullable=True),
    Column("consents", JSON, nullable=False),  # purpose -> granted
    Column("erased", Boolean, nullable=False),
    Column("updated_at", UtcTimestamp(), nullable=False),
    Index("ix_recipients_organization_id", "organization_id"),
)

recipient_accounts = Table(
    "recipient_accounts",
    metadata,
    Column("person_id", Uuid, primary_key=True),
    Column("account_id", Uuid, primary_key=True),
    Index("ix_recipient_accounts_account_id", "account_id"),
)

preferences = Table(
    "preferences",
    metadata,
    Column("recipient_id", Uuid, primary_key=True),
    Column("opted_out", JSON, nullable=False),  # [[category|*, channel|*], ...]
    Column("ladder", JSON, nullable=False),  # [] = the service default
    Column("quiet_start", String(5), nullable=True),
    Column("quiet_end", String(5), nullable=True),
    Column("timezone", String(60), nullable=True),
    Column("webhook_url", String(500), nullable=True),
    Column("updated_at", UtcTimestamp(), nullable=False),
)

suppressions = Table(
    "suppressions",
    metadata,
    Column("channel", String(20), primary_key=True),
    Column("address", String(254), primary_key=True),
    Column("reason", Text, nullable=False),
    Column("notification_id", Uuid, nullable=True),
    Column("created_at", UtcTimestamp(), nullable=False),
)

templates = Table(
    "templates",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("key", String(60), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("locale", String(5), nullable=False),
    Column("version", Integer, nullable=False),
    Column("subject", Text, nullable=False),
    Column("body_text", Text, nullable=False),
    Column("body_html", Text, nullable=True),
    Column("origin", String(10), nullable=False),  # default | custom
    Column("active", Boolean, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UtcTimestamp(), nullable=False),
    UniqueConstraint("key", "channel", "locale", "version"),
)

# What notify keeps of the events service's invitations, to tell every invitee of a change.
invitations = Table(
    "invitations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("event_id", Uuid, nullable=False),
    Column("person_id", Uuid, nullable=False),
    Column("role", String(30), nullable=False),
    Column("response", String(20), nullable=False),
    Column("seat", String(20), nullable=False),
    Column("rsvp_path", String(500), nullable=False),
    Column("revoked", Boolean, nullable=False),
    Index("ix_invitations_event_id", "event_id"),
)

# Fact-check reports whose reporters asked for the verdict, by case (cases merge).
reports = Table(
    "reports",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("case_id", Uuid, nullable=False),
    Column("received_at", UtcTimestamp(), nullable=False),
    Index("ix_reports_case_id", "case_id"),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("source_event_id", Uuid, nullable=False),
    Column("source_type", String(200), nullable=False),
    Column("recipient_id", Uuid, nullable=False),
    Column("channel", String(20), nullable=False),
    Column("category", String(30), nullable=False),
    Column("template_key", String(60), nullable=False),
    Column("urgent", Boolean, nullable=False),
    Column("group_key", String(100), nullable=True),
    Column("group_version", Integer, nullable=True),
    Column("context", JSON, nullable=False),
    Column("ics", Text, nullable=True),
    Column("ics_method", String(10), nullable=True),
    Column("address", String(500), nullable=True),
    Column("state", String(20), nullable=False),
    Column("version", Integer, nullable=False, server_default="0"),  # of its published events
    Column("reason", String(40), nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("generation", Integer, nullable=False),
    Column("next_attempt_at", UtcTimestamp(), nullable=False),
    Column("lease_until", UtcTimestamp(), nullable=True),
    Column("leased_by", String(64), nullable=True),
    Column("expires_at", UtcTimestamp(), nullable=True),
    Column("digest_at", UtcTimestamp(), nullable=True),
    Column("bundled_into", Uuid, nullable=True),
    Column("escalated_from", Uuid, nullable=True),
    Column("provider_id", String(200), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", UtcTimestamp(), nullable=False),
    Column("updated_at", UtcTimestamp(), nullable=False),
    Column("sent_at", UtcTimestamp(), nullable=True),
    Column("delivered_at", UtcTimestamp(), nullable=True),
    UniqueConstraint("source_event_id", "recipient_id", "channel"),
    Index("ix_notifications_state_next_attempt_at", "state", "next_attempt_at"),
    Index("ix_notifications_recipient_id", "recipient_id"),
    Index("ix_notifications_group_key", "group_key"),
    Index("ix_notifications_provider_id", "provider_id"),
)

attempts = Table(
    "attempts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("notification_id", Uuid, nullable=False),
    Column("number", Integer, nullable=False),
    Column("generation", Integer, nullable=False),
    Column("channel", String(20), nullable=False),
    Column("worker", String(64), nullable=False),
    Column("started_at", UtcTimestamp(), nullable=False),
    Column("finished_at", UtcTimestamp(), nullable=True),
    Column("outcome", String(20), nullable=True),  # sent | temporary | permanent | lease_expired
    Column("status", Integer, nullable=True),
    Column("detail", Text, nullable=True),
    Index("ix_attempts_notification_id", "notification_id"),
)

# One token bucket per channel, shared by every replica.
rate_buckets = Table(
    "rate_buckets",
    metadata,
    Column("channel", String(20), primary_key=True),
    Column("tokens", Float, nullable=False),
    Column("refreshed_at", UtcTimestamp(), nullable=False),
)
