"""The notify service's database schema (SQLAlchemy Core)."""

from sinergi_kit.db import make_metadata
from sinergi_kit.messaging.tables import messaging_tables

metadata = make_metadata()
messaging = messaging_tables(metadata)
