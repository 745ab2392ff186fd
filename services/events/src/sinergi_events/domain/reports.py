"""The attendance funnel: invited → responded → accepted → checked in → no-show, plus walk-ins.
Pure, no I/O."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, fields
from uuid import UUID

from sinergi_kit.contracts.events import AttendanceCounts


@dataclass(frozen=True)
class FunnelCounts:
    """Raw counts for one group of invitations (revoked ones excluded; erased people's
    invitations are counted, without their personal data)."""

    invited: int = 0
    responded: int = 0
    accepted: int = 0
    declined: int = 0
    tentative: int = 0
    waitlisted: int = 0
    checked_in: int = 0

    @property
    def no_show(self) -> int:
        return max(0, self.accepted - self.checked_in)


@dataclass(frozen=True)
class FunnelRow:
    event_id: UUID
    event_title: str
    segment_id: UUID | None
    segment_name: str
    counts: FunnelCounts
    walk_ins: int = 0


def attendance(counts: FunnelCounts, walk_ins: int) -> AttendanceCounts:
    return AttendanceCounts(
        invited=counts.invited,
        responded=counts.responded,
        accepted=counts.accepted,
        checked_in=counts.checked_in,
        no_show=counts.no_show,
        walk_ins=walk_ins,
    )


def rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


CSV_COLUMNS = (
    "event_id",
    "event_title",
    "segment_id",
    "segment_name",
    *(f.name for f in fields(FunnelCounts)),
    "no_show",
    "walk_ins",
    "response_rate",
    "acceptance_rate",
    "attendance_rate",
)


def to_csv(rows: Iterable[FunnelRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        c = row.counts
        writer.writerow(
            [
                row.event_id,
                row.event_title,
                row.segment_id or "",
                row.segment_name,
                *(getattr(c, f.name) for f in fields(FunnelCounts)),
                c.no_show,
                row.walk_ins,
                rate(c.responded, c.invited),
                rate(c.accepted, c.invited),
                rate(c.checked_in, c.accepted),
            ]
        )
    return buffer.getvalue()
