"""Request and response bodies of the HTTP API."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from sinergi_kit.clock import UtcDateTime
from sinergi_notify.domain.model import Category, Channel, State


class AttemptView(BaseModel):
    number: int
    generation: int
    channel: str
    started_at: UtcDateTime
    finished_at: UtcDateTime | None
    outcome: str | None
    status: int | None
    detail: str | None


class NotificationView(BaseModel):
    id: UUID
    source_event_id: UUID
    source_type: str
    recipient_id: UUID
    channel: Channel
    category: Category
    template_key: str
    urgent: bool
    state: State
    reason: str | None
    attempts: int
    generation: int
    next_attempt_at: UtcDateTime
    expires_at: UtcDateTime | None
    bundled_into: UUID | None
    escalated_from: UUID | None
    provider_id: str | None
    last_error: str | None
    created_at: UtcDateTime
    updated_at: UtcDateTime
    sent_at: UtcDateTime | None


class NotificationDetail(NotificationView):
    attempt_log: list[AttemptView]


class NotificationPage(BaseModel):
    items: list[NotificationView]
    next_cursor: str | None


class DeliverySummary(BaseModel):
    total: int
    by_state: dict[str, int]


class ResendRequest(BaseModel):
    ids: list[UUID] | None = Field(
        default=None, max_length=1_000, description="Dead notifications to resend; none: all"
    )


class ResendResult(BaseModel):
    resent: list[UUID]


class PreferencesBody(BaseModel):
    opted_out: list[tuple[Category | str, Channel | str]] = Field(
        default_factory=list, description="[category or *, channel or *] pairs"
    )
    ladder: list[Channel] = Field(default_factory=list, description="Empty: the default")
    quiet_start: str | None = Field(default=None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    quiet_end: str | None = Field(default=None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    timezone: str | None = Field(default=None, examples=["Asia/Jakarta"])
    webhook_url: str | None = Field(default=None, pattern=r"^https?://", max_length=500)


class RecipientView(BaseModel):
    id: UUID
    kind: str
    name: str | None
    language: str
    channels: list[str]
    erased: bool
    preferences: PreferencesBody


class SuppressionView(BaseModel):
    channel: str
    address: str
    reason: str
    created_at: UtcDateTime


class TemplateBody(BaseModel):
    key: str = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$")
    channel: Channel
    locale: str = Field(pattern=r"^(id|en)$")
    subject: str = Field(max_length=1_000)
    body_text: str = Field(min_length=1, max_length=50_000)
    body_html: str | None = Field(default=None, max_length=100_000)


class TemplateView(TemplateBody):
    id: UUID
    version: int
    origin: str
    active: bool
    created_by: str
    created_at: UtcDateTime


class PreviewRequest(BaseModel):
    key: str = Field(min_length=1, max_length=60)
    channel: Channel = "email"
    locale: str = Field(default="id", pattern=r"^(id|en)$")
    subject: str | None = Field(default=None, description="Preview an unsaved draft instead")
    body_text: str | None = None
    body_html: str | None = None
    context: dict[str, Any] | None = Field(default=None, description="None: sample data")
    timezone: str = "Asia/Jakarta"


class PreviewView(BaseModel):
    template_id: UUID | None
    version: int | None
    locale: str
    subject: str
    text: str
    html: str
