"""People: consent records and what erasure leaves behind."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sinergi_kit.contracts.registry import ConsentPurpose, ConsentRecord, PersonState


def record_consent(
    person: PersonState, purpose: ConsentPurpose, *, granted: bool, source: str, at: datetime
) -> PersonState:
    """A new grant or withdrawal is appended; earlier records stay as evidence."""
    record = ConsentRecord(purpose=purpose, granted=granted, recorded_at=at, source=source)
    return person.model_copy(
        update={
            "consents": [*person.consents, record],
            "version": person.version + 1,
            "updated_at": at,
        }
    )


def known_time_zone(name: str) -> str:
    """The name, if the IANA database knows it; raises ValueError otherwise."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc
    return name
