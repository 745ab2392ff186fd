"""Builders for the events service's tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sinergi_events.domain.events import Event
from sinergi_events.domain.invitations import Invitation
from sinergi_kit.contracts.events import LocalizedText, Venue
from sinergi_kit.ids import new_id

NOW = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
START = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # 08:00 WIB
PENDOPO = Venue(
    name="Pendopo Kabupaten Jombang",
    address="Jl. KH. Wahid Hasyim No. 137, Jombang",
    latitude=-7.5461,
    longitude=112.2331,
)


def make_event(**overrides: Any) -> Event:
    values: dict[str, Any] = {
        "id": new_id(),
        "kind": "kopilaborasi",
        "title": LocalizedText(id="Kopilaborasi 2026", en="Kopilaborasi 2026"),
        "theme": LocalizedText(
            id="Bersama melawan hoaks menjelang pemilu",
            en="Together against hoaxes before the election",
        ),
        "venue": PENDOPO,
        "starts_at": START,
        "ends_at": START + timedelta(hours=4),
        "created_at": NOW,
        "capacity": 2,
        "organisers": ("Diskominfo Kabupaten Jombang",),
        "organizer_email": "kkd@jombangkab.go.id",
    }
    values.update(overrides)
    return Event(**values)


def make_invitation(event: Event, **overrides: Any) -> Invitation:
    values: dict[str, Any] = {
        "id": new_id(),
        "event_id": event.id,
        "person_id": new_id(),
        "role": "participant",
        "created_at": NOW,
    }
    values.update(overrides)
    return Invitation(**values)
