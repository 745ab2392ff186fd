"""The events domain without I/O: status machine, RSVP and seats, offers, reminders, tokens,
the door and the calendar."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import UUID

import pytest
from icalendar import Calendar

from sinergi_events.domain import calendar, checkin, invitations, reminders
from sinergi_events.domain.errors import DomainError
from sinergi_events.domain.events import AgendaItem, Event, ReminderRule
from sinergi_events.domain.invitations import Seats
from sinergi_events.domain.reports import FunnelCounts, FunnelRow, to_csv
from sinergi_events.domain.tokens import PassClaim, Signer
from sinergi_kit.contracts.events import LocalizedText, Venue
from sinergi_kit.ids import new_id

from .factories import NOW, START, make_event, make_invitation

OPENING = LocalizedText(id="Pembukaan", en="Opening")
FULL = Seats(capacity=2, held=2, next_position=7)
ROOM = Seats(capacity=2, held=1, next_position=1)


def published(**overrides: object) -> Event:
    return make_event(**overrides).transition("publish", NOW)


def test_the_status_machine_allows_only_legal_transitions() -> None:
    event = make_event()
    with pytest.raises(DomainError) as error:
        event.transition("start", NOW)
    assert error.value.code == "illegal_transition"
    event = event.transition("publish", NOW)
    assert event.status == "published" and event.version == 2
    event = event.transition("close_registration", NOW).transition("reopen_registration", NOW)
    with pytest.raises(DomainError) as error:
        event.transition("start", START - timedelta(hours=2, seconds=1))
    assert error.value.code == "too_early_to_start", "not before the check-in window opens"
    event = event.transition("start", START).transition("complete", START)
    assert event.status == "completed"
    with pytest.raises(DomainError):
        event.cancel(START, None)


def test_an_event_cannot_be_published_or_moved_into_the_past() -> None:
    with pytest.raises(DomainError) as error:
        make_event().transition("publish", START)
    assert error.value.code == "event_in_past"
    with pytest.raises(DomainError):
        published().reschedule(NOW, NOW - timedelta(hours=1), NOW + timedelta(hours=1))


def test_bad_times_and_settings_are_refused() -> None:
    for overrides, code in (
        ({"ends_at": START}, "ends_before_start"),
        ({"rsvp_deadline": START + timedelta(minutes=1)}, "deadline_after_start"),
        ({"capacity": -1}, "invalid_capacity"),
        ({"reminders": (ReminderRule(60, ("accepted",)),) * 2}, "invalid_reminders"),
        ({"starts_at": START.replace(tzinfo=None)}, "naive_time"),
        (
            {
                "agenda": (
                    AgendaItem(START - timedelta(hours=1), START, LocalizedText(id="a", en="a")),
                )
            },
            "agenda_outside_event",
        ),
    ):
        with pytest.raises(DomainError) as error:
            make_event(**overrides)
        assert error.value.code == code


def test_cancel_is_only_before_the_start_and_bumps_the_sequence() -> None:
    event = published()
    with pytest.raises(DomainError) as error:
        event.cancel(START, None)
    assert error.value.code == "event_not_changeable"
    cancelled = event.cancel(NOW, LocalizedText(id="Hujan deras", en="Heavy rain"))
    assert cancelled.status == "cancelled" and cancelled.sequence == event.sequence + 1


def test_reschedule_moves_deadline_and_agenda_and_bumps_the_sequence() -> None:
    event = published(rsvp_deadline=START - timedelta(days=1))
    later = START + timedelta(days=7)
    moved = event.reschedule(NOW, later, later + timedelta(hours=3))
    assert moved.sequence == 1 and moved.status == "published"
    assert moved.rsvp_deadline == later - timedelta(days=1)
    assert moved.venue == event.venue


def test_acceptance_takes_a_seat_then_the_waiting_list_in_order() -> None:
    event = published()
    first = invitations.respond(event, make_invitation(event), "accepted", NOW, ROOM)
    assert first.seat == "confirmed" and first.response == "accepted"
    queued = invitations.respond(event, make_invitation(event), "accepted", NOW, FULL)
    assert queued.seat == "waitlisted" and queued.waitlist_position == 7
    again = invitations.respond(event, queued, "accepted", NOW, FULL)
    assert again.waitlist_position == 7, "accepting again keeps the place in line"


def test_speakers_and_guests_need_no_seat_unless_configured() -> None:
    event = published()
    speaker = make_invitation(event, role="speaker")
    assert invitations.respond(event, speaker, "accepted", NOW, FULL).seat == "confirmed"
    strict = published(seatless_roles=())
    assert invitations.respond(strict, speaker, "accepted", NOW, FULL).seat == "waitlisted"


def test_declining_a_seat_frees_it_and_an_offer_passes_on_when_it_expires() -> None:
    event = published()
    holder = invitations.respond(event, make_invitation(event), "accepted", NOW, ROOM)
    declined = invitations.respond(event, holder, "declined", NOW, FULL)
    assert invitations.frees_seat(event, holder, declined)
    queued = invitations.respond(event, make_invitation(event), "accepted", NOW, FULL)
    offered = invitations.offer_seat(event, queued, NOW)
    assert offered.seat == "offered" and offered.offer_expires_at == NOW + timedelta(hours=24)
    with pytest.raises(DomainError) as error:
        invitations.expire_offer(offered, NOW + timedelta(hours=23))
    assert error.value.code == "offer_still_open"
    lapsed = invitations.expire_offer(offered, NOW + timedelta(hours=24))
    assert lapsed.seat == "none" and invitations.frees_seat(event, offered, lapsed)
    with pytest.raises(DomainError) as error:
        invitations.respond(event, offered, "accepted", NOW + timedelta(hours=25), FULL)
    assert error.value.code == "offer_expired"
    taken = invitations.respond(event, offered, "accepted", NOW + timedelta(hours=1), FULL)
    assert taken.seat == "confirmed" and taken.offer_expires_at is None


def test_an_offer_never_outlives_the_start_even_after_a_reschedule() -> None:
    event = published()
    late = START - timedelta(hours=3)
    queued = invitations.respond(event, make_invitation(event), "accepted", NOW, FULL)
    assert invitations.offer_seat(event, queued, late).offer_expires_at == START
    offered = invitations.offer_seat(event, queued, NOW)
    earlier = event.reschedule(NOW, NOW + timedelta(hours=5), NOW + timedelta(hours=8))
    assert invitations.follow_reschedule(earlier, offered).offer_expires_at == earlier.starts_at


def test_answers_are_refused_after_the_deadline_or_once_revoked() -> None:
    event = published(rsvp_deadline=START - timedelta(days=2))
    invitation = make_invitation(event)
    with pytest.raises(DomainError) as error:
        invitations.respond(event, invitation, "accepted", START - timedelta(days=1), ROOM)
    assert error.value.code == "rsvp_closed"
    revoked = invitations.revoke(invitation, NOW)
    with pytest.raises(DomainError) as error:
        invitations.respond(event, revoked, "accepted", NOW, ROOM)
    assert error.value.code == "invitation_revoked"
    tentative = invitations.respond(event, invitation, "tentative", NOW, ROOM)
    assert tentative.seat == "none" and tentative.response == "tentative"


def test_cancel_releases_offers_and_the_queue() -> None:
    event = published()
    queued = invitations.respond(event, make_invitation(event), "accepted", NOW, FULL)
    released = invitations.release_for_cancel(invitations.offer_seat(event, queued, NOW))
    assert released.seat == "none" and released.waitlist_position is None


def test_reminders_are_planned_before_the_start_and_target_by_answer() -> None:
    event = published()
    planned = reminders.plan(event, START - timedelta(hours=30))
    by_offset = {r.offset_minutes: r for r in planned}
    assert by_offset[3 * 24 * 60].status == "skipped"
    assert by_offset[24 * 60].due_at == START - timedelta(days=1)
    assert by_offset[120].status == "pending" and by_offset[120].audiences == ("accepted",)
    accepted = invitations.respond(event, make_invitation(event), "accepted", NOW, ROOM)
    assert reminders.audience_of(accepted) == "accepted"
    assert reminders.audience_of(make_invitation(event)) == "unanswered"
    declined = invitations.respond(event, make_invitation(event), "declined", NOW, ROOM)
    assert reminders.audience_of(declined) is None
    two_hours = by_offset[120]
    assert reminders.still_due(two_hours, event, START - timedelta(hours=2))
    assert not reminders.still_due(two_hours, event, START)
    moved = event.reschedule(NOW, START + timedelta(days=1), START + timedelta(days=1, hours=2))
    assert not reminders.still_due(two_hours, moved, NOW), "a moved event re-plans"


SIGNER = Signer({"k1": "rahasia-lama", "k2": "rahasia-baru"}, current="k2")


def test_rsvp_tokens_verify_under_every_key_and_refuse_tampering() -> None:
    invitation_id = new_id()
    token = SIGNER.rsvp_token(invitation_id)
    assert SIGNER.read_rsvp_token(token) == invitation_id
    old = Signer({"k1": "rahasia-lama"}, current="k1").rsvp_token(invitation_id)
    assert SIGNER.read_rsvp_token(old) == invitation_id, "rotated keys still verify"
    other = SIGNER.rsvp_token(new_id())
    forged = token.split(".")[0] + "." + ".".join(other.split(".")[1:])
    for bad in (forged, token + "x", "", "a.b.c", "!!.k2.zz", token.replace("k2", "k9")):
        assert SIGNER.read_rsvp_token(bad) is None


def test_passes_carry_their_version_and_refuse_tampering() -> None:
    invitation_id = new_id()
    code = SIGNER.pass_code(invitation_id, 3)
    assert SIGNER.read_pass(code) == PassClaim(invitation_id, 3)
    assert SIGNER.read_pass(code.replace(".3.", ".4.")) is None
    assert SIGNER.read_pass(SIGNER.rsvp_token(invitation_id)) is None
    with pytest.raises(ValueError):
        Signer({"a": "x"}, current="b")


def test_the_door_gives_each_reason() -> None:
    event = published()
    during = START + timedelta(minutes=5)
    accepted = invitations.respond(event, make_invitation(event), "accepted", NOW, ROOM)
    claim = PassClaim(accepted.id, accepted.pass_version)

    def reason(invitation: object, at: object = during, direction: str = "entry") -> object:
        return checkin.decide(event, claim, invitation, direction, at).reason  # type: ignore[arg-type]

    assert checkin.decide(event, None, None, "entry", during).reason == "unknown_pass"
    assert reason(replace(accepted, event_id=new_id())) == "wrong_event"
    assert reason(invitations.revoke(accepted, NOW)) == "revoked"
    assert reason(invitations.revoke_pass(accepted)) == "revoked"
    assert reason(invitations.rotate_pass(accepted)) == "revoked"
    assert reason(make_invitation(event, id=accepted.id)) == "not_accepted"
    assert reason(accepted, START - timedelta(hours=3)) == "outside_window"
    assert reason(accepted, event.ends_at + timedelta(seconds=1)) == "outside_window"
    assert reason(replace(accepted, inside=True)) == "already_inside"
    assert reason(accepted, direction="exit") == "not_inside"
    assert checkin.decide(event, claim, accepted, "entry", during).accepted
    cancelled = event.cancel(NOW, None)
    assert checkin.decide(cancelled, claim, accepted, "entry", during).reason == "outside_window"


def parse(ics: str) -> Calendar:
    return Calendar.from_ical(ics)


def test_calendars_are_valid_rfc5545_with_attendee_and_cancel() -> None:
    event = published(venue=Venue(name="Pendopo", address="Jombang, Jawa Timur"))
    invitation = make_invitation(event)
    ics = calendar.invitation_calendar(
        event.snapshot(),
        attendee=calendar.attendee_address(str(invitation.person_id), "budi@example.id"),
        attendee_name="Budi Santoso",
        role="speaker",
        response="accepted",
        now=NOW,
    )
    parsed = parse(ics)
    assert parsed["method"] == "REQUEST"
    vevent = parsed.walk("VEVENT")[0]
    assert str(vevent["uid"]) == event.calendar_uid
    assert vevent.decoded("dtstart") == START
    assert str(vevent["attendee"]) == "mailto:budi@example.id"
    assert vevent["attendee"].params["PARTSTAT"] == "ACCEPTED"
    assert str(vevent["location"]) == "Pendopo, Jombang, Jawa Timur"
    cancelled = event.cancel(NOW, None).snapshot()
    cancel = parse(calendar.event_calendar(cancelled, NOW))
    assert cancel["method"] == "CANCEL"
    assert cancel.walk("VEVENT")[0]["sequence"] == 1
    assert cancel.walk("VEVENT")[0]["status"] == "CANCELLED"
    public = parse(calendar.event_calendar(published().snapshot(), NOW))
    assert public["method"] == "PUBLISH" and "GEO" in public.walk("VEVENT")[0]


def test_the_funnel_csv_has_one_line_per_group_with_rates() -> None:
    counts = FunnelCounts(invited=10, responded=8, accepted=6, declined=2, checked_in=4)
    assert counts.no_show == 2
    row = FunnelRow(UUID(int=1), "Kopilaborasi", None, "", counts, walk_ins=3)
    lines = to_csv([row]).splitlines()
    header = lines[0].split(",")
    values = dict(zip(header, lines[1].split(","), strict=True))
    assert values["no_show"] == "2" and values["walk_ins"] == "3"
    assert values["attendance_rate"] == str(round(4 / 6, 4))
