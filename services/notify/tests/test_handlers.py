"""Events in, notifications out: reschedules supersede, revocations cancel, erasure purges,
share requests wait for the digest, verdicts reach consenting reporters, referrals reach
liaisons, verified accounts reach their managers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from sqlalchemy import select

from sinergi_kit.contracts.events import (
    EventRescheduledV1,
    InvitationRevokedV1,
    RsvpRecordedV1,
    WaitlistOfferedV1,
)
from sinergi_kit.contracts.factcheck import (
    AmplificationRequestedV1,
    AmplificationState,
    ClarificationCorrectedV1,
    ClarificationPublishedV1,
    ClarificationRetractedV1,
    ClarificationState,
    ReferralSentV1,
    ReferralState,
    ReporterContact,
    ReportReceivedV1,
    ReportState,
    ShareTask,
)
from sinergi_kit.contracts.registry import (
    AccountState,
    AccountVerifiedV1,
    PersonErasedV1,
    PersonRegisteredV1,
    VerificationChange,
)
from sinergi_kit.ids import new_id
from sinergi_notify.adapters.tables import recipients
from sinergi_notify.mailcatcher import MailCatcher
from sinergi_notify.service_layer.digest import assemble_digests
from sinergi_notify.testing import (
    DAYTIME,
    invitation_for,
    invitation_issued,
    kopilaborasi,
    person_state,
    reminder_due,
)

if TYPE_CHECKING:
    from conftest import NotifyFactory


async def test_a_reschedule_supersedes_unsent_messages_and_updates_the_calendar(
    notify_factory: NotifyFactory, smtp: MailCatcher
) -> None:
    notify = await notify_factory()
    accepted = await notify.person(email="hadir@example.id")
    declined = await notify.person(email="tidak@example.id")
    event = kopilaborasi()
    issued = invitation_issued(accepted, event)
    await notify.deliver(issued)
    declined_invitation = invitation_issued(declined, event)
    await notify.deliver(declined_invitation)
    await notify.deliver(
        RsvpRecordedV1(
            invitation=declined_invitation.invitation.model_copy(
                update={"version": 2, "response": "declined"}
            ),
            event=event,
            previous_response="pending",
            previous_seat="none",
            ics="BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        )
    )
    await notify.deliver(reminder_due(accepted, event))
    moved = kopilaborasi(starts_at=event.starts_at + timedelta(days=1), version=2, sequence=1)
    await notify.deliver(
        EventRescheduledV1(
            event=moved,
            previous_starts_at=event.starts_at,
            previous_ends_at=event.ends_at,
            previous_venue=event.venue,
            ics="BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        )
    )
    await notify.sender().drain()
    states = sorted((r.template_key, r.state) for r in await notify.rows(accepted.id))
    assert states == [
        ("event_rescheduled", "sent"),
        ("invitation", "cancelled"),
        ("reminder", "cancelled"),
    ]
    # The invitation row of the declined person kept its state; they hear no reschedule.
    assert {r.template_key for r in await notify.rows(declined.id)} == {
        "invitation",
        "rsvp_confirmation",
    }
    moved_mail = next(
        m.parsed() for m in smtp.store.messages() if m.rcpt_tos == ("hadir@example.id",)
    )
    assert moved_mail["Subject"] == "Jadwal berubah: Kopilaborasi 2026"
    calendar = next(p for p in moved_mail.walk() if p.get_content_type() == "text/calendar")
    assert "SEQUENCE:1" in calendar.get_content()


async def test_a_revoked_invitation_is_not_sent(notify_factory: NotifyFactory) -> None:
    notify = await notify_factory()
    person = await notify.person(email="dicabut@example.id")
    issued = invitation_issued(person)
    await notify.deliver(issued)
    revoked = issued.invitation.model_copy(update={"version": 2, "revoked": True})
    await notify.deliver(InvitationRevokedV1(invitation=revoked, event=issued.event))
    await notify.sender().drain()
    [row] = await notify.rows()
    assert (row.state, row.reason) == ("cancelled", "invitation_revoked")


async def test_a_waiting_list_offer_expires_with_the_offer(notify_factory: NotifyFactory) -> None:
    notify = await notify_factory()
    notify.clock.now = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)  # 22:00 WIB
    person = await notify.person(email="antre@example.id")
    event = kopilaborasi()
    await notify.deliver(
        WaitlistOfferedV1(
            invitation=invitation_for(person, event, "accepted"),
            event=event,
            offer_expires_at=notify.clock.now + timedelta(hours=2),
        )
    )
    await notify.sender().drain()
    [row] = await notify.rows()
    # The offer ends before the quiet hours do: it goes at night rather than never.
    assert (row.template_key, row.state) == ("waitlist_offer", "sent")


async def test_erasure_purges_contact_data_and_cancels_what_was_pending(
    notify_factory: NotifyFactory,
) -> None:
    notify = await notify_factory()
    person = await notify.person(email="hapus@example.id")
    await notify.deliver(invitation_issued(person))
    await notify.deliver(PersonErasedV1(person_id=person.id, version=1, erased_at=DAYTIME))
    await notify.sender().drain()
    [row] = await notify.rows()
    assert (row.state, row.reason, row.address, row.context) == ("cancelled", "erased", None, {})
    async with notify.db.read() as session:
        stored = (await session.execute(select(recipients))).one()
    assert (stored.erased, stored.email, stored.name, stored.whatsapp) == (True, None, None, None)


async def test_share_requests_wait_for_the_digest_hour_and_go_out_together(
    notify_factory: NotifyFactory, smtp: MailCatcher
) -> None:
    notify = await notify_factory()
    account = new_id()
    person = await notify.person(email="admin.akun@example.id", accounts=[account])
    for title in ("Hoaks surat suara", "Hoaks bansos"):
        await notify.deliver(amplification(account, title, DAYTIME + timedelta(days=3)))
    sender = notify.sender()
    await sender.run_once()
    assert {r.state for r in await notify.rows(person.id)} == {"held"}
    notify.clock.now = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 08:00 WIB next day
    assert await assemble_digests(notify.db, notify.settings, notify.clock.now) == 1
    await sender.drain()
    states = sorted((r.template_key, r.state) for r in await notify.rows(person.id))
    assert states == [
        ("digest", "sent"),
        ("share_request", "bundled"),
        ("share_request", "bundled"),
    ]
    [message] = smtp.store.messages()
    text = message.parsed().get_body(("plain",)).get_content()
    assert "Hoaks surat suara" in text and "Hoaks bansos" in text


async def test_the_digest_hour_is_the_recipients_own(
    notify_factory: NotifyFactory,
) -> None:
    notify = await notify_factory()
    account = new_id()
    person = await notify.person(
        email="makassar@example.id", accounts=[account], timezone="Asia/Makassar"
    )
    await notify.deliver(amplification(account, "Hoaks banjir", DAYTIME + timedelta(days=3)))
    [row] = await notify.rows(person.id)
    # 11:00 WITA now; the digest goes at 08:00 WITA (00:00 UTC) the next day, not 08:00 WIB.
    assert row.state == "held"
    assert row.digest_at.replace(tzinfo=UTC) == datetime(2026, 11, 23, 0, 0, tzinfo=UTC)


async def test_an_urgent_share_request_skips_the_digest(
    notify_factory: NotifyFactory, smtp: MailCatcher
) -> None:
    notify = await notify_factory()
    account = new_id()
    await notify.person(email="cepat@example.id", accounts=[account])
    await notify.deliver(amplification(account, "Hoaks mendesak", DAYTIME + timedelta(hours=3)))
    await notify.sender().drain()
    [row] = await notify.rows()
    assert (row.template_key, row.state) == ("share_request", "sent")


async def test_verdicts_reach_reporters_who_asked_and_referrals_reach_liaisons(
    notify_factory: NotifyFactory, smtp: MailCatcher
) -> None:
    notify = await notify_factory()
    case_id, partner = new_id(), new_id()
    asked, silent = new_id(), new_id()
    for report_id, contact in (
        (asked, ReporterContact(channel="email", address="warga@example.id", locale="en")),
        (silent, None),
    ):
        await notify.deliver(report_received(report_id, case_id, contact))
    await notify.deliver(ClarificationPublishedV1(clarification=clarification(case_id, [asked])))
    await notify.person(
        email="liaison@bawaslu.example.id", roles=["liaison"], organization_id=partner
    )
    await notify.person(email="staf@bawaslu.example.id", organization_id=partner)
    await notify.deliver(
        ReferralSentV1(
            referral=ReferralState(
                id=new_id(),
                case_id=case_id,
                version=1,
                partner="bawaslu",
                organization_id=partner,
                reason="Dugaan pelanggaran kampanye",
                status="sent",
                deadline=DAYTIME + timedelta(days=2),
                evidence_bundle_sha256="a" * 64,
                sent_at=DAYTIME,
            )
        )
    )
    await notify.sender().drain()
    subjects = {m.rcpt_tos[0]: m.parsed()["Subject"] for m in smtp.store.messages()}
    assert subjects == {
        "warga@example.id": "[HOAKS] Ballots marked before polling day",
        "liaison@bawaslu.example.id": "Rujukan kasus dari KKD Jombang (tenggat Selasa, "
        "24 November 2026 10.00 WIB)",
    }


async def test_a_corrected_verdict_supersedes_the_unsent_one_and_a_retraction_follows(
    notify_factory: NotifyFactory, smtp: MailCatcher
) -> None:
    notify = await notify_factory()
    case_id, report_id = new_id(), new_id()
    contact = ReporterContact(channel="email", address="pelapor@example.id")
    await notify.deliver(report_received(report_id, case_id, contact))
    published = clarification(case_id, [report_id])
    corrected = published.model_copy(update={"version": 2, "status": "corrected"})
    await notify.deliver(ClarificationPublishedV1(clarification=published))
    await notify.deliver(
        ClarificationCorrectedV1(
            clarification=corrected, note_id="Foto dari 2018.", note_en="A 2018 photo."
        )
    )
    await notify.sender().drain()
    states = [(r.template_key, r.state, r.reason) for r in await notify.rows(report_id)]
    assert states == [("verdict", "cancelled", "superseded"), ("verdict_changed", "sent", None)]
    [message] = smtp.store.messages()
    assert message.parsed()["Subject"] == (
        "Dikoreksi: [HOAKS] Surat suara sudah dicoblos sebelum hari pemungutan"
    )
    assert "Foto dari 2018." in message.parsed().get_body(("plain",)).get_content()

    retracted = published.model_copy(update={"version": 3, "status": "retracted"})
    await notify.deliver(
        ClarificationRetractedV1(
            clarification=retracted, reason_id="Sumber keliru.", reason_en="Wrong source."
        )
    )
    await notify.sender().drain()
    subjects = [m.parsed()["Subject"] for m in smtp.store.messages()]
    assert subjects[1].startswith("Ditarik: [HOAKS]")
    assert [r.state for r in await notify.rows(report_id)] == ["cancelled", "sent", "sent"]


async def test_managers_hear_that_their_account_was_verified(
    notify_factory: NotifyFactory, smtp: MailCatcher
) -> None:
    notify = await notify_factory()
    account_id = new_id()
    await notify.person(email="pengelola@example.id", accounts=[account_id], consents=[])
    account = AccountState(
        id=account_id,
        version=2,
        platform="instagram",
        handle="kecamatan.diwek",
        display_name="Kecamatan Diwek",
        managed_by="government",
        category="government",
        verification_status="verified",
        created_at=DAYTIME,
        updated_at=DAYTIME,
    )
    change = VerificationChange(from_status="pending", to_status="verified", by="op", at=DAYTIME)
    await notify.deliver(AccountVerifiedV1(account=account, change=change))
    await notify.sender().drain()
    [message] = smtp.store.messages()
    assert message.parsed()["Subject"] == "Akun Kecamatan Diwek terverifikasi"


def amplification(account: UUID, title: str, deadline: datetime) -> AmplificationRequestedV1:
    return AmplificationRequestedV1(
        campaign=AmplificationState(
            id=new_id(),
            clarification_id=new_id(),
            case_id=new_id(),
            title=title,
            clarification_url="https://sinergi.jombangkab.go.id/klarifikasi/1",
            share_kit={"instagram": "Cek fakta"},
            deadline=deadline,
            tasks=[
                ShareTask(
                    id=new_id(),
                    account_id=account,
                    segment="@kecamatan.diwek",
                    confirm_url="https://sinergi.jombangkab.go.id/share/1",
                )
            ],
            requested_at=DAYTIME,
        )
    )


def report_received(
    report_id: UUID, case_id: UUID, contact: ReporterContact | None
) -> ReportReceivedV1:
    return ReportReceivedV1(
        report=ReportState(
            id=report_id,
            case_id=case_id,
            channel="public",
            text="Surat suara sudah dicoblos?",
            match="new",
            received_at=DAYTIME,
        ),
        reporter_contact=contact,
    )


def clarification(case_id: UUID, report_ids: list[UUID]) -> ClarificationState:
    return ClarificationState(
        id=new_id(),
        case_id=case_id,
        version=1,
        status="published",
        label="HOAKS",
        rating="salah",
        title_id="Surat suara sudah dicoblos sebelum hari pemungutan",
        title_en="Ballots marked before polling day",
        summary_id="Foto simulasi 2019.",
        summary_en="A 2019 simulation photo.",
        url="https://sinergi.jombangkab.go.id/k/1",
        report_ids=report_ids,
        claim_review={},
        published_at=DAYTIME,
        updated_at=DAYTIME,
    )


async def test_an_invitation_that_outruns_the_registry_waits_for_its_recipient(
    notify_factory: NotifyFactory, smtp: MailCatcher
) -> None:
    notify = await notify_factory()
    person = person_state(email="terlambat@example.id")
    await notify.deliver(invitation_issued(person))
    sender = notify.sender()
    await sender.drain()
    [row] = await notify.rows()
    assert (row.state, row.reason, row.address) == ("deferred", "awaiting_recipient", None)
    await notify.deliver(PersonRegisteredV1(person=person))
    await sender.drain()
    [row] = await notify.rows()
    assert (row.state, row.address) == ("sent", "terlambat@example.id")
    assert smtp.store.received == 1
