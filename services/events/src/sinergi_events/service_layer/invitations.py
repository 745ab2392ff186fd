"""Invitation and RSVP use cases: invite a person or a segment, revoke, answer through the
link, passes. Answers lock the event row, so two acceptances for the last seat queue and
the second one is waitlisted."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from sqlalchemy import select

from sinergi_events.adapters.repository import (
    EventRepository,
    InvitationRepository,
    contact_of,
)
from sinergi_events.adapters.tables import people, segment_sends
from sinergi_events.domain import invitations as rules
from sinergi_events.domain.calendar import attendee_address, invitation_calendar
from sinergi_events.domain.errors import DomainError
from sinergi_events.domain.events import Event
from sinergi_events.domain.invitations import Invitation, frees_seat
from sinergi_events.service_layer.audience import segment_members, segment_state
from sinergi_events.service_layer.commands import InvitePerson, InviteSegment
from sinergi_events.service_layer.context import EventsContext
from sinergi_events.service_layer.seats import offer_free_seats, seat_book
from sinergi_kit.contracts.events import (
    InvitationIssuedV1,
    InvitationRevokedV1,
    InvitationRole,
    RsvpRecordedV1,
    RsvpResponse,
)
from sinergi_kit.ids import new_id
from sinergi_kit.uow import UnitOfWork

INVITING = frozenset({"published"})


@dataclass(frozen=True)
class SegmentInvitations:
    segment_id: UUID
    members: int
    invited: int
    already_invited: int


async def _event_for_invitations(uow: UnitOfWork, event_id: UUID) -> Event:
    event = await EventRepository(uow.session).get(event_id, lock=True)
    if event is None:
        raise DomainError("event_not_found")
    if event.status not in INVITING:
        raise DomainError("event_not_open", status=event.status)
    return event


def _issued(ctx: EventsContext, event: Event, invitation: Invitation) -> InvitationIssuedV1:
    return InvitationIssuedV1(
        invitation=ctx.snapshot(invitation), event=event.snapshot(), expires_at=event.starts_at
    )


async def invite_person(ctx: EventsContext, event_id: UUID, command: InvitePerson) -> Invitation:
    """One invitation per person per event; inviting a revoked invitee again reissues it."""
    now = ctx.clock()
    async with ctx.uow() as uow:
        event = await _event_for_invitations(uow, event_id)
        known = (
            await uow.session.execute(
                select(people.c.id).where(
                    people.c.id == command.person_id, people.c.erased_at.is_(None)
                )
            )
        ).first()
        if known is None:
            raise DomainError("person_not_found")
        repository = InvitationRepository(uow.session)
        existing = await repository.for_person(event.id, command.person_id)
        if existing is not None and existing.revoked_at is None:
            raise DomainError("already_invited")
        if existing is not None:
            invitation = replace(
                existing,
                role=command.role,
                response="pending",
                responded_at=None,
                revoked_at=None,
                pass_version=existing.pass_version + 1,
                pass_revoked=False,
                version=existing.version + 1,
            )
            await repository.save(invitation)
        else:
            invitation = Invitation(
                id=new_id(),
                event_id=event.id,
                person_id=command.person_id,
                role=command.role,
                created_at=now,
            )
            await repository.add_many([invitation])
        uow.emit(_issued(ctx, event, invitation))
    return invitation


async def invite_segment(
    ctx: EventsContext, event_id: UUID, command: InviteSegment
) -> SegmentInvitations:
    """Invite the segment's members as of now (the membership is taken once, here); people
    already invited are left as they are."""
    now = ctx.clock()
    async with ctx.uow() as uow:
        event = await _event_for_invitations(uow, event_id)
        segment = await segment_state(uow.session, command.segment_id)
        members = await segment_members(uow.session, segment)
        repository = InvitationRepository(uow.session)
        already = await repository.invited_people(event.id)
        fresh = [
            _new_invitation(event, person_id, command.role, segment.id, now)
            for person_id in members
            if person_id not in already
        ]
        await repository.add_many(fresh)
        await uow.session.execute(
            segment_sends.insert().values(
                id=new_id(),
                event_id=event.id,
                segment_id=segment.id,
                segment_name=segment.name,
                segment_version=segment.version,
                role=command.role,
                members=len(members),
                invited=len(fresh),
                sent_at=now,
            )
        )
        snapshot = event.snapshot()
        for invitation in fresh:
            uow.emit(
                InvitationIssuedV1(
                    invitation=ctx.snapshot(invitation),
                    event=snapshot,
                    expires_at=event.starts_at,
                )
            )
    return SegmentInvitations(segment.id, len(members), len(fresh), len(members) - len(fresh))


def _new_invitation(
    event: Event, person_id: UUID, role: InvitationRole, segment_id: UUID, now: datetime
) -> Invitation:
    return Invitation(
        id=new_id(),
        event_id=event.id,
        person_id=person_id,
        role=role,
        segment_id=segment_id,
        created_at=now,
    )


async def _invitation_and_event(
    uow: UnitOfWork, invitation_id: UUID, *, lock: bool
) -> tuple[Invitation, Event]:
    repository = InvitationRepository(uow.session)
    found = await repository.get(invitation_id)
    if found is None:
        raise DomainError("invitation_not_found")
    event = await EventRepository(uow.session).get(found.event_id, lock=lock)
    assert event is not None
    # Read again once the event is locked: a concurrent answer may have committed meanwhile.
    invitation = await repository.get(invitation_id) if lock else found
    assert invitation is not None
    return invitation, event


async def revoke_invitation(ctx: EventsContext, event_id: UUID, invitation_id: UUID) -> Invitation:
    now = ctx.clock()
    async with ctx.uow() as uow:
        before, event = await _invitation_and_event(uow, invitation_id, lock=True)
        if before.event_id != event_id:
            raise DomainError("invitation_not_found")
        invitation = rules.revoke(before, now)
        await InvitationRepository(uow.session).save(invitation)
        if before.person_id is not None:
            uow.emit(
                InvitationRevokedV1(invitation=ctx.snapshot(invitation), event=event.snapshot())
            )
        if frees_seat(event, before, invitation):
            await offer_free_seats(ctx.signer, uow, event, now)
    return invitation


def invitation_id_from_token(ctx: EventsContext, token: str) -> UUID:
    invitation_id = ctx.signer.read_rsvp_token(token)
    if invitation_id is None:
        raise DomainError("unknown_token")
    return invitation_id


async def _linked(ctx: EventsContext, token: str) -> tuple[Invitation, Event]:
    """The invitation behind a link and its event, until the event has ended."""
    invitation_id = invitation_id_from_token(ctx, token)
    async with ctx.db.read() as session:
        invitation = await InvitationRepository(session).get(invitation_id)
        if invitation is None:
            raise DomainError("unknown_token")
        event = await EventRepository(session).get(invitation.event_id)
    assert event is not None
    if ctx.clock() >= event.ends_at:
        raise DomainError("link_expired")
    return invitation, event


async def read_invitation(ctx: EventsContext, token: str) -> tuple[Invitation, Event]:
    """What the RSVP link shows. A link of a revoked or erased invitation, or of an event
    that has ended, has expired."""
    invitation, event = await _linked(ctx, token)
    if not invitation.active:
        raise DomainError("invitation_revoked")
    return invitation, event


async def answer(ctx: EventsContext, token: str, response: RsvpResponse) -> Invitation:
    now = ctx.clock()
    invitation_id = invitation_id_from_token(ctx, token)
    async with ctx.uow() as uow:
        try:
            before, event = await _invitation_and_event(uow, invitation_id, lock=True)
        except DomainError as exc:
            raise DomainError("unknown_token") from exc
        repository = InvitationRepository(uow.session)
        invitation = rules.respond(event, before, response, now, await seat_book(repository, event))
        await repository.save(invitation)
        snapshot = event.snapshot()
        name, email = await contact_of(uow.session, invitation.person_id)
        uow.emit(
            RsvpRecordedV1(
                invitation=ctx.snapshot(invitation),
                event=snapshot,
                previous_response=before.response,
                previous_seat=before.seat,
                ics=invitation_calendar(
                    snapshot,
                    attendee=attendee_address(str(invitation.person_id), email),
                    attendee_name=name,
                    role=invitation.role,
                    response=invitation.response,
                    now=now,
                    url=ctx.event_url(event),
                ),
            )
        )
        if frees_seat(event, before, invitation):
            await offer_free_seats(ctx.signer, uow, event, now)
    return invitation


async def personal_calendar(ctx: EventsContext, token: str) -> str:
    """The invitee's calendar file; once the invitation is withdrawn, the CANCEL that takes
    the entry out of their calendar (an erased invitation has nobody left to address)."""
    invitation, event = await _linked(ctx, token)
    if invitation.erased:
        raise DomainError("invitation_revoked")
    async with ctx.db.read() as session:
        name, email = await contact_of(session, invitation.person_id)
    return invitation_calendar(
        event.snapshot(),
        attendee=attendee_address(str(invitation.person_id), email),
        attendee_name=name,
        role=invitation.role,
        response=invitation.response,
        now=ctx.clock(),
        url=ctx.event_url(event),
        withdrawn=invitation.revoked_at is not None,
    )


async def pass_code(ctx: EventsContext, token: str) -> tuple[str, Invitation, Event]:
    """The QR pass of an accepted invitation with a seat."""
    invitation, event = await read_invitation(ctx, token)
    if invitation.response != "accepted" or not invitation.has_seat:
        raise DomainError("no_pass")
    if invitation.pass_revoked:
        raise DomainError("pass_revoked")
    return ctx.signer.pass_code(invitation.id, invitation.pass_version), invitation, event


async def change_pass(
    ctx: EventsContext, event_id: UUID, invitation_id: UUID, *, revoke: bool
) -> Invitation:
    """Rotate (a new pass, the old ones stop working) or revoke an invitee's pass."""
    async with ctx.uow() as uow:
        before, _ = await _invitation_and_event(uow, invitation_id, lock=False)
        if before.event_id != event_id:
            raise DomainError("invitation_not_found")
        invitation = rules.revoke_pass(before) if revoke else rules.rotate_pass(before)
        await InvitationRepository(uow.session).save(invitation)
    return invitation
