"""The values the console offers in its filters and forms, from the shared contracts, with
their labels in the reader's language where the catalog has one."""

from __future__ import annotations

from typing import Any, get_args

from sinergi_kit.contracts.events import InvitationRole
from sinergi_kit.contracts.factcheck import (
    CaseStatus,
    HoaxType,
    PublicLabel,
    Rating,
    RejectionReason,
    Urgency,
)
from sinergi_kit.contracts.registry import (
    AccountCategory,
    ManagedBy,
    OrganizationKind,
    PersonRole,
    Platform,
    VerificationStatus,
)
from sinergi_kit.i18n import Lang, translate

CHOICES: dict[str, tuple[str, ...]] = {
    "platform": get_args(Platform),
    "category": get_args(AccountCategory),
    "managed_by": get_args(ManagedBy),
    "verification_status": get_args(VerificationStatus),
    "organization_kind": get_args(OrganizationKind),
    "person_role": get_args(PersonRole),
    "invitation_role": get_args(InvitationRole),
    "case_status": get_args(CaseStatus),
    "urgency": get_args(Urgency),
    "rating": get_args(Rating),
    "hoax_type": get_args(HoaxType),
    "public_label": get_args(PublicLabel),
    "rejection_reason": get_args(RejectionReason),
    "evidence_kind": ("official_statement", "document", "reverse_image_search", "expert", "data"),
    "notification_state": (
        *("pending", "held", "bundled", "deferred", "sending", "retrying", "sent"),
        *("delivered", "read", "failed", "skipped", "dead", "cancelled"),
    ),
}


def label(kind: str, value: Any, lang: Lang) -> str:
    key = f"{kind}.{value}"
    text = translate(key, lang)
    return str(value) if text == key else text


def options(kind: str, lang: Lang) -> list[tuple[str, str]]:
    return [(value, label(kind, value, lang)) for value in CHOICES[kind]]
