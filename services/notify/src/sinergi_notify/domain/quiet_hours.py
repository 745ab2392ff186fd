"""Quiet hours in the recipient's own time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class QuietHours:
    """A daily window, e.g. 21:00–06:00; ``start == end`` means no quiet hours."""

    start: time = time(21, 0)
    end: time = time(6, 0)

    def until(self, now: datetime, tz: ZoneInfo) -> datetime | None:
        """When the window ``now`` falls in ends (UTC), or None outside the window."""
        if self.start == self.end:
            return None
        local = now.astimezone(tz)
        clock = local.time().replace(tzinfo=None)
        if self.start < self.end:
            inside = self.start <= clock < self.end
            end_day = local.date()
        else:  # the window crosses midnight
            inside = clock >= self.start or clock < self.end
            end_day = local.date() + timedelta(days=1) if clock >= self.start else local.date()
        if not inside:
            return None
        return datetime.combine(end_day, self.end, tzinfo=tz).astimezone(UTC)


def parse_clock(value: str) -> time:
    """``"21:00"`` → 21:00; raises ValueError otherwise."""
    hours, _, minutes = value.partition(":")
    return time(int(hours), int(minutes or 0))
