"""Per-invitee calendar invitations (METHOD:REQUEST) and withdrawals (METHOD:CANCEL, the
invitee as the attendee removed) with icalendar.

At fan-out sizes most of an invitation is the same for every invitee: the event part is
serialised once per event version, and only the invitee's own lines (attendee, RSVP link)
per invitee — both by icalendar, spliced before ``END:VEVENT``.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Literal

from icalendar import Calendar, Event, vCalAddress, vText

from sinergi_kit.contracts.events import EventSnapshot, InvitationSnapshot

PARTSTAT = {
    "pending": "NEEDS-ACTION",
    "accepted": "ACCEPTED",
    "declined": "DECLINED",
    "tentative": "TENTATIVE",
}
_END = "END:VEVENT\r\n"
Method = Literal["REQUEST", "CANCEL"]


@lru_cache(maxsize=64)
def _event_part(event: EventSnapshot, stamp: datetime, method: Method) -> tuple[str, str]:
    """The calendar up to (and from) the end of the event component."""
    calendar = Calendar()
    calendar.add("prodid", "-//Sinergi Kabupaten Jombang//notify//ID")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    entry = Event()
    entry.add("uid", event.calendar_uid)
    entry.add("sequence", event.sequence)
    entry.add("dtstamp", stamp)
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("summary", event.title.id)
    entry.add("location", ", ".join(p for p in (event.venue.name, event.venue.address) if p))
    cancelled = method == "CANCEL" or event.status == "cancelled"
    entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if event.organizer_email:
        organizer = vCalAddress(f"mailto:{event.organizer_email}")
        organizer.params["cn"] = vText(event.organizer_name or event.organizer_email)
        entry.add("organizer", organizer)
    calendar.add_component(entry)
    raw: bytes = calendar.to_ical()
    text = raw.decode()
    cut = text.rindex(_END)
    return text[:cut], text[cut:]


def _invitee_lines(
    event: EventSnapshot,
    invitation: InvitationSnapshot,
    attendee_email: str | None,
    attendee_name: str,
    rsvp_url: str | None,
) -> str:
    entry = Event()
    if rsvp_url:
        entry.add("description", f"{event.theme.id}\n\n{rsvp_url}")
        entry.add("url", rsvp_url)
    if attendee_email:
        attendee = vCalAddress(f"mailto:{attendee_email}")
        attendee.params["cn"] = vText(attendee_name or attendee_email)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText(PARTSTAT[invitation.response])
        attendee.params["rsvp"] = vText("TRUE" if rsvp_url else "FALSE")
        entry.add("attendee", attendee, encode=False)
    raw: bytes = entry.to_ical()
    lines = raw.decode()
    return lines.removeprefix("BEGIN:VEVENT\r\n").removesuffix(_END)


def invitation_ics(
    event: EventSnapshot,
    invitation: InvitationSnapshot,
    *,
    attendee_email: str | None,
    attendee_name: str,
    rsvp_url: str | None,
    stamp: datetime,
    method: Method = "REQUEST",
) -> str:
    """A withdrawal (CANCEL) carries no RSVP link: the link stops working with it."""
    # DTSTAMP to the minute, so one fan-out reuses the serialised event part.
    head, tail = _event_part(event, stamp.replace(second=0, microsecond=0), method)
    return head + _invitee_lines(event, invitation, attendee_email, attendee_name, rsvp_url) + tail
