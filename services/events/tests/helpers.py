"""Scenario helpers: a published meetup with invitees, through the use cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from sinergi_events.domain.events import Event
from sinergi_events.service_layer import invitations, lifecycle
from sinergi_events.service_layer.commands import CreateEvent, InvitePerson
from sinergi_events.service_layer.context import EventsContext
from sinergi_kit.contracts.events import InvitationRole, LocalizedText

from .conftest import person, project
from .factories import PENDOPO, START


@dataclass
class Meetup:
    event: Event
    tokens: list[str]
    invitation_ids: list[UUID]


async def published_meetup(
    ctx: EventsContext, invitees: int, *, role: InvitationRole = "participant", **overrides: Any
) -> Meetup:
    values: dict[str, Any] = {
        "title": LocalizedText(id="Literasi digital", en="Digital literacy"),
        "theme": LocalizedText(id="Cek fakta", en="Fact-checking"),
        "kind": "literacy_session",
        "venue": PENDOPO,
        "starts_at": START,
        "ends_at": START + timedelta(hours=3),
    }
    values.update(overrides)
    event = await lifecycle.create_event(ctx, CreateEvent(**values))
    event = await lifecycle.transition(ctx, event.id, "publish")
    people = [person(f"Peserta {i}") for i in range(invitees)]
    await project(ctx, *people)
    ids = []
    for someone in people:
        invitation = await invitations.invite_person(
            ctx, event.id, InvitePerson(person_id=someone.id, role=role)
        )
        ids.append(invitation.id)
    return Meetup(event, [ctx.signer.rsvp_token(i) for i in ids], ids)
