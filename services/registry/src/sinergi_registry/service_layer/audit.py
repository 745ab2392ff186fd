"""Reading the audit log: who changed what, and when."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sinergi_kit.clock import as_utc
from sinergi_registry.adapters.tables import audit_log


class AuditEntry(BaseModel):
    at: datetime
    actor: str
    action: str
    resource_type: str
    resource_id: str
    fields: list[str]


async def entries_for(
    session: AsyncSession,
    resource_type: str | None,
    resource_id: UUID | str | None,
    limit: int = 500,
) -> list[AuditEntry]:
    statement = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if resource_type:
        statement = statement.where(audit_log.c.resource_type == resource_type)
    if resource_id:
        statement = statement.where(audit_log.c.resource_id == str(resource_id))
    rows = (await session.execute(statement)).all()
    return [
        AuditEntry(
            at=as_utc(r.at),
            actor=r.actor,
            action=r.action,
            resource_type=r.resource_type,
            resource_id=r.resource_id,
            fields=list(r.fields),
        )
        for r in rows
    ]
