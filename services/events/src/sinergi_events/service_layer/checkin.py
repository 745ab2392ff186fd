"""The door: scans (live and uploaded later) and walk-ins.

A scan is idempotent by its nonce: the first outcome is stored with the nonce and a repeat
gets that same outcome back without any effect. Offline scans are applied in the order they
were taken, with the time the device recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from sinergi_events.adapters.repository import EventRepository, invitation_from_row
from sinergi_events.adapters.tables import invitations, scans, walk_ins
from sinergi_events.domain import checkin
from sinergi_events.domain.errors import DomainError
from sinergi_events.domain.events import Event
from sinergi_events.service_layer.commands import OfflineScan, Scan, WalkIn
from sinergi_events.service_layer.context import EventsContext
from sinergi_kit.contracts.events import AttendeeCheckedInV1
from sinergi_kit.ids import new_id
from sinergi_kit.uow import UnitOfWork


@dataclass(frozen=True)
class ScanOutcome:
    nonce: str
    accepted: bool
    reason: checkin.RejectReason | None
    direction: checkin.Direction
    invitation_id: UUID | None
    person_id: UUID | None
    scanned_at: datetime
    replayed: bool = False


async def _stored(uow: UnitOfWork, nonce: str) -> ScanOutcome | None:
    row = (await uow.session.execute(select(scans).where(scans.c.nonce == nonce))).first()
    if row is None:
        return None
    person_id = None
    if row.invitation_id is not None:
        person_id = (
            await uow.session.execute(
                select(invitations.c.person_id).where(invitations.c.id == row.invitation_id)
            )
        ).scalar_one_or_none()
    return ScanOutcome(
        nonce=row.nonce,
        accepted=row.accepted,
        reason=row.reason,
        direction=row.direction,
        invitation_id=row.invitation_id,
        person_id=person_id,
        scanned_at=row.scanned_at,
        replayed=True,
    )


async def _apply(
    ctx: EventsContext,
    uow: UnitOfWork,
    event: Event,
    scan: Scan,
    at: datetime,
    *,
    offline: bool,
) -> ScanOutcome:
    if (stored := await _stored(uow, scan.nonce)) is not None:
        return stored
    claim = ctx.signer.read_pass(scan.code)
    invitation = None
    if claim is not None:
        row = (
            await uow.session.execute(
                select(invitations).where(invitations.c.id == claim.invitation_id).with_for_update()
            )
        ).first()
        invitation = invitation_from_row(row) if row else None
    decision = checkin.decide(event, claim, invitation, scan.direction, at)
    await uow.session.execute(
        scans.insert().values(
            nonce=scan.nonce,
            event_id=event.id,
            invitation_id=invitation.id if invitation else None,
            direction=scan.direction,
            scanned_at=at,
            received_at=ctx.clock(),
            accepted=decision.accepted,
            reason=decision.reason,
            device=scan.device,
            offline=offline,
        )
    )
    if decision.accepted:
        assert invitation is not None
        entering = scan.direction == "entry"
        first_entry = entering and invitation.first_entry_at is None
        updated = replace(
            invitation,
            inside=entering,
            first_entry_at=invitation.first_entry_at or (at if entering else None),
        )
        await uow.session.execute(
            invitations.update()
            .where(invitations.c.id == invitation.id)
            .values(inside=updated.inside, first_entry_at=updated.first_entry_at)
        )
        if entering:
            uow.emit(
                AttendeeCheckedInV1(
                    event_id=event.id,
                    attendance_id=invitation.id,
                    person_id=invitation.person_id,
                    walk_in=False,
                    scanned_at=at,
                    first_entry=first_entry,
                )
            )
    return ScanOutcome(
        nonce=scan.nonce,
        accepted=decision.accepted,
        reason=decision.reason,
        direction=scan.direction,
        invitation_id=invitation.id if invitation else None,
        person_id=invitation.person_id if invitation else None,
        scanned_at=at,
    )


async def _event(uow: UnitOfWork, event_id: UUID) -> Event:
    event = await EventRepository(uow.session).get(event_id)
    if event is None:
        raise DomainError("event_not_found")
    return event


async def scan(ctx: EventsContext, event_id: UUID, command: Scan) -> ScanOutcome:
    try:
        async with ctx.uow() as uow:
            event = await _event(uow, event_id)
            return await _apply(ctx, uow, event, command, ctx.clock(), offline=False)
    except IntegrityError:
        # The same nonce arrived twice at once: the first one's outcome stands.
        async with ctx.uow() as uow:
            stored = await _stored(uow, command.nonce)
        if stored is None:
            raise
        return stored


async def upload_offline(
    ctx: EventsContext, event_id: UUID, items: Sequence[OfflineScan]
) -> list[ScanOutcome]:
    """Scans a door device took without a connection, applied in the order taken."""
    outcomes: dict[str, ScanOutcome] = {}
    async with ctx.uow() as uow:
        event = await _event(uow, event_id)
        for item in sorted(items, key=lambda s: s.scanned_at):
            if item.nonce not in outcomes:
                outcomes[item.nonce] = await _apply(
                    ctx, uow, event, item, item.scanned_at, offline=True
                )
    return [outcomes[item.nonce] for item in items]


async def register_walk_in(ctx: EventsContext, event_id: UUID, command: WalkIn) -> UUID:
    """Someone without an invitation let in at the door (during the check-in window)."""
    now = ctx.clock()
    async with ctx.uow() as uow:
        event = await _event(uow, event_id)
        opens, closes = event.checkin_window()
        if event.status not in checkin.OPEN_STATUSES or not opens <= now <= closes:
            raise DomainError("door_closed")
        walk_in_id = new_id()
        await uow.session.execute(
            walk_ins.insert().values(
                id=walk_in_id,
                event_id=event.id,
                person_id=command.person_id,
                name=command.name.strip(),
                organization=command.organization.strip(),
                checked_in_at=now,
            )
        )
        uow.emit(
            AttendeeCheckedInV1(
                event_id=event.id,
                attendance_id=walk_in_id,
                person_id=command.person_id,
                walk_in=True,
                scanned_at=now,
                first_entry=True,
            )
        )
    return walk_in_id
