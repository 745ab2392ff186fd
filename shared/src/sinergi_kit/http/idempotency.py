"""``Idempotency-Key`` for creating POSTs: the first response is stored with the key in the
same transaction as the creation, and a retry with the same key and body gets it again
instead of creating a second resource. The same key with another body is refused."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, select
from sqlalchemy.ext.asyncio import AsyncSession

from sinergi_kit.clock import utcnow
from sinergi_kit.http.problems import ProblemError
from sinergi_kit.i18n import register_messages

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200

register_messages(
    {
        "http.idempotency_key_invalid": {
            "id": "Idempotency-Key harus 1–200 karakter.",
            "en": "The Idempotency-Key must be 1–200 characters.",
        },
        "http.idempotency_key_reused": {
            "id": "Idempotency-Key ini sudah dipakai untuk permintaan lain.",
            "en": "This Idempotency-Key was already used for a different request.",
        },
    }
)


def idempotency_table(metadata: MetaData) -> Table:
    return Table(
        "idempotency_keys",
        metadata,
        Column("scope", String(200), primary_key=True),
        Column("key", String(MAX_KEY_LENGTH), primary_key=True),
        Column("fingerprint", String(64), nullable=False),
        Column("status", Integer, nullable=False),
        Column("body", Text, nullable=False),
        Column("location", String(500), nullable=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )


def create_idempotency_table_v1() -> None:
    """Migration step (inside an Alembic ``upgrade``)."""
    import sqlalchemy as sa
    from alembic import op

    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.String(200), nullable=False),
        sa.Column("key", sa.String(MAX_KEY_LENGTH), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("location", sa.String(500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name="pk_idempotency_keys"),
    )


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: str
    location: str | None


@dataclass(frozen=True)
class IdempotentRequest:
    scope: str
    key: str
    fingerprint: str

    async def recall(self, session: AsyncSession, table: Table) -> StoredResponse | None:
        row = (
            await session.execute(
                select(table.c.fingerprint, table.c.status, table.c.body, table.c.location).where(
                    table.c.scope == self.scope, table.c.key == self.key
                )
            )
        ).first()
        if row is None:
            return None
        if row.fingerprint != self.fingerprint:
            raise ProblemError(
                422, "idempotency_key_reused", detail_key="http.idempotency_key_reused"
            )
        return StoredResponse(row.status, row.body, row.location)

    async def remember(
        self,
        session: AsyncSession,
        table: Table,
        *,
        status: int,
        body: str,
        location: str | None = None,
    ) -> None:
        await session.execute(
            table.insert().values(
                scope=self.scope,
                key=self.key,
                fingerprint=self.fingerprint,
                status=status,
                body=body,
                location=location,
                created_at=utcnow(),
            )
        )


async def _idempotent_request(request: Request) -> IdempotentRequest | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ProblemError(
            400, "idempotency_key_invalid", detail_key="http.idempotency_key_invalid"
        )
    return IdempotentRequest(
        scope=f"{request.method} {request.url.path}"[:200],
        key=key,
        fingerprint=hashlib.sha256(await request.body()).hexdigest(),
    )


Idempotency = Annotated[IdempotentRequest | None, Depends(_idempotent_request)]
"""The request's ``Idempotency-Key`` with a fingerprint of its body, if sent."""
