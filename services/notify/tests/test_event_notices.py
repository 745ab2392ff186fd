"""Notices from the events service through a real SMTP server: a withdrawn invitation
(with a calendar CANCEL for the invitee) and a seat offer that lapsed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING

from sinergi_kit.contracts.events import (
    EventSnapshot,
    InvitationRevokedV1,
    InvitationSnapshot,
    SeatStatus,
    WaitlistOfferedV1,
    WaitlistOfferExpiredV1,
)
from sinergi_kit.contracts.registry import PersonState
from sinergi_notify.mailcatcher import MailCatcher
from sinergi_notify.testing import Notify, invitation_for, invitation_issued, kopilaborasi

if TYPE_CHECKING:
    from conftest import NotifyFactory


def mail_to(smtp: MailCatcher, address: str) -> list[EmailMessage]:
    return [m.parsed() for m in smtp.store.messages() if m.rcpt_tos == (address,)]


def text_of(mail: EmailMessage) -> str:
    body = mail.get_body(("plain",))
    assert body is not None
    content: str = body.get_content()
    return content


def calendar_of(mail: EmailMessage) -> tuple[str | None, str]:
    part = next(p for p in mail.walk() if p.get_content_type() == "text/calendar")
    content: str = part.get_content()
    return part.get_param("method"), content  # type: ignore[return-value]


async def test_a_withdrawn_invitation_is_told_with_a_calendar_cancel(
    notify_factory: NotifyFactory, smtp: MailCatcher
) -> None:
    notify = await notify_factory()
    indonesian = await notify.person(email="dicabut@example.id")
    english = await notify.person(email="withdrawn@example.id", language="en")
    issued = {p.id: invitation_issued(p) for p in (indonesian, english)}
    for event in issued.values():
        await notify.deliver(event)
    await notify.sender().drain()
    for event in issued.values():
        revoked = event.invitation.model_copy(update={"version": 2, "revoked": True})
        await notify.deliver(InvitationRevokedV1(invitation=revoked, event=event.event))
    await notify.sender().drain()

    [invitation, withdrawal] = mail_to(smtp, "dicabut@example.id")
    assert withdrawal["Subject"] == "Undangan dicabut: Kopilaborasi 2026"
    assert "tidak berlaku lagi" in text_of(withdrawal)
    method, calendar = calendar_of(withdrawal)
    assert method == "CANCEL"
    assert "METHOD:CANCEL" in calendar and "STATUS:CANCELLED" in calendar
    assert f"UID:{issued[indonesian.id].event.calendar_uid}" in calendar
    assert "mailto:dicabut@example.id" in calendar.replace("\r\n ", "")
    assert "/rsvp/" not in calendar  # the link stops working with the withdrawal
    assert calendar_of(invitation)[0] == "REQUEST"
    [_, english_withdrawal] = mail_to(smtp, "withdrawn@example.id")
    assert english_withdrawal["Subject"] == "Invitation withdrawn: Kopilaborasi 2026"

    withdrawals = [r for r in await notify.rows() if r.template_key == "invitation_revoked"]
    assert [(r.state, r.category, r.ics_method) for r in withdrawals] == [
        ("sent", "invitation", "CANCEL")
    ] * 2


async def test_a_lapsed_seat_offer_is_told_and_an_unsent_offer_is_cancelled(
    notify_factory: NotifyFactory, smtp: MailCatcher
) -> None:
    notify = await notify_factory()
    event = kopilaborasi()
    told = await notify.person(email="lewat@example.id")
    english = await notify.person(email="lapsed@example.id", language="en")
    for person in (told, english):
        await notify.deliver(offered(notify, person, event, hours=10))
    await notify.sender().drain()
    for person in (told, english):
        await notify.deliver(expired(person, event, offered_at=notify.clock.now))
    await notify.sender().drain()

    [_offer, lapsed] = mail_to(smtp, "lewat@example.id")
    assert lapsed["Subject"] == "Tawaran kursi berakhir: Kopilaborasi 2026"
    text = text_of(lapsed)
    assert "kembali ke daftar tunggu" in text
    assert notify.settings.events_public_base_url.rstrip("/") + f"/rsvp/{told.id}" in text
    [_, english_lapsed] = mail_to(smtp, "lapsed@example.id")
    assert english_lapsed["Subject"] == "Seat offer lapsed: Kopilaborasi 2026"
    assert "rejoin the waiting list" in text_of(english_lapsed)
    notices = [r for r in await notify.rows() if r.template_key == "waitlist_offer_expired"]
    assert [(r.state, r.category) for r in notices] == [("sent", "event_change")] * 2
    assert {r.expires_at.astimezone(UTC) for r in notices} == {event.starts_at}

    # At night the offer waits for the morning; once it lapsed it is no use any more.
    notify.clock.now = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)  # 22:00 WIB
    sleeper = await notify.person(email="tidur@example.id")
    await notify.deliver(offered(notify, sleeper, event, hours=10))
    await notify.sender().drain()
    await notify.deliver(expired(sleeper, event, offered_at=notify.clock.now))
    await notify.sender().drain()
    rows = {r.template_key: r for r in await notify.rows(sleeper.id)}
    assert (rows["waitlist_offer"].state, rows["waitlist_offer"].reason) == (
        "cancelled",
        "offer_expired",
    )
    assert rows["waitlist_offer_expired"].state == "deferred"
    assert mail_to(smtp, "tidur@example.id") == []


def offered(
    notify: Notify, person: PersonState, event: EventSnapshot, *, hours: float
) -> WaitlistOfferedV1:
    return WaitlistOfferedV1(
        invitation=with_seat(invitation_for(person, event, "accepted"), "offered"),
        event=event,
        offer_expires_at=notify.clock.now + timedelta(hours=hours),
    )


def expired(
    person: PersonState, event: EventSnapshot, *, offered_at: datetime
) -> WaitlistOfferExpiredV1:
    return WaitlistOfferExpiredV1(
        invitation=with_seat(invitation_for(person, event, "accepted"), "none"),
        event=event,
        offered_at=offered_at,
        offer_expired_at=offered_at + timedelta(hours=10),
        expires_at=event.starts_at,
    )


def with_seat(invitation: InvitationSnapshot, status: SeatStatus) -> InvitationSnapshot:
    return invitation.model_copy(update={"seat": status})
