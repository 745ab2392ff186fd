"""Per-invitee calendar invitations (METHOD:REQUEST) with icalendar."""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event, vCalAddress, vText

from sinergi_kit.contracts.events import EventSnapshot, InvitationSnapshot

PARTSTAT = {
    "pending": "NEEDS-ACTION",
    "accepted": "ACCEPTED",
    "declined": "DECLINED",
    "tentative": "TENTATIVE",
}


def invitation_ics(
    event: EventSnapshot,
    invitation: InvitationSnapshot,
    *,
    attendee_email: str | None,
    attendee_name: str,
    rsvp_url: str,
    stamp: datetime,
) -> str:
    calendar = Calendar()
    calendar.add("prodid", "-//Sinergi Kabupaten Jombang//notify//ID")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    entry = Event()
    entry.add("uid", event.calendar_uid)
    entry.add("sequence", event.sequence)
    entry.add("dtstamp", stamp)
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("summary", event.title.id)
    entry.add("description", f"{event.theme.id}\n\n{rsvp_url}")
    entry.add("location", ", ".join(p for p in (event.venue.name, event.venue.address) if p))
    entry.add("url", rsvp_url)
    entry.add("status", "CANCELLED" if event.status == "cancelled" else "CONFIRMED")
    if event.organizer_email:
        organizer = vCalAddress(f"mailto:{event.organizer_email}")
        organizer.params["cn"] = vText(event.organizer_name or event.organizer_email)
        entry.add("organizer", organizer)
    if attendee_email:
        attendee = vCalAddress(f"mailto:{attendee_email}")
        attendee.params["cn"] = vText(attendee_name or attendee_email)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText(PARTSTAT[invitation.response])
        attendee.params["rsvp"] = vText("TRUE")
        entry.add("attendee", attendee, encode=False)
    calendar.add_component(entry)
    ics: bytes = calendar.to_ical()
    return ics.decode()
