"""The door: whether a scanned pass lets someone in or out, and why not. Pure, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol
from uuid import UUID

from sinergi_events.domain.tokens import PassClaim

Direction = Literal["entry", "exit"]
RejectReason = Literal[
    "unknown_pass",
    "wrong_event",
    "revoked",
    "not_accepted",
    "outside_window",
    "already_inside",
    "not_inside",
]
OPEN_STATUSES = frozenset({"published", "registration_closed", "in_progress"})
LATE_UPLOAD_STATUSES = OPEN_STATUSES | {"completed"}
"""A scan a device took offline while the door was open still counts after completion."""


class Door(Protocol):
    """What the door needs of an event (an :class:`~sinergi_events.domain.events.Event`
    has it)."""

    @property
    def id(self) -> UUID: ...
    @property
    def status(self) -> str: ...
    def checkin_window(self) -> tuple[datetime, datetime]: ...


class Holder(Protocol):
    """What the door needs of the invitation a pass names (an
    :class:`~sinergi_events.domain.invitations.Invitation` has it)."""

    @property
    def event_id(self) -> UUID: ...
    @property
    def active(self) -> bool: ...
    @property
    def pass_revoked(self) -> bool: ...
    @property
    def pass_version(self) -> int: ...
    @property
    def response(self) -> str: ...
    @property
    def has_seat(self) -> bool: ...
    @property
    def inside(self) -> bool: ...


@dataclass(frozen=True)
class ScanDecision:
    accepted: bool
    reason: RejectReason | None = None

    @classmethod
    def reject(cls, reason: RejectReason) -> ScanDecision:
        return cls(False, reason)


def decide(
    event: Door,
    claim: PassClaim | None,
    invitation: Holder | None,
    direction: Direction,
    at: datetime,
    *,
    offline: bool = False,
) -> ScanDecision:
    """The first reason that applies, in the order a door operator would explain it. ``at``
    is when the pass was scanned (for an offline scan, the time the device recorded)."""
    if claim is None or invitation is None:
        return ScanDecision.reject("unknown_pass")
    if invitation.event_id != event.id:
        return ScanDecision.reject("wrong_event")
    if not invitation.active or invitation.pass_revoked:
        return ScanDecision.reject("revoked")
    if claim.pass_version != invitation.pass_version:
        return ScanDecision.reject("revoked")
    if invitation.response != "accepted" or not invitation.has_seat:
        return ScanDecision.reject("not_accepted")
    opens, closes = event.checkin_window()
    statuses = LATE_UPLOAD_STATUSES if offline else OPEN_STATUSES
    if event.status not in statuses or not opens <= at <= closes:
        return ScanDecision.reject("outside_window")
    if direction == "entry" and invitation.inside:
        return ScanDecision.reject("already_inside")
    if direction == "exit" and not invitation.inside:
        return ScanDecision.reject("not_inside")
    return ScanDecision(True)
