"""The registry's database schema (SQLAlchemy Core)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Integer, String, Table, UniqueConstraint, Uuid

from sinergi_kit.db import make_metadata
from sinergi_kit.messaging.tables import messaging_tables

metadata = make_metadata()
messaging = messaging_tables(metadata)

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
    Column("organization_id", Uuid, nullable=True),
    Column("category", String(20), nullable=False),
    Column("district", String(100), nullable=True),
    Column("tags", JSON, nullable=False),
    Column("verification_status", String(20), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("platform", "handle"),
)
