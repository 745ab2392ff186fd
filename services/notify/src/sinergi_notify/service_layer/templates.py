"""Template use cases: seed the shipped defaults, add versions, switch versions off."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, update

from sinergi_kit.db import Database
from sinergi_kit.ids import new_id
from sinergi_notify.adapters.rendering import default_templates
from sinergi_notify.adapters.repository import insert_ignoring_conflicts
from sinergi_notify.adapters.tables import templates

TEMPLATE_KEY = ("key", "channel", "locale", "version")


async def seed_defaults(db: Database, now: datetime) -> int:
    """Insert version 1 of every shipped template that has no version yet. Idempotent."""
    async with db.sessions() as session, session.begin():
        existing = {
            (r.key, r.channel, r.locale)
            for r in (
                await session.execute(
                    select(templates.c.key, templates.c.channel, templates.c.locale).distinct()
                )
            )
        }
        rows = [
            {
                "id": source.id,
                "key": source.key,
                "channel": source.channel,
                "locale": source.locale,
                "version": source.version,
                "subject": source.subject,
                "body_text": source.body_text,
                "body_html": source.body_html,
                "origin": "default",
                "active": True,
                "created_by": "seed",
                "created_at": now,
            }
            for source in default_templates()
            if (source.key, source.channel, source.locale) not in existing
        ]
        if rows:
            await session.execute(insert_ignoring_conflicts(session, templates, TEMPLATE_KEY), rows)
    return len(rows)


async def add_version(
    db: Database,
    *,
    key: str,
    channel: str,
    locale: str,
    subject: str,
    body_text: str,
    body_html: str | None,
    author: str,
    now: datetime,
) -> dict[str, Any]:
    """A new, active version; earlier versions stay for history and can be reactivated."""
    async with db.sessions() as session, session.begin():
        latest = (
            await session.execute(
                select(func.max(templates.c.version)).where(
                    templates.c.key == key,
                    templates.c.channel == channel,
                    templates.c.locale == locale,
                )
            )
        ).scalar_one_or_none()
        row = {
            "id": new_id(),
            "key": key,
            "channel": channel,
            "locale": locale,
            "version": (latest or 0) + 1,
            "subject": subject,
            "body_text": body_text,
            "body_html": body_html,
            "origin": "custom",
            "active": True,
            "created_by": author,
            "created_at": now,
        }
        await session.execute(templates.insert(), [row])
    return row


async def set_active(db: Database, template_id: UUID, active: bool) -> dict[str, Any] | None:
    async with db.sessions() as session, session.begin():
        await session.execute(
            update(templates).where(templates.c.id == template_id).values(active=active)
        )
        row = (
            await session.execute(select(templates).where(templates.c.id == template_id))
        ).first()
    return dict(row._mapping) if row else None
