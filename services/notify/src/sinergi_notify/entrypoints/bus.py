"""The durable consumers of notify: registry people and accounts, events, factcheck."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sinergi_kit.clock import utcnow
from sinergi_kit.contracts.events import (
    EventCancelledV1,
    EventRescheduledV1,
    InvitationIssuedV1,
    InvitationRevokedV1,
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
    ReferralSentV1,
    ReportReceivedV1,
)
from sinergi_kit.contracts.registry import (
    AccountVerifiedV1,
    PersonErasedV1,
    PersonRegisteredV1,
    PersonUpdatedV1,
)
from sinergi_kit.messaging.consumer import Subscription
from sinergi_notify.service_layer.handlers import EventHandlers
from sinergi_notify.service_layer.recipients import on_people, on_person_erased
from sinergi_notify.settings import NotifySettings


def subscriptions(
    settings: NotifySettings, clock: Callable[[], datetime] = utcnow
) -> list[Subscription]:
    h = EventHandlers(settings, clock)
    return [
        Subscription(
            durable="notify-registry",
            batch_handlers={
                PersonRegisteredV1.event_type: on_people,
                PersonUpdatedV1.event_type: on_people,
            },
            handlers={
                PersonErasedV1.event_type: on_person_erased,
                AccountVerifiedV1.event_type: h.on_account_verified,
            },
        ),
        Subscription(
            durable="notify-events",
            batch_handlers={InvitationIssuedV1.event_type: h.on_invitations_issued},
            handlers={
                InvitationRevokedV1.event_type: h.on_invitation_revoked,
                RsvpRecordedV1.event_type: h.on_rsvp_recorded,
                WaitlistOfferedV1.event_type: h.on_waitlist_offered,
                WaitlistOfferExpiredV1.event_type: h.on_waitlist_offer_expired,
                ReminderDueV1.event_type: h.on_reminder_due,
                EventRescheduledV1.event_type: h.on_event_rescheduled,
                EventCancelledV1.event_type: h.on_event_cancelled,
            },
        ),
        Subscription(
            durable="notify-factcheck",
            handlers={
                ReportReceivedV1.event_type: h.on_report_received,
                CaseMergedV1.event_type: h.on_case_merged,
                ClarificationPublishedV1.event_type: h.on_clarification_published,
                ClarificationCorrectedV1.event_type: h.on_clarification_changed,
                ClarificationRetractedV1.event_type: h.on_clarification_changed,
                AmplificationRequestedV1.event_type: h.on_amplification_requested,
                ReferralSentV1.event_type: h.on_referral_sent,
                CaseOverdueV1.event_type: h.on_case_overdue,
            },
        ),
    ]
