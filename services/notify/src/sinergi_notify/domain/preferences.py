"""A recipient's preferences: opt-outs per category × channel, the channel ladder, quiet
hours and time zone."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sinergi_notify.domain.model import Category, Channel
from sinergi_notify.domain.quiet_hours import QuietHours

ANY = "*"


@dataclass(frozen=True)
class Preferences:
    opted_out: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    """(category or ``*``, channel or ``*``) pairs the recipient does not want."""
    ladder: tuple[Channel, ...] = ()
    quiet_hours: QuietHours | None = None
    timezone: str | None = None

    def allows(self, category: Category, channel: Channel) -> bool:
        return not any(
            pair in self.opted_out
            for pair in ((category, channel), (category, ANY), (ANY, channel), (ANY, ANY))
        )

    def zone(self, home: str | None, default: str) -> ZoneInfo:
        """The zone the recipient chose in notify, else where the registry says they live
        (``home``), else the default. A name this machine's time zone database does not
        know is passed over rather than failing the send."""
        for name in (self.timezone, home):
            if name:
                try:
                    return ZoneInfo(name)
                except (ZoneInfoNotFoundError, ValueError):
                    continue
        return ZoneInfo(default)


@dataclass(frozen=True)
class Route:
    """The channels a notification goes through, first one first."""

    channels: tuple[Channel, ...]
    opted_out: bool  # every addressable channel is opted out: record the first, skipped


def route(
    *,
    category: Category,
    ladder: Iterable[Channel],
    addresses: Mapping[Channel, str],
    configured: Iterable[Channel],
    preferences: Preferences,
) -> Route:
    """The ladder's channels that are configured, addressable and allowed, in order."""
    enabled = set(configured)
    reachable = tuple(c for c in dict.fromkeys(ladder) if c in enabled and addresses.get(c))
    allowed = tuple(c for c in reachable if preferences.allows(category, c))
    if allowed:
        return Route(allowed, opted_out=False)
    return Route(reachable[:1], opted_out=bool(reachable))
