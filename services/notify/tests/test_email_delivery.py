"""Email delivery against a real SMTP server (aiosmtpd): content, exactly once, quiet hours,
opt-out, suppression of hard bounces, temporary failures, expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sinergi_kit.contracts.events import EventCancelledV1
from sinergi_kit.ids import new_id
from sinergi_notify.domain.unsubscribe import UnsubscribeScope
from sinergi_notify.mailcatcher import MailCatcher
from sinergi_notify.service_layer.admin import unsubscribe
from sinergi_notify.testing import DAYTIME, invitation_issued, kopilaborasi, reminder_due

if TYPE_CHECKING:
    from conftest import NotifyFactory


async def test_an_invitation_arrives_once_with_calendar_and_unsubscribe_headers(
    notify_factory: NotifyFactory, smtp: MailCatcher
) -> None:
    notify = await notify_factory()
    person = await notify.person(email="ahmad@example.id")
    event = invitation_issued(person)
    envelope = await notify.deliver(event)
    await notify.deliver(event, envelope)  # redelivered: no second notification
    await notify.sender().drain()

    [message] = smtp.store.messages()
    email = message.parsed()
    [row] = await notify.rows()
    assert row.state == "sent" and row.attempts == 1
    assert email["Subject"] == "Undangan: Kopilaborasi 2026"
    assert email["Message-ID"].strip() == f"<{row.id}@{notify.settings.message_id_domain}>"
    assert email["List-Unsubscribe"].startswith("<http://notify.test/unsubscribe?token=")
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    types = [part.get_content_type() for part in email.walk()]
    assert types == ["multipart/alternative", "text/plain", "text/html", "text/calendar"]
    calendar = next(p for p in email.walk() if p.get_content_type() == "text/calendar")
    assert calendar.get_param("method") == "REQUEST"
    ics = calendar.get_content().replace("\r\n ", "")  # unfolded
    assert f"UID:{event.event.calendar_uid}" in ics
    assert "ahmad@example.id" in ics and "PARTSTAT=NEEDS-ACTION" in ics
    text = email.get_body(("plain",)).get_content()
    assert "Sabtu, 28 November 2026 10.00 WIB" in text  # 03:00 UTC in Jombang
    assert f"http://127.0.0.1:8102/rsvp/{person.id}" in text

    await notify.sender().drain()
    assert len(smtp.store.messages()) == 1


async def test_quiet_hours_defer_until_morning_but_a_cancellation_goes_at_once(
    notify_factory: NotifyFactory, smtp: MailCatcher
) -> None:
    notify = await notify_factory()
    notify.clock.now = datetime(2026, 11, 22, 15, 30, tzinfo=UTC)  # 22:30 WIB
    person = await notify.person(email="malam@example.id")
    event = kopilaborasi()
    await notify.deliver(invitation_issued(person, event))
    await notify.deliver(
        EventCancelledV1(event=event.model_copy(update={"version": 2}), ics="BEGIN:VCALENDAR")
    )
    sender = notify.sender()
    await sender.drain()

    states = {r.template_key: r for r in await notify.rows()}
    assert states["invitation"].state == "cancelled"  # superseded by the cancellation
    assert states["event_cancelled"].state == "sent"
    assert [m.parsed()["Subject"] for m in smtp.store.messages()] == [
        "Dibatalkan: Kopilaborasi 2026"
    ]

    other = await notify.person(email="pagi@example.id")
    await notify.deliver(invitation_issued(other, kopilaborasi(event_id=new_id())))
    await sender.drain()
    [deferred] = await notify.rows(other.id)
    assert deferred.state == "deferred"
    morning = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # 06:00 WIB
    assert deferred.next_attempt_at.replace(tzinfo=UTC) == morning
    notify.clock.now = morning + timedelta(minutes=1)
    await sender.drain()
    [sent] = await notify.rows(other.id)
    assert sent.state == "sent" and len(smtp.store.messages()) == 2


async def test_quiet_hours_follow_each_recipients_own_time_zone(
    notify_factory: NotifyFactory, smtp: MailCatcher
) -> None:
    notify = await notify_factory()
    notify.clock.now = datetime(2026, 11, 22, 13, 30, tzinfo=UTC)  # 20:30 WIB
    jombang = await notify.person(email="jombang@example.id")  # no zone: WIB
    makassar = await notify.person(email="makassar@example.id", timezone="Asia/Makassar")
    jayapura = await notify.person(email="jayapura@example.id", timezone="Asia/Jayapura")
    for person in (jombang, makassar, jayapura):
        await notify.deliver(invitation_issued(person))
    sender = notify.sender()
    await sender.drain()

    [wib] = await notify.rows(jombang.id)
    [wita] = await notify.rows(makassar.id)  # 21:30 WITA
    [wit] = await notify.rows(jayapura.id)  # 22:30 WIT
    assert wib.state == "sent"
    assert (wita.state, wit.state) == ("deferred", "deferred")
    # 06:00 WITA (UTC+8) and 06:00 WIT (UTC+9) on the next morning.
    assert wita.next_attempt_at.replace(tzinfo=UTC) == datetime(2026, 11, 22, 22, 0, tzinfo=UTC)
    assert wit.next_attempt_at.replace(tzinfo=UTC) == datetime(2026, 11, 22, 21, 0, tzinfo=UTC)
    [message] = smtp.store.messages()
    assert message.rcpt_tos == ("jombang@example.id",)

    notify.clock.now = datetime(2026, 11, 22, 22, 0, tzinfo=UTC)  # 06:00 WITA, 07:00 WIT
    await sender.drain()
    texts = {
        m.rcpt_tos[0]: m.parsed().get_body(("plain",)).get_content() for m in smtp.store.messages()
    }
    assert len(texts) == len(smtp.store.messages()) == 3
    # The event's time reads in each recipient's zone: 03:00 UTC is 11.00 WITA, 12.00 WIT.
    assert "Sabtu, 28 November 2026 11.00 WITA" in texts["makassar@example.id"]
    assert "Sabtu, 28 November 2026 12.00 WIT" in texts["jayapura@example.id"]


async def test_opted_out_recipients_are_skipped_for_that_category_only(
    notify_factory: NotifyFactory, smtp: MailCatcher
) -> None:
    notify = await notify_factory()
    person = await notify.person(email="cukup@example.id")
    scope = UnsubscribeScope(person.id, "invitation", "email")
    assert await unsubscribe(notify.db, scope, DAYTIME)
    event = kopilaborasi()
    await notify.deliver(invitation_issued(person, event))
    await notify.deliver(reminder_due(person, event))
    await notify.sender().drain()
    by_key = {r.template_key: r for r in await notify.rows()}
    assert by_key["invitation"].state == "skipped"
    assert by_key["invitation"].reason == "opted_out"
    assert by_key["reminder"].state == "sent"
    assert [m.parsed()["Subject"] for m in smtp.store.messages()] == [
        "Pengingat: Kopilaborasi 2026"
    ]


async def test_a_hard_bounce_is_suppressed_and_later_messages_skipped(
    notify_factory: NotifyFactory, smtp: MailCatcher
) -> None:
    notify = await notify_factory(ladder=["email"])
    person = await notify.person(email="bounce@example.id")
    event = kopilaborasi()
    await notify.deliver(invitation_issued(person, event))
    await notify.sender().drain()
    [first] = await notify.rows()
    assert first.state == "dead" and first.reason == "permanent"
    assert "5.1.1" in first.last_error
    assert await notify.suppressed() == {("email", "bounce@example.id")}

    await notify.deliver(reminder_due(person, event))
    await notify.sender().drain()
    second = (await notify.rows())[1]
    assert (second.state, second.reason) == ("skipped", "suppressed")
    assert smtp.store.received == 0


async def test_a_temporary_smtp_failure_retries_with_backoff_until_dead(
    notify_factory: NotifyFactory, smtp: MailCatcher
) -> None:
    notify = await notify_factory(ladder=["email"], retry_max_attempts=3, retry_base_s=60)
    person = await notify.person(email="busy@example.id")
    await notify.deliver(invitation_issued(person))
    sender = notify.sender()
    await sender.drain()
    [row] = await notify.rows()
    assert row.state == "retrying" and row.attempts == 1
    # 60 s base, jitter ±25 % at its midpoint (rand = 0.5): exactly 60 s.
    assert row.next_attempt_at.replace(tzinfo=UTC) == notify.clock.now + timedelta(seconds=60)
    notify.clock.advance(60)
    await sender.drain()
    [row] = await notify.rows()
    assert row.state == "retrying"
    assert row.next_attempt_at.replace(tzinfo=UTC) == notify.clock.now + timedelta(seconds=120)
    notify.clock.advance(120)
    await sender.drain()
    [row] = await notify.rows()
    assert (row.state, row.reason, row.attempts) == ("dead", "exhausted", 3)
    assert [a.outcome for a in await notify.attempts(row.id)] == ["temporary"] * 3


async def test_an_expired_reminder_is_never_sent(
    notify_factory: NotifyFactory, smtp: MailCatcher
) -> None:
    notify = await notify_factory()
    person = await notify.person(email="telat@example.id")
    event = kopilaborasi(starts_at=DAYTIME + timedelta(hours=1))
    await notify.deliver(reminder_due(person, event))
    notify.clock.advance(3_600)  # the sender was down until the event started
    await notify.sender().drain()
    [row] = await notify.rows()
    assert (row.state, row.reason) == ("skipped", "expired")
    assert smtp.store.received == 0
