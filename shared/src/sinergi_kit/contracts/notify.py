"""Events the notify service publishes about the delivery of its notifications.

A notification is one message for one (source event, recipient, channel). Its events carry
no address and no message text: a consumer learns what happened to whom, by id, and the
recipient's personal data stays in notify (and is purged there on erasure).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from sinergi_kit.contracts.base import EventContract

Channel = Literal["email", "webhook", "telegram", "whatsapp", "sms"]
Category = Literal[
    "invitation", "event_change", "reminder", "dissemination", "factcheck_result", "account"
]
DeliveryState = Literal["sent", "delivered", "read", "failed", "dead"]


class NotificationDelivery(BaseModel):
    """A notification as notify knows it when one of its delivery events is published."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: UUID
    version: int = Field(
        ge=1, description="Increases with every published change; consumers keep the highest."
    )
    source_event_id: UUID = Field(description="The domain event that caused the notification")
    source_type: str = Field(description="Its type, e.g. sinergi.events.invitation.issued.v1")
    recipient_id: UUID = Field(description="A registry person, or a fact-check report's id")
    event_id: UUID | None = Field(
        default=None, description="The events-service event the notification is about"
    )
    channel: Channel
    category: Category
    template_key: str
    state: DeliveryState
    reason: str | None = Field(default=None, examples=["exhausted", "permanent", "provider_failed"])
    attempts: int = Field(ge=0, description="Attempts on this channel in this generation")
    generation: int = Field(ge=0, description="Increases with every operator resend")
    status: int | None = Field(
        default=None, description="The provider's status of the last attempt (HTTP or SMTP)"
    )
    provider_id: str | None = Field(default=None, description="The provider's message id")
    escalated_from: UUID | None = Field(
        default=None, description="The notification on the previous channel of the ladder"
    )
    at: datetime


class NotificationEvent(EventContract):
    notification: NotificationDelivery

    def subject_id(self) -> str:
        return str(self.notification.id)


class NotificationSentV1(NotificationEvent):
    event_type: ClassVar[str] = "sinergi.notify.notification.sent.v1"
    summary: ClassVar[str] = "A provider accepted a notification (SMTP server, chat or SMS API)."


class NotificationDeliveredV1(NotificationEvent):
    event_type: ClassVar[str] = "sinergi.notify.notification.delivered.v1"
    summary: ClassVar[str] = "A provider reported a notification delivered to the recipient."


class NotificationReadV1(NotificationEvent):
    event_type: ClassVar[str] = "sinergi.notify.notification.read.v1"
    summary: ClassVar[str] = "A provider reported a notification read by the recipient."


class NotificationFailedV1(NotificationEvent):
    event_type: ClassVar[str] = "sinergi.notify.notification.failed.v1"
    summary: ClassVar[str] = (
        "A notification failed for good on its channel; the next channel of the recipient's "
        "ladder takes over."
    )

    next_channel: Channel


class NotificationDeadV1(NotificationEvent):
    event_type: ClassVar[str] = "sinergi.notify.notification.dead.v1"
    summary: ClassVar[str] = (
        "A notification ran out of retries and channels; it waits in the dead-letter view "
        "for an operator's resend."
    )
