"""The registry's database schema (SQLAlchemy Core). Each aggregate keeps its full state as
JSON text (what the API returns and the events carry) beside the columns it is queried by."""

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
    Text,
    UniqueConstraint,
    Uuid,
)

from sinergi_kit.db import UtcTimestamp, make_metadata
from sinergi_kit.http.idempotency import idempotency_table
from sinergi_kit.messaging.tables import messaging_tables

metadata = make_metadata()
messaging = messaging_tables(metadata)
idempotency_keys = idempotency_table(metadata)


def _timestamps() -> list[Column[object]]:
    return [
        Column("created_at", UtcTimestamp(), nullable=False),
        Column("updated_at", UtcTimestamp(), nullable=False),
    ]


organizations = Table(
    "organizations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("kind", String(30), nullable=False),
    Column("name", String(200), nullable=False),
    Column("name_key", String(200), nullable=False, unique=True),
    Column("short_name_key", String(50), nullable=True),
    Column("district", String(100), nullable=True),
    Column("state", Text, nullable=False),
    *_timestamps(),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("platform", String(30), nullable=False),
    Column("handle", String(200), nullable=False),
    Column("display_name", String(200), nullable=False),
    Column("url", String(500), nullable=True),
    Column("managed_by", String(20), nullable=False),
    Column("organization_id", Uuid, nullable=True, index=True),
    Column("category", String(20), nullable=False),
    Column("district", String(100), nullable=True),
    Column("tags", JSON, nullable=False),
    Column("verification_status", String(20), nullable=False),
    *_timestamps(),
    Column("sort_name", String(200), nullable=False),
    Column("followers", Integer, nullable=False),
    Column("organization_kind", String(30), nullable=True),
    Column("state", Text, nullable=False),
    UniqueConstraint("platform", "handle"),
    # (sort key, id): the order of every listing, so a page is read off the index
    Index("ix_accounts_created", "created_at", "id"),
    Index("ix_accounts_sort_name", "sort_name", "id"),
    Index("ix_accounts_followers", "followers", "id"),
    Index("ix_accounts_district", "district"),
)

account_terms = Table(
    "account_terms",
    metadata,
    # C collation on PostgreSQL: prefix ranges (term >= 'abc' AND term < 'abc\uffff') follow
    # byte order and use the primary key, as they do on SQLite.
    Column(
        "term", String(64).with_variant(String(64, collation="C"), "postgresql"), primary_key=True
    ),
    Column("account_id", Uuid, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_account_terms_account", "account_id"),
)

follower_snapshots = Table(
    "follower_snapshots",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("account_id", Uuid, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("followers", Integer, nullable=False),
    Column("observed_at", UtcTimestamp(), nullable=False),
    Column("source", String(100), nullable=False),
    Index("ix_follower_snapshots_account", "account_id", "observed_at"),
)

verification_changes = Table(
    "verification_changes",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("account_id", Uuid, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("from_status", String(20), nullable=False),
    Column("to_status", String(20), nullable=False),
    Column("by", String(200), nullable=False),
    Column("reason", Text, nullable=False),
    Column("at", UtcTimestamp(), nullable=False),
    Index("ix_verification_changes_account", "account_id", "at"),
)

people = Table(
    "people",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("sort_name", String(200), nullable=True, index=True),
    Column("email", String(254), nullable=True, unique=True),
    Column("whatsapp", String(20), nullable=True, unique=True),
    Column("organization_id", Uuid, nullable=True, index=True),
    Column("state", Text, nullable=True),
    Column("erased_at", UtcTimestamp(), nullable=True),
    *_timestamps(),
)

person_accounts = Table(
    "person_accounts",
    metadata,
    Column("person_id", Uuid, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
    Column("account_id", Uuid, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_person_accounts_account", "account_id"),
)

segments = Table(
    "segments",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("name_key", String(200), nullable=False, unique=True),
    Column("state", Text, nullable=False),
    *_timestamps(),
)

users = Table(
    "users",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("username", String(100), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("password_hash", String(500), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("organization_id", Uuid, nullable=True),
    Column("active", Boolean, nullable=False),
    *_timestamps(),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("roles", JSON, nullable=False),
    Column("organization_id", Uuid, nullable=True),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UtcTimestamp(), nullable=False),
    Column("revoked_at", UtcTimestamp(), nullable=True),
    Column("last_used_at", UtcTimestamp(), nullable=True),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("at", UtcTimestamp(), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(60), nullable=False),
    Column("resource_type", String(30), nullable=False),
    Column("resource_id", String(64), nullable=False),
    Column("fields", JSON, nullable=False),
    Index("ix_audit_log_resource", "resource_type", "resource_id"),
)
