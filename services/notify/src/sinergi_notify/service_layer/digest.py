"""Bundle the held dissemination requests of each recipient into one digest at their hour."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, select, update

from sinergi_kit.clock import as_utc
from sinergi_kit.db import Database
from sinergi_kit.ids import new_id
from sinergi_notify.adapters.repository import insert_ignoring_conflicts
from sinergi_notify.adapters.tables import notifications
from sinergi_notify.domain.digest import digest_source_id
from sinergi_notify.settings import NotifySettings

DIGEST_SOURCE_TYPE = "sinergi.notify.digest"


async def assemble_digests(db: Database, settings: NotifySettings, now: datetime) -> int:
    """Returns how many digests were made. Safe to run on every replica at once."""
    n = notifications.c
    query = (
        select(notifications)
        .where(n.state == "held", n.next_attempt_at <= now)
        .order_by(n.recipient_id, n.created_at)
    )
    async with db.sessions() as session, session.begin():
        if not db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        rows = [dict(r._mapping) for r in (await session.execute(query)).all()]
        if not rows:
            return 0
        groups: dict[tuple[UUID, str, datetime], list[dict[str, Any]]] = {}
        expired: list[dict[str, Any]] = []
        for row in rows:
            if row["expires_at"] is not None and as_utc(row["expires_at"]) <= now:
                expired.append({"b_id": row["id"]})
                continue
            key = (row["recipient_id"], row["channel"], as_utc(row["digest_at"]))
            groups.setdefault(key, []).append(row)
        if expired:
            await session.execute(
                update(notifications)
                .where(n.id == bindparam("b_id"))
                .values(state="skipped", reason="expired", updated_at=now),
                expired,
            )
        for (recipient_id, channel, due_at), items in groups.items():
            digest_id = new_id()
            expiries = [as_utc(i["expires_at"]) for i in items if i["expires_at"] is not None]
            await session.execute(
                insert_ignoring_conflicts(
                    session, notifications, ("source_event_id", "recipient_id", "channel")
                ),
                [
                    {
                        **items[0],
                        "id": digest_id,
                        "source_event_id": digest_source_id(recipient_id, channel, due_at),
                        "source_type": DIGEST_SOURCE_TYPE,
                        "template_key": "digest",
                        "group_key": None,
                        "group_version": None,
                        "context": {"items": [i["context"] for i in items]},
                        "ics": None,
                        "ics_method": None,
                        "state": "pending",
                        "version": 0,
                        "next_attempt_at": now,
                        "expires_at": max(expiries) if len(expiries) == len(items) else None,
                        "digest_at": due_at,
                        "created_at": now,
                        "updated_at": now,
                    }
                ],
            )
            await session.execute(
                update(notifications)
                .where(n.id == bindparam("b_id"))
                .values(state="bundled", bundled_into=digest_id, updated_at=now),
                [{"b_id": i["id"]} for i in items],
            )
        return len(groups)
