"""What every use case of the events service needs: the unit of work, the signer of links
and passes, the public base URL and a clock (replaceable in tests)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sinergi_events.domain.events import Event
from sinergi_events.domain.invitations import Invitation
from sinergi_events.domain.tokens import Signer
from sinergi_events.settings import EventsSettings
from sinergi_kit.batching import Batcher
from sinergi_kit.clock import utcnow
from sinergi_kit.contracts.events import InvitationSnapshot
from sinergi_kit.db import Database
from sinergi_kit.runtime import ServiceRuntime
from sinergi_kit.uow import ThrottledWake, UnitOfWorkFactory

DOOR_RELAY_WAKE_INTERVAL_S = 0.05


@dataclass
class EventsContext:
    uow: UnitOfWorkFactory
    signer: Signer
    public_base_url: str = ""
    clock: Callable[[], datetime] = field(default=utcnow)
    reminder_batch_size: int = 5_000
    door: Batcher[Any, Any] = field(default_factory=lambda: Batcher(name="events-door"))
    """Group commit of live scans (see ``checkin.scan``)."""
    door_uow: UnitOfWorkFactory | None = None
    """The units of work of the door's batches, when they wake the outbox relay differently
    from ``uow``: at the door a batch commits every few milliseconds, and one round of the
    relay can publish the check-ins of several (see ``ThrottledWake``)."""

    @property
    def db(self) -> Database:
        return self.uow.db

    @classmethod
    def of(cls, runtime: ServiceRuntime) -> EventsContext:
        settings = runtime.settings
        assert isinstance(settings, EventsSettings)
        return cls(
            uow=runtime.uow,
            door_uow=UnitOfWorkFactory(
                runtime.db,
                runtime.uow.tables,
                ThrottledWake(runtime.wake_relay, DOOR_RELAY_WAKE_INTERVAL_S),
            )
            if runtime.relay is not None
            else None,
            signer=signer_of(settings),
            public_base_url=settings.public_base_url.rstrip("/"),
            reminder_batch_size=settings.reminder_batch_size,
        )

    @property
    def door_units(self) -> UnitOfWorkFactory:
        return self.door_uow or self.uow

    def rsvp_path(self, invitation: Invitation) -> str:
        return rsvp_path(self.signer, invitation)

    def snapshot(self, invitation: Invitation) -> InvitationSnapshot:
        return invitation_snapshot(self.signer, invitation)

    def event_url(self, event: Event) -> str | None:
        return f"{self.public_base_url}/events/{event.id}" if self.public_base_url else None


def signer_of(settings: EventsSettings) -> Signer:
    keys, current = settings.resolved_signing_keys()
    return Signer(keys, current)


def rsvp_path(signer: Signer, invitation: Invitation) -> str:
    return f"/rsvp/{signer.rsvp_token(invitation.id)}"


def invitation_snapshot(signer: Signer, invitation: Invitation) -> InvitationSnapshot:
    return invitation.snapshot(rsvp_path(signer, invitation))
