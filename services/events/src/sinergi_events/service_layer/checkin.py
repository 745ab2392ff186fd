"""The door: scans (live and uploaded later) and walk-ins.

A scan is idempotent by its nonce: the first outcome is stored with the nonce and a repeat
gets that same outcome back without any effect. Live scans from many door devices are
applied in small batches (group commit, see the kit's ``batching``), each scan deciding on the state
the scans before it left; offline scans are applied in the order they were taken, with the
time the device recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from sinergi_events.adapters.repository import event_from_row
from sinergi_events.adapters.tables import events, invitations, scans, walk_ins
from sinergi_events.domain import checkin
from sinergi_events.domain.errors import DomainError
from sinergi_events.domain.events import checkin_window
from sinergi_events.service_layer.commands import OfflineScan, Scan, WalkIn
from sinergi_events.service_layer.context import EventsContext
from sinergi_kit.clock import as_utc
from sinergi_kit.contracts.events import AttendeeCheckedInV1
from sinergi_kit.db import one_of
from sinergi_kit.driver import ROW_READ_AS, DriverInsert, DriverQuery, DriverUpdate, row_read_as
from sinergi_kit.driver_connection import ChangedSinceReadError, DriverConnection
from sinergi_kit.ids import new_id
from sinergi_kit.logging import get_logger
from sinergi_kit.tracing import current_traceparent
from sinergi_kit.uow import DriverUnitOfWork

log = get_logger(__name__)


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


@dataclass(frozen=True)
class ScanRequest:
    event_id: UUID
    scan: Scan
    at: datetime
    offline: bool
    trace_parent: str | None = None
    """The trace of the request that brought the scan: a batch runs in the task of the
    request that started it."""


@dataclass(slots=True)
class _DoorEvent:
    id: UUID
    status: str
    opens: datetime
    closes: datetime

    def checkin_window(self) -> tuple[datetime, datetime]:
        return self.opens, self.closes


@dataclass(slots=True)
class _Holder:
    """The columns of an invitation the door reads and writes; changed in place as the
    scans of a batch go through."""

    id: UUID
    event_id: UUID
    person_id: UUID | None
    active: bool
    pass_version: int
    pass_revoked: bool
    response: str
    has_seat: bool
    inside: bool
    first_entry_at: datetime | None
    read_as: int


_DOOR_EVENT_COLUMNS = (
    events.c.status,
    events.c.starts_at,
    events.c.ends_at,
    events.c.details["checkin_opens_before_s"].as_float().label("opens_before_s"),
)


def _holders(backend: str, *, locked: bool) -> Select[Any]:
    """Each invitation comes with its event's door columns: when every pass in a batch is
    for the event scanned (the usual case), the batch needs no read of the event of its own."""
    query = (
        select(
            invitations.c.id,
            invitations.c.event_id,
            invitations.c.person_id,
            invitations.c.revoked_at,
            invitations.c.erased,
            invitations.c.pass_version,
            invitations.c.pass_revoked,
            invitations.c.response,
            invitations.c.seat,
            invitations.c.inside,
            invitations.c.first_entry_at,
            row_read_as(invitations, backend),
            *_DOOR_EVENT_COLUMNS,
        )
        .join_from(invitations, events, events.c.id == invitations.c.event_id)
        .where(one_of(invitations.c.id, "ids", backend))
    )
    return query.with_for_update(of=invitations) if locked else query


# The door's statements run at the driver (see the kit's ``driver``), each read built once
# for each backend with its list as a single parameter (see the kit's ``one_of``).
_STORED_SCANS = DriverQuery(lambda b: select(scans).where(one_of(scans.c.nonce, "nonces", b)))
_DOOR_EVENTS = DriverQuery(
    lambda b: select(events.c.id, *_DOOR_EVENT_COLUMNS).where(one_of(events.c.id, "ids", b))
)
_LOCKED_HOLDERS = DriverQuery(lambda b: _holders(b, locked=True))
_HOLDERS_AS_THEY_ARE = DriverQuery(lambda b: _holders(b, locked=False))
_SCAN_COLUMNS = (
    "nonce",
    "event_id",
    "invitation_id",
    "direction",
    "scanned_at",
    "received_at",
    "accepted",
    "reason",
    "device",
    "offline",
)
_ADD_SCANS = DriverInsert(scans, _SCAN_COLUMNS)
_SET_INSIDE = DriverUpdate(
    invitations, "id", ["inside", "first_entry_at"], unchanged_since_read=True
)


def _door_event(event_id: UUID, row: Any) -> _DoorEvent:
    opens, closes = checkin_window(
        as_utc(row.starts_at), as_utc(row.ends_at), timedelta(seconds=row.opens_before_s)
    )
    return _DoorEvent(event_id, row.status, opens, closes)


def _holder(row: Any) -> _Holder:
    return _Holder(
        id=row.id,
        event_id=row.event_id,
        person_id=row.person_id,
        active=row.revoked_at is None and not row.erased,
        pass_version=row.pass_version,
        pass_revoked=row.pass_revoked,
        response=row.response,
        has_seat=row.seat == "confirmed",
        inside=row.inside,
        first_entry_at=as_utc(row.first_entry_at) if row.first_entry_at else None,
        read_as=row.row_read_as,
    )


async def _load(
    transaction: DriverConnection,
    requests: Sequence[ScanRequest],
    claims: dict[str, UUID],
    *,
    optimistic: bool,
) -> tuple[dict[str, Any], dict[UUID, _DoorEvent], dict[UUID, _Holder]]:
    stored = (
        {
            row.nonce: row
            for row in await transaction.fetch(
                _STORED_SCANS, {"nonces": list({r.scan.nonce for r in requests})}
            )
        }
        if not optimistic
        else {}
    )
    wanted = set(claims.values()) | {
        row.invitation_id for row in stored.values() if row.invitation_id
    }
    holders: dict[UUID, _Holder] = {}
    found_events: dict[UUID, _DoorEvent] = {}
    if wanted:
        holders_query = _HOLDERS_AS_THEY_ARE if optimistic else _LOCKED_HOLDERS
        for row in await transaction.fetch(holders_query, {"ids": list(wanted)}):
            holders[row.id] = _holder(row)
            if row.event_id not in found_events:
                found_events[row.event_id] = _door_event(row.event_id, row)
    unread = {r.event_id for r in requests} - found_events.keys()
    if unread:
        for event_row in await transaction.fetch(_DOOR_EVENTS, {"ids": list(unread)}):
            found_events[event_row.id] = _door_event(event_row.id, event_row)
    return stored, found_events, holders


def _replayed(row: Any, person_id: UUID | None) -> ScanOutcome:
    return ScanOutcome(
        nonce=row.nonce,
        accepted=row.accepted,
        reason=row.reason,
        direction=row.direction,
        invitation_id=row.invitation_id,
        person_id=person_id,
        scanned_at=as_utc(row.scanned_at),
        replayed=True,
    )


class RepeatedNonceError(Exception):
    """A nonce of the batch belongs to a scan stored earlier: the batch was decided as if it
    were new, so it has to be applied again with the earlier scans looked up."""


async def apply_scans(
    ctx: EventsContext,
    uow: DriverUnitOfWork,
    requests: Sequence[ScanRequest],
    *,
    optimistic: bool = False,
) -> list[ScanOutcome | Exception]:
    """Apply scans in order in one unit of work; each decides on the state the earlier ones
    left. Returns an outcome per scan, or the error of a scan for an unknown event.

    ``optimistic`` (in an ``optimistic`` unit of work): the batch reads the pass holders'
    invitations without locking them and skips reading the scans stored under its nonces,
    two of its few statements. Its write then fails, writing nothing, with
    :class:`RepeatedNonceError` when its insert meets a stored nonce, or with
    ``ChangedSinceReadError`` when an invitation it changes was changed in between (by
    another door or an RSVP); both are rare at a live door."""
    pass_claims = {r.scan.nonce: ctx.signer.read_pass(r.scan.code) for r in requests}
    claimed = {n: c.invitation_id for n, c in pass_claims.items() if c is not None}
    transaction = uow.transaction
    stored, found_events, people = await _load(
        transaction, requests, claimed, optimistic=optimistic
    )
    results: list[ScanOutcome | Exception] = []
    done: dict[str, ScanOutcome] = {}
    scan_rows: list[dict[str, Any]] = []
    changed: dict[UUID, _Holder] = {}
    values = transaction.values
    received_at = values.timestamp(ctx.clock())
    for request in requests:
        nonce = request.scan.nonce
        if nonce in stored:
            row = stored[nonce]
            known = people.get(row.invitation_id)
            results.append(_replayed(row, known.person_id if known else None))
            continue
        if nonce in done:
            results.append(replace(done[nonce], replayed=True))
            continue
        event = found_events.get(request.event_id)
        if event is None:
            results.append(DomainError("event_not_found"))
            continue
        claim = pass_claims[nonce]
        holder = people.get(claim.invitation_id) if claim else None
        direction = request.scan.direction
        decision = checkin.decide(
            event, claim, holder, direction, request.at, offline=request.offline
        )
        scan_rows.append(
            {
                "nonce": nonce,
                "event_id": values.uuid(event.id),
                "invitation_id": values.uuid(holder.id) if holder else None,
                "direction": direction,
                "scanned_at": values.timestamp(request.at),
                "received_at": received_at,
                "accepted": decision.accepted,
                "reason": decision.reason,
                "device": request.scan.device,
                "offline": request.offline,
            }
        )
        if decision.accepted:
            assert holder is not None
            entering = direction == "entry"
            first_entry = holder.first_entry_at is None
            if entering:
                uow.emit(
                    AttendeeCheckedInV1(
                        event_id=event.id,
                        attendance_id=holder.id,
                        person_id=holder.person_id,
                        walk_in=False,
                        scanned_at=request.at,
                        first_entry=first_entry,
                    ),
                    trace_parent=request.trace_parent,
                )
                if first_entry:
                    holder.first_entry_at = request.at
            holder.inside = entering
            changed[holder.id] = holder
        outcome = ScanOutcome(
            nonce=nonce,
            accepted=decision.accepted,
            reason=decision.reason,
            direction=direction,
            invitation_id=holder.id if holder else None,
            person_id=holder.person_id if holder else None,
            scanned_at=request.at,
        )
        done[nonce] = outcome
        results.append(outcome)
    inside = [
        {
            "id": values.uuid(h.id),
            "inside": h.inside,
            "first_entry_at": values.timestamp(h.first_entry_at),
            ROW_READ_AS: h.read_as,
        }
        for h in changed.values()
    ]
    try:
        await uow.write_with_events([(_ADD_SCANS, scan_rows), (_SET_INSIDE, inside)])
    except IntegrityError:
        if not optimistic:
            raise
        raise RepeatedNonceError from None
    return results


async def _stored_outcome(ctx: EventsContext, nonce: str) -> ScanOutcome | None:
    async with ctx.db.read() as session:
        row = (await session.execute(select(scans).where(scans.c.nonce == nonce))).first()
        if row is None:
            return None
        person_id = None
        if row.invitation_id is not None:
            person_id = (
                await session.execute(
                    select(invitations.c.person_id).where(invitations.c.id == row.invitation_id)
                )
            ).scalar_one_or_none()
    return _replayed(row, person_id)


async def _apply_live(
    ctx: EventsContext, requests: Sequence[ScanRequest]
) -> Sequence[ScanOutcome | Exception]:
    try:
        try:
            async with ctx.door_units.optimistic() as uow:
                return await apply_scans(ctx, uow, requests, optimistic=True)
        except (RepeatedNonceError, ChangedSinceReadError) as guessed_wrong:
            log.info(
                "door_batch_decided_again",
                scans=len(requests),
                reason=type(guessed_wrong).__name__,
            )
            async with ctx.door_units.at_the_driver() as uow:
                return await apply_scans(ctx, uow, requests)
    except IntegrityError:
        if len(requests) > 1:
            raise  # the batcher tries each scan alone
        # The same nonce arrived at another replica at once: the first one's outcome stands.
        stored = await _stored_outcome(ctx, requests[0].scan.nonce)
        if stored is None:
            raise
        return [stored]


async def scan(ctx: EventsContext, event_id: UUID, command: Scan) -> ScanOutcome:
    request = ScanRequest(
        event_id, command, ctx.clock(), offline=False, trace_parent=current_traceparent.get()
    )
    outcome: ScanOutcome = await ctx.door.submit(request, lambda batch: _apply_live(ctx, batch))
    return outcome


async def upload_offline(
    ctx: EventsContext, event_id: UUID, items: Sequence[OfflineScan]
) -> list[ScanOutcome]:
    """Scans a door device took without a connection, applied in the order taken."""
    ordered = sorted(items, key=lambda s: s.scanned_at)
    async with ctx.uow.at_the_driver() as uow:
        results = await apply_scans(
            ctx,
            uow,
            [ScanRequest(event_id, item, item.scanned_at, offline=True) for item in ordered],
        )
    outcomes: dict[str, ScanOutcome] = {}
    for result in results:
        if isinstance(result, Exception):
            raise result
        outcomes.setdefault(result.nonce, result)
    return [outcomes[item.nonce] for item in items]


async def register_walk_in(ctx: EventsContext, event_id: UUID, command: WalkIn) -> UUID:
    """Someone without an invitation let in at the door (during the check-in window)."""
    now = ctx.clock()
    async with ctx.uow() as uow:
        row = (await uow.session.execute(select(events).where(events.c.id == event_id))).first()
        if row is None:
            raise DomainError("event_not_found")
        event = event_from_row(row)
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
