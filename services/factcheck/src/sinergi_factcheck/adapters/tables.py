"""The factcheck service's database schema (SQLAlchemy Core). Migration 0002 creates it."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
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

cases = Table(
    "cases",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("claim", Text, nullable=False),
    Column("urls", JSON, nullable=False),
    Column("urgency", String(10), nullable=False),
    Column("flags", JSON, nullable=False),
    Column("report_count", Integer, nullable=False),
    Column("assignee", String(200), nullable=True),
    Column("organization_id", Uuid, nullable=True),
    Column("rejection_reason", String(20), nullable=True),
    Column("merged_into", Uuid, nullable=True),
    Column("due_at", UtcTimestamp(), nullable=True),
    Column("opened_at", UtcTimestamp(), nullable=False),
    Column("updated_at", UtcTimestamp(), nullable=False),
    Index("ix_cases_status_due_at", "status", "due_at"),
    Index("ix_cases_updated_at", "updated_at"),
)

reports = Table(
    "reports",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("case_id", Uuid, ForeignKey("cases.id"), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("text", Text, nullable=False),
    Column("normalised", Text, nullable=False),
    Column("urls", JSON, nullable=False),
    Column("image_sha256", JSON, nullable=False),
    Column("match", String(10), nullable=False),
    Column("match_score", Float, nullable=True),
    Column("suggested_case_id", Uuid, nullable=True),
    Column("clarification_id", Uuid, nullable=True),
    Column("contact_channel", String(10), nullable=True),
    Column("contact_address", String(200), nullable=True),
    Column("contact_locale", String(2), nullable=True),
    Column("submitted_by", String(200), nullable=True),
    Column("received_at", UtcTimestamp(), nullable=False),
    Index("ix_reports_case_id", "case_id"),
    Index("ix_reports_received_at", "received_at"),
)

images = Table(
    "images",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("content_type", String(30), nullable=False),
    Column("size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("received_at", UtcTimestamp(), nullable=False),
)

evidence = Table(
    "evidence",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("case_id", Uuid, ForeignKey("cases.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("kind", String(30), nullable=False),
    Column("official", Boolean, nullable=False),
    Column("source", String(300), nullable=False),
    Column("url", String(2048), nullable=True),
    Column("archived_sha256", String(64), nullable=True),
    Column("note", Text, nullable=False),
    Column("added_by", String(200), nullable=False),
    Column("added_at", UtcTimestamp(), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("case_id", "seq"),
)

verdicts = Table(
    "verdicts",
    metadata,
    Column("case_id", Uuid, ForeignKey("cases.id"), primary_key=True),
    Column("rating", String(20), nullable=False),
    Column("hoax_type", String(30), nullable=True),
    Column("label", String(20), nullable=False),
    Column("flags", JSON, nullable=False),
    Column("author", String(200), nullable=False),
    Column("author_organization_id", Uuid, nullable=True),
    Column("drafted_at", UtcTimestamp(), nullable=False),
    Column("approver", String(200), nullable=True),
    Column("approver_organization_id", Uuid, nullable=True),
    Column("approved_at", UtcTimestamp(), nullable=True),
)

clarifications = Table(
    "clarifications",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("case_id", Uuid, ForeignKey("cases.id"), nullable=False, unique=True),
    Column("version", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("label", String(20), nullable=False),
    Column("rating", String(20), nullable=False),
    Column("title_id", String(300), nullable=False),
    Column("title_en", String(300), nullable=False),
    Column("summary_id", Text, nullable=False),
    Column("summary_en", Text, nullable=False),
    Column("body_id", Text, nullable=False),
    Column("body_en", Text, nullable=False),
    Column("url", String(500), nullable=False),
    Column("claim_review", JSON, nullable=False),
    Column("published_at", UtcTimestamp(), nullable=False),
    Column("updated_at", UtcTimestamp(), nullable=False),
    Index("ix_clarifications_published_at", "published_at"),
)

clarification_log = Table(
    "clarification_log",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("clarification_id", Uuid, ForeignKey("clarifications.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("action", String(20), nullable=False),
    Column("note_id", Text, nullable=False),
    Column("note_en", Text, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", UtcTimestamp(), nullable=False),
    Index("ix_clarification_log_clarification_id", "clarification_id"),
)

referrals = Table(
    "referrals",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("case_id", Uuid, ForeignKey("cases.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("partner", String(20), nullable=False),
    Column("organization_id", Uuid, nullable=True),
    Column("reason", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("deadline", UtcTimestamp(), nullable=False),
    Column("evidence_bundle", JSON, nullable=False),
    Column("evidence_bundle_sha256", String(64), nullable=False),
    Column("sent_by", String(200), nullable=False),
    Column("sent_at", UtcTimestamp(), nullable=False),
    Column("response", Text, nullable=True),
    Column("responded_at", UtcTimestamp(), nullable=True),
    Index("ix_referrals_case_id", "case_id"),
)

campaigns = Table(
    "campaigns",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("clarification_id", Uuid, ForeignKey("clarifications.id"), nullable=False),
    Column("share_kit", JSON, nullable=False),
    Column("deadline", UtcTimestamp(), nullable=False),
    Column("requested_by", String(200), nullable=False),
    Column("requested_at", UtcTimestamp(), nullable=False),
)

share_tasks = Table(
    "share_tasks",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("campaign_id", Uuid, ForeignKey("campaigns.id"), nullable=False),
    Column("account_id", Uuid, nullable=False),
    Column("segment", String(100), nullable=False),
    Column("segment_id", Uuid, nullable=True),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("post_url", String(2048), nullable=True),
    Column("confirmed_at", UtcTimestamp(), nullable=True),
    Index("ix_share_tasks_campaign_id", "campaign_id"),
)

audit = Table(
    "audit",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("case_id", Uuid, nullable=False),
    Column("at", UtcTimestamp(), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(40), nullable=False),
    Column("detail", JSON, nullable=False),
    Index("ix_audit_case_id_at", "case_id", "at"),
)

rate_buckets = Table(
    "rate_buckets",
    metadata,
    Column("key", String(80), primary_key=True),
    Column("tokens", Float, nullable=False),
    # Unix times (shared by replicas): the last take, and when the bucket is full again.
    Column("updated_at", Float, nullable=False),
    Column("full_at", Float, nullable=False),
    Index("ix_rate_buckets_full_at", "full_at"),
)

overdue_alerts = Table(
    "overdue_alerts",
    metadata,
    Column("case_id", Uuid, primary_key=True),
    Column("due_at", UtcTimestamp(), primary_key=True),
    Column("alerted_at", UtcTimestamp(), nullable=False),
)

registry_accounts = Table(
    "registry_accounts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("state", JSON, nullable=False),
)

registry_people = Table(
    "registry_people",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("state", JSON, nullable=True),
    Column("erased_at", UtcTimestamp(), nullable=True),
)

registry_segments = Table(
    "registry_segments",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("state", JSON, nullable=True),
    Column("deleted_at", UtcTimestamp(), nullable=True),
)
