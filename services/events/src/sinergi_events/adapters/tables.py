"""The events service's database schema (SQLAlchemy Core)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Integer, String, Table, Uuid

from sinergi_kit.db import make_metadata
from sinergi_kit.messaging.tables import messaging_tables

metadata = make_metadata()
messaging = messaging_tables(metadata)

# The local projection of registry accounts (never read from the registry's database).
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
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
