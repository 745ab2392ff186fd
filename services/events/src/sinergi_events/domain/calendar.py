"""RFC 5545 calendars with the icalendar library.

Times are written in UTC; every calendar names the event's time zone (X-WR-TIMEZONE) so a
client shows them in WIB. The UID is the event's for every file of that event, and SEQUENCE is
the event's sequence, so a reschedule or a cancel replaces the entry a client already holds.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as VEvent

from sinergi_kit.contracts.events import EventSnapshot, RsvpResponse

Method = Literal["PUBLISH", "REQUEST", "CANCEL"]
PARTSTAT: dict[RsvpResponse, str] = {
    "pending": "NEEDS-ACTION",
    "accepted": "ACCEPTED",
    "declined": "DECLINED",
    "tentative": "TENTATIVE",
}
ROLE = {
    "participant": "REQ-PARTICIPANT",
    "speaker": "REQ-PARTICIPANT",
    "guest_of_honour": "REQ-PARTICIPANT",
    "organiser": "CHAIR",
}
PRODID = "-//Diskominfo Kabupaten Jombang//Sinergi Events//ID"


def _vevent(event: EventSnapshot, now: datetime, url: str | None) -> VEvent:
    vevent = VEvent()
    vevent.add("uid", event.calendar_uid)
    vevent.add("dtstamp", now)
    vevent.add("dtstart", event.starts_at)
    vevent.add("dtend", event.ends_at)
    vevent.add("sequence", event.sequence)
    vevent.add("summary", f"{event.title.id} / {event.title.en}")
    description = f"{event.theme.id} / {event.theme.en}"
    if event.description:
        description += "\n\n" + event.description
    vevent.add("description", description)
    location = ", ".join(part for part in (event.venue.name, event.venue.address) if part)
    vevent.add("location", location)
    if event.venue.latitude is not None and event.venue.longitude is not None:
        vevent.add("geo", (event.venue.latitude, event.venue.longitude))
    vevent.add("status", "CANCELLED" if event.status == "cancelled" else "CONFIRMED")
    if url:
        vevent.add("url", url)
    if event.organizer_email:
        organizer = vCalAddress(f"mailto:{event.organizer_email}")
        if event.organizer_name:
            organizer.params["cn"] = vText(event.organizer_name)
        vevent.add("organizer", organizer)
    return vevent


def _calendar(method: Method, event: EventSnapshot) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add("x-wr-timezone", event.timezone)
    return calendar


def event_calendar(event: EventSnapshot, now: datetime, url: str | None = None) -> str:
    """The event for everyone: PUBLISH while it stands, CANCEL once cancelled."""
    method: Method = "CANCEL" if event.status == "cancelled" else "PUBLISH"
    calendar = _calendar(method, event)
    calendar.add_component(_vevent(event, now, url))
    ics: bytes = calendar.to_ical()
    return ics.decode()


def attendee_address(person_id: str, email: str | None) -> str:
    return f"mailto:{email}" if email else f"urn:uuid:{person_id}"


def invitation_calendar(
    event: EventSnapshot,
    *,
    attendee: str,
    attendee_name: str,
    role: str,
    response: RsvpResponse,
    now: datetime,
    url: str | None = None,
    withdrawn: bool = False,
) -> str:
    """One invitee's calendar: REQUEST with their ATTENDEE and PARTSTAT, or CANCEL when the
    event is cancelled or this invitation was withdrawn (the attendee is removed, RFC 5546)."""
    method: Method = "CANCEL" if event.status == "cancelled" or withdrawn else "REQUEST"
    calendar = _calendar(method, event)
    vevent = _vevent(event, now, url)
    address = vCalAddress(attendee)
    if attendee_name:
        address.params["cn"] = vText(attendee_name)
    address.params["role"] = vText(ROLE.get(role, "REQ-PARTICIPANT"))
    address.params["partstat"] = vText(PARTSTAT[response])
    if method == "REQUEST":
        address.params["rsvp"] = vText("TRUE")
    vevent.add("attendee", address)
    calendar.add_component(vevent)
    ics: bytes = calendar.to_ical()
    return ics.decode()
