"""Reads and writes the service layer shares: recipients with their preferences,
suppressions, templates, conflict-free inserts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import Table, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from sinergi_notify.adapters.tables import preferences, recipients, suppressions, templates
from sinergi_notify.domain.model import Channel
from sinergi_notify.domain.preferences import Preferences
from sinergi_notify.domain.quiet_hours import QuietHours, parse_clock
from sinergi_notify.domain.templates import TemplateSource

CONTACT_CHANNELS: tuple[Channel, ...] = ("email", "whatsapp", "telegram", "sms")


@dataclass(frozen=True)
class Recipient:
    id: UUID
    kind: str
    name: str
    language: str
    addresses: dict[Channel, str]
    consents: dict[str, bool]
    erased: bool
    timezone: str | None = None
    """Where the registry says the person lives (IANA)."""
    preferences: Preferences = field(default_factory=Preferences)

    def zone(self, default: str) -> ZoneInfo:
        return self.preferences.zone(self.timezone, default)

    def consents_to(self, purpose: str | None) -> bool:
        return purpose is None or self.consents.get(purpose, False)


def preferences_from_row(row: Any) -> Preferences:
    quiet = None
    if row.quiet_start and row.quiet_end:
        quiet = QuietHours(parse_clock(row.quiet_start), parse_clock(row.quiet_end))
    return Preferences(
        opted_out=frozenset((str(c), str(ch)) for c, ch in row.opted_out),
        ladder=tuple(row.ladder),
        quiet_hours=quiet,
        timezone=row.timezone,
    )


async def load_recipients(session: AsyncSession, ids: Iterable[UUID]) -> dict[UUID, Recipient]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    found: dict[UUID, Recipient] = {}
    prefs: dict[UUID, Any] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for row in (
            await session.execute(select(preferences).where(preferences.c.recipient_id.in_(chunk)))
        ).all():
            prefs[row.recipient_id] = row
        for row in await session.execute(select(recipients).where(recipients.c.id.in_(chunk))):
            addresses: dict[Channel, str] = {
                c: getattr(row, c) for c in CONTACT_CHANNELS if getattr(row, c)
            }
            pref_row = prefs.get(row.id)
            if pref_row is not None and pref_row.webhook_url:
                addresses["webhook"] = pref_row.webhook_url
            found[row.id] = Recipient(
                id=row.id,
                kind=row.kind,
                name=row.name or "",
                language=row.language,
                addresses=addresses,
                consents=dict(row.consents),
                erased=row.erased,
                timezone=row.timezone,
                preferences=preferences_from_row(pref_row) if pref_row else Preferences(),
            )
    return found


async def suppressed_addresses(
    session: AsyncSession, pairs: Iterable[tuple[str, str]]
) -> set[tuple[str, str]]:
    wanted = list(set(pairs))
    found: set[tuple[str, str]] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = await session.execute(
            select(suppressions.c.channel, suppressions.c.address).where(
                tuple_(suppressions.c.channel, suppressions.c.address).in_(chunk)
            )
        )
        found.update((r.channel, r.address) for r in rows)
    return found


def _source(row: Any) -> TemplateSource:
    return TemplateSource(
        id=row.id,
        key=row.key,
        channel=row.channel,
        locale=row.locale,
        version=row.version,
        subject=row.subject,
        body_text=row.body_text,
        body_html=row.body_html,
    )


async def active_templates(
    session: AsyncSession, pairs: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], list[TemplateSource]]:
    """Every active version of each (key, channel), all locales."""
    wanted = list(set(pairs))
    found: dict[tuple[str, str], list[TemplateSource]] = {pair: [] for pair in wanted}
    if not wanted:
        return found
    rows = await session.execute(
        select(templates).where(
            templates.c.active.is_(True),
            tuple_(templates.c.key, templates.c.channel).in_(wanted),
        )
    )
    for row in rows:
        found[(row.key, row.channel)].append(_source(row))
    return found


def template_source(row: Any) -> TemplateSource:
    return _source(row)


def insert_ignoring_conflicts(session: AsyncSession, table: Table, keys: Sequence[str]) -> Any:
    """INSERT … ON CONFLICT (keys) DO NOTHING for the session's dialect."""
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    return insert(table).on_conflict_do_nothing(index_elements=list(keys))
