"""The delivery state machine: whether a notification may go now, and what an attempt's
outcome does to it. Pure functions; the service layer applies them."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sinergi_notify.domain.model import Channel, SkipReason, State
from sinergi_notify.domain.quiet_hours import QuietHours


@dataclass(frozen=True)
class Outcome:
    """What a channel says about one send."""

    kind: Literal["sent", "temporary", "permanent"]
    detail: str = ""
    retry_after_s: float | None = None
    provider_id: str | None = None
    hard_bounce: bool = False
    status: int | None = None


def sent(provider_id: str | None = None, status: int | None = None) -> Outcome:
    return Outcome("sent", provider_id=provider_id, status=status)


@dataclass(frozen=True)
class Send:
    pass


@dataclass(frozen=True)
class Skip:
    reason: SkipReason


@dataclass(frozen=True)
class Defer:
    until: datetime


Decision = Send | Skip | Defer


@dataclass(frozen=True)
class Gate:
    """What the sender knows about a notification at the moment it is due."""

    now: datetime
    expires_at: datetime | None
    urgent: bool
    erased: bool
    consented: bool
    opted_out: bool
    suppressed: bool
    quiet_hours: QuietHours
    timezone: ZoneInfo


def decide(gate: Gate) -> Decision:
    """Skip what must not go, defer what must wait for the morning, send the rest.

    A message that would expire before the quiet hours end goes at once: a late message is
    worth less than a message at night.
    """
    if gate.erased:
        return Skip("erased")
    if gate.expires_at is not None and gate.now >= gate.expires_at:
        return Skip("expired")
    if not gate.consented:
        return Skip("no_consent")
    if gate.opted_out:
        return Skip("opted_out")
    if gate.suppressed:
        return Skip("suppressed")
    if not gate.urgent:
        until = gate.quiet_hours.until(gate.now, gate.timezone)
        if until is not None and (gate.expires_at is None or until < gate.expires_at):
            return Defer(until)
    return Send()


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    base_delay_s: float = 30.0
    max_delay_s: float = 3_600.0
    jitter: float = 0.25

    def delay_s(
        self, attempt: int, retry_after_s: float | None, rand: Callable[[], float] = random.random
    ) -> float:
        """Exponential backoff with ± ``jitter`` spread, never sooner than Retry-After."""
        backoff = min(self.max_delay_s, self.base_delay_s * 2 ** max(0, attempt - 1))
        spread = backoff * (1 - self.jitter + 2 * self.jitter * rand())
        return float(max(spread, retry_after_s or 0.0))


@dataclass(frozen=True)
class Transition:
    state: State
    next_attempt_at: datetime | None = None
    escalate_to: Channel | None = None


def after_attempt(
    outcome: Outcome,
    *,
    attempts: int,
    now: datetime,
    policy: RetryPolicy,
    next_channel: Channel | None,
    rand: Callable[[], float] = random.random,
) -> Transition:
    """Sent stays sent; a temporary failure waits and tries again until the attempts run out
    (then dead); a permanent failure hands over to the next channel of the ladder (or dead)."""
    if outcome.kind == "sent":
        return Transition("sent")
    if outcome.kind == "temporary":
        if attempts >= policy.max_attempts:
            return Transition("dead")
        delay = policy.delay_s(attempts, outcome.retry_after_s, rand)
        return Transition("retrying", next_attempt_at=now + timedelta(seconds=delay))
    if next_channel is not None:
        return Transition("failed", escalate_to=next_channel)
    return Transition("dead")


def next_in_ladder(ladder: tuple[Channel, ...], current: Channel) -> tuple[Channel, ...]:
    """The channels after ``current``, in order."""
    if current not in ladder:
        return ()
    return ladder[ladder.index(current) + 1 :]
