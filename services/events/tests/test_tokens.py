"""RSVP links: bad, tampered, revoked and expired tokens; answers until the deadline."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sinergi_events.domain.errors import DomainError
from sinergi_events.domain.tokens import Signer
from sinergi_events.service_layer import invitations
from sinergi_events.service_layer.context import EventsContext
from sinergi_kit.ids import new_id

from .conftest import Clock
from .factories import START
from .helpers import published_meetup


async def code_of(call: object) -> str:
    with pytest.raises(DomainError) as error:
        await call  # type: ignore[misc]
    return error.value.code


async def test_bad_and_forged_tokens_are_unknown(ctx: EventsContext) -> None:
    meetup = await published_meetup(ctx, 1)
    token = meetup.tokens[0]
    forged = Signer({"k1": "kunci-orang-lain"}, "k1").rsvp_token(meetup.invitation_ids[0])
    tampered = token[:-1] + ("B" if token[-1] != "B" else "C")
    for bad in ("", "abc", tampered, forged, ctx.signer.rsvp_token(new_id())):
        assert await code_of(invitations.answer(ctx, bad, "accepted")) == "unknown_token"
        assert await code_of(invitations.read_invitation(ctx, bad)) == "unknown_token"


async def test_answers_change_until_the_deadline_then_the_link_expires(
    ctx: EventsContext, clock: Clock
) -> None:
    meetup = await published_meetup(ctx, 2, rsvp_deadline=START - timedelta(days=2))
    token, other = meetup.tokens
    assert (await invitations.answer(ctx, token, "tentative")).response == "tentative"
    assert (await invitations.answer(ctx, token, "accepted")).response == "accepted"
    clock.now = START - timedelta(days=2)
    assert await code_of(invitations.answer(ctx, token, "declined")) == "rsvp_closed"
    invitation, _ = await invitations.read_invitation(ctx, token)
    assert invitation.response == "accepted", "a refused change leaves the answer"
    clock.now = START + timedelta(hours=3)
    assert await code_of(invitations.read_invitation(ctx, token)) == "link_expired"
    await invitations.revoke_invitation(ctx, meetup.event.id, meetup.invitation_ids[1])
    clock.now = START - timedelta(days=3)
    assert await code_of(invitations.read_invitation(ctx, other)) == "invitation_revoked"
    assert await code_of(invitations.answer(ctx, other, "accepted")) == "invitation_revoked"
