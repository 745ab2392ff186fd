"""Domain events in, notifications out. Each handler runs inside the consumer's unit of work,
so the notification rows commit with the inbox row of the event that caused them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select, update

from sinergi_kit.clock import utcnow
from sinergi_kit.contracts.events import (
    EventCancelledV1,
    EventRescheduledV1,
    EventSnapshot,
    InvitationIssuedV1,
    InvitationRevokedV1,
    InvitationSnapshot,
    ReminderDueV1,
    RsvpRecordedV1,
    WaitlistOfferedV1,
    WaitlistOfferExpiredV1,
)
from sinergi_kit.contracts.factcheck import (
    AmplificationRequestedV1,
    CaseMergedV1,
    CaseOverdueV1,
    ClarificationCorrectedV1,
    ClarificationPublishedV1,
    ClarificationRetractedV1,
    ClarificationState,
    ReferralSentV1,
    ReportReceivedV1,
)
from sinergi_kit.contracts.registry import AccountVerifiedV1
from sinergi_kit.db import upsert_newer
from sinergi_kit.envelope import Envelope
from sinergi_kit.uow import UnitOfWork
from sinergi_notify.adapters.calendar import Method, invitation_ics
from sinergi_notify.adapters.repository import (
    Recipient,
    insert_ignoring_conflicts,
    load_recipients,
)
from sinergi_notify.adapters.tables import (
    invitations,
    notifications,
    preferences,
    recipient_accounts,
    recipients,
    reports,
)
from sinergi_notify.domain.model import Category
from sinergi_notify.service_layer.enqueue import (
    NotificationRequest,
    cancel_unsent,
    default_expiry,
    enqueue,
)
from sinergi_notify.settings import NotifySettings


class EventHandlers:
    """The bus handlers, bound to the service's settings."""

    def __init__(self, settings: NotifySettings, clock: Callable[[], datetime] = utcnow) -> None:
        self.settings = settings
        self.clock = clock

    # -- helpers ----------------------------------------------------------------------------

    def rsvp_url(self, invitation: InvitationSnapshot) -> str:
        return self.settings.events_public_base_url.rstrip("/") + invitation.rsvp_path

    def invitation_context(
        self, event: EventSnapshot, invitation: InvitationSnapshot
    ) -> dict[str, Any]:
        return {
            "event": event.model_dump(mode="json"),
            "invitation_id": str(invitation.id),
            "rsvp_url": self.rsvp_url(invitation),
            "role": invitation.role,
            "response": invitation.response,
            "seat": invitation.seat,
        }

    def personal_ics(
        self,
        event: EventSnapshot,
        invitation: InvitationSnapshot,
        recipient: Recipient | None,
        method: Method = "REQUEST",
    ) -> str:
        return invitation_ics(
            event,
            invitation,
            attendee_email=recipient.addresses.get("email") if recipient else None,
            attendee_name=recipient.name if recipient else "",
            rsvp_url=self.rsvp_url(invitation) if method == "REQUEST" else None,
            stamp=self.clock(),
            method=method,
        )

    @staticmethod
    async def project_invitations(uow: UnitOfWork, items: Sequence[InvitationSnapshot]) -> None:
        await upsert_newer(
            uow.session,
            invitations,
            [
                {
                    "id": i.id,
                    "version": i.version,
                    "event_id": i.event_id,
                    "person_id": i.person_id,
                    "role": i.role,
                    "response": i.response,
                    "seat": i.seat,
                    "rsvp_path": i.rsvp_path,
                    "revoked": i.revoked,
                }
                for i in items
            ],
        )

    # -- events service ---------------------------------------------------------------------

    async def on_invitations_issued(
        self, uow: UnitOfWork, events: Sequence[tuple[Envelope, InvitationIssuedV1]]
    ) -> None:
        await self.project_invitations(uow, [e.invitation for _, e in events])
        people = await load_recipients(uow.session, (e.invitation.person_id for _, e in events))
        requests = [
            NotificationRequest(
                source_event_id=envelope.id,
                source_type=envelope.type,
                recipient_id=event.invitation.person_id,
                category="invitation",
                template_key="invitation",
                context=self.invitation_context(event.event, event.invitation),
                expires_at=event.expires_at,
                group_key=f"event:{event.event.id}",
                group_version=event.event.version,
                ics=self.personal_ics(
                    event.event, event.invitation, people.get(event.invitation.person_id)
                ),
                ics_method="REQUEST",
            )
            for envelope, event in events
            if not event.invitation.revoked
        ]
        await enqueue(uow.session, self.settings, requests, self.clock())

    async def on_invitation_revoked(
        self, uow: UnitOfWork, envelope: Envelope, event: InvitationRevokedV1
    ) -> None:
        """What has not gone yet is cancelled; an invitee who has heard of the invitation is
        told it is withdrawn, with a calendar CANCEL that removes it from their calendar."""
        now = self.clock()
        group = f"event:{event.event.id}"
        person_id = event.invitation.person_id
        await self.project_invitations(uow, [event.invitation])
        await cancel_unsent(
            uow.session,
            group_key=group,
            recipient_id=person_id,
            now=now,
            reason="invitation_revoked",
        )
        if not await self._has_heard(uow, group, person_id):
            return
        people = await load_recipients(uow.session, [person_id])
        request = NotificationRequest(
            source_event_id=envelope.id,
            source_type=envelope.type,
            recipient_id=person_id,
            category="invitation",
            template_key="invitation_revoked",
            context=self.invitation_context(event.event, event.invitation),
            expires_at=event.event.starts_at,
            group_key=None,  # a later move of the event must not supersede the withdrawal
            ics=self.personal_ics(event.event, event.invitation, people.get(person_id), "CANCEL"),
            ics_method="CANCEL",
        )
        await enqueue(uow.session, self.settings, [request], now)

    @staticmethod
    async def _has_heard(uow: UnitOfWork, group: str, person_id: UUID) -> bool:
        """Whether anything about the event has gone (or is going) to the person."""
        n = notifications.c
        query = select(n.id).where(
            n.group_key == group,
            n.recipient_id == person_id,
            n.state.in_(("sending", "sent", "delivered", "read")),
        )
        return (await uow.session.execute(query.limit(1))).first() is not None

    async def on_rsvp_recorded(
        self, uow: UnitOfWork, envelope: Envelope, event: RsvpRecordedV1
    ) -> None:
        await self.project_invitations(uow, [event.invitation])
        await self._to_invitee(
            uow,
            envelope,
            event.event,
            event.invitation,
            category="invitation",
            template_key="rsvp_confirmation",
            expires_at=event.event.starts_at,
            ics=event.ics,
        )

    async def on_waitlist_offered(
        self, uow: UnitOfWork, envelope: Envelope, event: WaitlistOfferedV1
    ) -> None:
        await self.project_invitations(uow, [event.invitation])
        await self._to_invitee(
            uow,
            envelope,
            event.event,
            event.invitation,
            category="invitation",
            template_key="waitlist_offer",
            expires_at=event.offer_expires_at,
            extra={"offer_expires_at": event.offer_expires_at.isoformat()},
        )

    async def on_waitlist_offer_expired(
        self, uow: UnitOfWork, envelope: Envelope, event: WaitlistOfferExpiredV1
    ) -> None:
        """The person is told the offer lapsed; an offer still unsent is no use any more."""
        await self.project_invitations(uow, [event.invitation])
        await cancel_unsent(
            uow.session,
            group_key=f"event:{event.event.id}",
            recipient_id=event.invitation.person_id,
            template_keys=["waitlist_offer"],
            now=self.clock(),
            reason="offer_expired",
        )
        await self._to_invitee(
            uow,
            envelope,
            event.event,
            event.invitation,
            category="event_change",
            template_key="waitlist_offer_expired",
            expires_at=event.expires_at,
            extra={
                "offered_at": event.offered_at.isoformat(),
                "offer_expired_at": event.offer_expired_at.isoformat(),
            },
        )

    async def on_reminder_due(
        self, uow: UnitOfWork, envelope: Envelope, event: ReminderDueV1
    ) -> None:
        await self._to_invitee(
            uow,
            envelope,
            event.event,
            event.invitation,
            category="reminder",
            template_key="reminder",
            expires_at=event.expires_at,
            extra={"audience": event.audience, "offset_minutes": event.offset_minutes},
        )

    async def on_event_rescheduled(
        self, uow: UnitOfWork, envelope: Envelope, event: EventRescheduledV1
    ) -> None:
        """Older unsent messages of the event are superseded; every invitee hears of the move
        with an updated calendar entry (same UID, higher SEQUENCE)."""
        now = self.clock()
        group = f"event:{event.event.id}"
        await cancel_unsent(
            uow.session,
            group_key=group,
            older_than_version=event.event.version,
            now=now,
            reason="superseded",
        )
        invitees = await self._invitees(uow, event.event.id, exclude_declined=True)
        people = await load_recipients(uow.session, (i.person_id for i in invitees))
        extra = {
            "previous_starts_at": event.previous_starts_at.isoformat(),
            "previous_ends_at": event.previous_ends_at.isoformat(),
            "previous_venue": event.previous_venue.model_dump(mode="json"),
        }
        requests = [
            NotificationRequest(
                source_event_id=envelope.id,
                source_type=envelope.type,
                recipient_id=invitation.person_id,
                category="event_change",
                template_key="event_rescheduled",
                context={**self.invitation_context(event.event, invitation), **extra},
                expires_at=event.event.starts_at,
                group_key=group,
                group_version=event.event.version,
                ics=self.personal_ics(event.event, invitation, people.get(invitation.person_id)),
                ics_method="REQUEST",
            )
            for invitation in invitees
            if invitation.person_id in people
        ]
        await enqueue(uow.session, self.settings, requests, now)

    async def on_event_cancelled(
        self, uow: UnitOfWork, envelope: Envelope, event: EventCancelledV1
    ) -> None:
        """Everything unsent about the event is cancelled; invitees are told at once."""
        now = self.clock()
        group = f"event:{event.event.id}"
        await cancel_unsent(uow.session, group_key=group, now=now, reason="event_cancelled")
        invitees = await self._invitees(uow, event.event.id, exclude_declined=True)
        known = await load_recipients(uow.session, (i.person_id for i in invitees))
        reason = event.reason.model_dump(mode="json") if event.reason else None
        requests = [
            NotificationRequest(
                source_event_id=envelope.id,
                source_type=envelope.type,
                recipient_id=invitation.person_id,
                category="event_change",
                template_key="event_cancelled",
                context={**self.invitation_context(event.event, invitation), "reason": reason},
                expires_at=event.event.ends_at,
                urgent=True,
                group_key=None,  # a later cancellation sweep must not cancel this notice
                ics=event.ics,
                ics_method="CANCEL",
            )
            for invitation in invitees
            if invitation.person_id in known
        ]
        await enqueue(uow.session, self.settings, requests, now)

    async def _invitees(
        self, uow: UnitOfWork, event_id: UUID, *, exclude_declined: bool
    ) -> list[InvitationSnapshot]:
        query = select(invitations).where(
            invitations.c.event_id == event_id, invitations.c.revoked.is_(False)
        )
        if exclude_declined:
            query = query.where(invitations.c.response != "declined")
        rows = (await uow.session.execute(query)).all()
        return [
            InvitationSnapshot(
                id=r.id,
                version=r.version,
                event_id=r.event_id,
                person_id=r.person_id,
                role=r.role,
                response=r.response,
                seat=r.seat,
                rsvp_path=r.rsvp_path,
                revoked=r.revoked,
            )
            for r in rows
        ]

    async def _to_invitee(
        self,
        uow: UnitOfWork,
        envelope: Envelope,
        event: EventSnapshot,
        invitation: InvitationSnapshot,
        *,
        category: Category,
        template_key: str,
        expires_at: datetime,
        extra: dict[str, Any] | None = None,
        ics: str | None = None,
    ) -> None:
        await enqueue(
            uow.session,
            self.settings,
            [
                NotificationRequest(
                    source_event_id=envelope.id,
                    source_type=envelope.type,
                    recipient_id=invitation.person_id,
                    category=category,
                    template_key=template_key,
                    context={**self.invitation_context(event, invitation), **(extra or {})},
                    expires_at=expires_at,
                    group_key=f"event:{event.id}",
                    group_version=event.version,
                    ics=ics,
                    ics_method="REQUEST" if ics else None,
                )
            ],
            self.clock(),
        )

    # -- registry ---------------------------------------------------------------------------

    async def on_account_verified(
        self, uow: UnitOfWork, envelope: Envelope, event: AccountVerifiedV1
    ) -> None:
        managers = (
            await uow.session.execute(
                select(recipient_accounts.c.person_id).where(
                    recipient_accounts.c.account_id == event.account.id
                )
            )
        ).scalars()
        now = self.clock()
        account = event.account.model_dump(
            mode="json", include={"platform", "handle", "display_name"}
        )
        await enqueue(
            uow.session,
            self.settings,
            [
                NotificationRequest(
                    source_event_id=envelope.id,
                    source_type=envelope.type,
                    recipient_id=person_id,
                    category="account",
                    template_key="account_verified",
                    context={"account": account},
                    expires_at=default_expiry(self.settings, now),
                )
                for person_id in managers
            ],
            now,
        )

    # -- factcheck --------------------------------------------------------------------------

    async def on_report_received(
        self, uow: UnitOfWork, envelope: Envelope, event: ReportReceivedV1
    ) -> None:
        """Keep the reporter's contact only when they asked to hear the verdict."""
        contact = event.reporter_contact
        if contact is None:
            return
        report = event.report
        session = uow.session
        await session.execute(
            insert_ignoring_conflicts(session, reports, ["id"]),
            [{"id": report.id, "case_id": report.case_id, "received_at": report.received_at}],
        )
        await session.execute(
            insert_ignoring_conflicts(session, recipients, ["id"]),
            [
                {
                    "id": report.id,
                    "version": 1,
                    "kind": "reporter",
                    "name": "",
                    "language": contact.locale,
                    "email": contact.address if contact.channel == "email" else None,
                    "whatsapp": contact.address if contact.channel == "whatsapp" else None,
                    "telegram": None,
                    "sms": contact.address if contact.channel == "sms" else None,
                    "roles": [],
                    "organization_id": None,
                    "consents": {"factcheck_result": True},
                    "erased": False,
                    "updated_at": report.received_at,
                }
            ],
        )
        await session.execute(
            insert_ignoring_conflicts(session, preferences, ["recipient_id"]),
            [
                {
                    "recipient_id": report.id,
                    "opted_out": [],
                    "ladder": [contact.channel],
                    "quiet_start": None,
                    "quiet_end": None,
                    "timezone": None,
                    "webhook_url": None,
                    "updated_at": report.received_at,
                }
            ],
        )

    async def on_case_merged(
        self, uow: UnitOfWork, envelope: Envelope, event: CaseMergedV1
    ) -> None:
        if event.report_ids:
            await uow.session.execute(
                update(reports)
                .where(reports.c.id.in_(event.report_ids))
                .values(case_id=event.into.id)
            )

    async def on_clarification_published(
        self, uow: UnitOfWork, envelope: Envelope, event: ClarificationPublishedV1
    ) -> None:
        await self._tell_reporters(uow, envelope, event.clarification, "verdict", {})

    async def on_clarification_changed(
        self,
        uow: UnitOfWork,
        envelope: Envelope,
        event: ClarificationCorrectedV1 | ClarificationRetractedV1,
    ) -> None:
        """A correction or a retraction: the reporters hear of it with its note."""
        if isinstance(event, ClarificationCorrectedV1):
            change = {"kind": "corrected", "note_id": event.note_id, "note_en": event.note_en}
        else:
            change = {"kind": "retracted", "note_id": event.reason_id, "note_en": event.reason_en}
        await self._tell_reporters(
            uow, envelope, event.clarification, "verdict_changed", {"change": change}
        )

    async def _tell_reporters(
        self,
        uow: UnitOfWork,
        envelope: Envelope,
        clarification: ClarificationState,
        template_key: str,
        extra: dict[str, Any],
    ) -> None:
        """Tell every reporter of the case who asked for the verdict; what an older version
        of the clarification left unsent is superseded."""
        now = self.clock()
        group = f"clarification:{clarification.id}"
        await cancel_unsent(
            uow.session,
            group_key=group,
            older_than_version=clarification.version,
            now=now,
            reason="superseded",
        )
        report_ids = set(clarification.report_ids)
        report_ids.update(
            (
                await uow.session.execute(
                    select(reports.c.id).where(reports.c.case_id == clarification.case_id)
                )
            ).scalars()
        )
        known = (
            await uow.session.execute(
                select(reports.c.id).where(reports.c.id.in_(list(report_ids)))
            )
        ).scalars()
        context = {
            "clarification": clarification.model_dump(
                mode="json", exclude={"claim_review", "report_ids"}
            ),
            **extra,
        }
        await enqueue(
            uow.session,
            self.settings,
            [
                NotificationRequest(
                    source_event_id=envelope.id,
                    source_type=envelope.type,
                    recipient_id=report_id,
                    category="factcheck_result",
                    template_key=template_key,
                    context=context,
                    expires_at=default_expiry(self.settings, now),
                    group_key=group,
                    group_version=clarification.version,
                )
                for report_id in known
            ],
            now,
        )

    async def on_amplification_requested(
        self, uow: UnitOfWork, envelope: Envelope, event: AmplificationRequestedV1
    ) -> None:
        """One request per account manager, listing the share tasks of their accounts."""
        campaign = event.campaign
        tasks_by_account: dict[UUID, list[dict[str, Any]]] = {}
        for task in campaign.tasks:
            tasks_by_account.setdefault(task.account_id, []).append(task.model_dump(mode="json"))
        rows = (
            await uow.session.execute(
                select(recipient_accounts).where(
                    recipient_accounts.c.account_id.in_(list(tasks_by_account))
                )
            )
        ).all()
        per_person: dict[UUID, list[dict[str, Any]]] = {}
        for row in rows:
            per_person.setdefault(row.person_id, []).extend(tasks_by_account[row.account_id])
        summary = campaign.model_dump(
            mode="json", include={"id", "title", "clarification_url", "deadline", "share_kit"}
        )
        await enqueue(
            uow.session,
            self.settings,
            [
                NotificationRequest(
                    source_event_id=envelope.id,
                    source_type=envelope.type,
                    recipient_id=person_id,
                    category="dissemination",
                    template_key="share_request",
                    context={"campaign": summary, "tasks": tasks},
                    expires_at=campaign.deadline,
                )
                for person_id, tasks in per_person.items()
            ],
            self.clock(),
        )

    async def _tell_organisation(
        self,
        uow: UnitOfWork,
        envelope: Envelope,
        organization_id: UUID,
        role: str,
        template_key: str,
        context: dict[str, Any],
        expires_at: datetime,
    ) -> None:
        """One factcheck notification to each person of the organisation with ``role``."""
        rows = (
            await uow.session.execute(
                select(recipients.c.id, recipients.c.roles).where(
                    recipients.c.organization_id == organization_id,
                    recipients.c.erased.is_(False),
                )
            )
        ).all()
        await enqueue(
            uow.session,
            self.settings,
            [
                NotificationRequest(
                    source_event_id=envelope.id,
                    source_type=envelope.type,
                    recipient_id=row.id,
                    category="factcheck_result",
                    template_key=template_key,
                    context=context,
                    expires_at=expires_at,
                )
                for row in rows
                if role in row.roles
            ],
            self.clock(),
        )

    async def on_referral_sent(
        self, uow: UnitOfWork, envelope: Envelope, event: ReferralSentV1
    ) -> None:
        """Tell the partner body's liaisons."""
        referral = event.referral
        if referral.organization_id is not None:
            await self._tell_organisation(
                uow,
                envelope,
                referral.organization_id,
                "liaison",
                "referral",
                {"referral": referral.model_dump(mode="json")},
                referral.deadline,
            )

    async def on_case_overdue(
        self, uow: UnitOfWork, envelope: Envelope, event: CaseOverdueV1
    ) -> None:
        """Remind the verifiers of the organisation a late case is assigned to. A case not
        assigned yet is KKD's own, listed on its overdue queue."""
        case = event.case
        if case.organization_id is not None:
            await self._tell_organisation(
                uow,
                envelope,
                case.organization_id,
                "verifier",
                "case_overdue",
                {"case": case.model_dump(mode="json"), "hours": event.time_limit_hours},
                default_expiry(self.settings, self.clock()),
            )
