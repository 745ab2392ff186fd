"""Reading one account by id as fast as the backend allows: the hottest path of the API.

On SQLite a primary-key lookup takes tens of microseconds, less than handing the query to
aiosqlite's thread and back; so it runs on a read-only stdlib connection in the event loop
(WAL lets it read while a writer writes). If the database is busy it falls back to the async
session. PostgreSQL always takes the async session."""

from __future__ import annotations

import sqlite3
from uuid import UUID

from sqlalchemy.engine.url import make_url

from sinergi_kit.db import Database
from sinergi_registry.adapters.repository import AccountRepository

_QUERY = "SELECT state, version FROM accounts WHERE id = ?"


class AccountReader:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._sqlite: sqlite3.Connection | None = None

    def _connection(self) -> sqlite3.Connection | None:
        if not self.db.is_sqlite:
            return None
        if self._sqlite is None:
            path = make_url(self.db.url).database
            if not path or path == ":memory:":
                return None
            self._sqlite = sqlite3.connect(
                f"file:{path}?mode=ro", uri=True, check_same_thread=False, isolation_level=None
            )
        return self._sqlite

    async def get_raw(self, account_id: UUID) -> tuple[str, int] | None:
        """The stored JSON state and its version."""
        connection = self._connection()
        if connection is not None:
            try:
                # SQLAlchemy's Uuid type stores 32 hex digits on SQLite
                row = connection.execute(_QUERY, (account_id.hex,)).fetchone()
            except sqlite3.OperationalError:
                pass
            else:
                return (row[0], row[1]) if row else None
        async with self.db.read() as session:
            return await AccountRepository(session).get_raw(account_id)

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
