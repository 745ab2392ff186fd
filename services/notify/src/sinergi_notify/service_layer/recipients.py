"""The recipients projection: people from the registry's events, purged on erasure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, get_args

from sqlalchemy import delete, select, update

from sinergi_kit.contracts.registry import (
    ConsentPurpose,
    PersonErasedV1,
    PersonRegisteredV1,
    PersonState,
    PersonUpdatedV1,
)
from sinergi_kit.db import upsert_newer
from sinergi_kit.envelope import Envelope
from sinergi_kit.logging import get_logger
from sinergi_kit.uow import UnitOfWork
from sinergi_notify.adapters.repository import insert_ignoring_conflicts
from sinergi_notify.adapters.tables import (
    attempts,
    notifications,
    preferences,
    recipient_accounts,
    recipients,
    suppressions,
)
from sinergi_notify.domain.model import UNSENT_STATES
from sinergi_notify.service_layer.enqueue import AWAITING_RECIPIENT

log = get_logger(__name__)
PURPOSES: tuple[ConsentPurpose, ...] = get_args(ConsentPurpose)


def person_row(person: PersonState) -> dict[str, Any]:
    return {
        "id": person.id,
        "version": person.version,
        "kind": "person",
        "name": person.name,
        "language": person.preferred_language,
        "timezone": person.timezone,
        "email": person.contact.email,
        "whatsapp": person.contact.whatsapp,
        "telegram": person.contact.telegram,
        "sms": person.contact.whatsapp,  # the registry keeps one mobile number
        "roles": list(person.roles),
        "organization_id": person.organization_id,
        "consents": {purpose: person.consents_to(purpose) for purpose in PURPOSES},
        "erased": False,
        "updated_at": person.updated_at,
    }


async def on_people(
    uow: UnitOfWork, events: Sequence[tuple[Envelope, PersonRegisteredV1 | PersonUpdatedV1]]
) -> None:
    newest: dict[Any, PersonState] = {}
    for _, event in events:
        seen = newest.get(event.person.id)
        if seen is None or seen.version < event.person.version:
            newest[event.person.id] = event.person
    await upsert_newer(uow.session, recipients, [person_row(p) for p in newest.values()])
    stored = dict(
        (
            await uow.session.execute(
                select(recipients.c.id, recipients.c.version).where(
                    recipients.c.id.in_(list(newest))
                )
            )
        ).all()
    )
    await uow.session.execute(
        update(notifications)
        .where(
            notifications.c.recipient_id.in_(list(newest)),
            notifications.c.reason == AWAITING_RECIPIENT,
        )
        .values(next_attempt_at=notifications.c.created_at)  # due at once
    )
    current = [p for p in newest.values() if stored.get(p.id) == p.version]
    if not current:
        return
    await uow.session.execute(
        delete(recipient_accounts).where(
            recipient_accounts.c.person_id.in_([p.id for p in current])
        )
    )
    pairs = [
        {"person_id": p.id, "account_id": account}
        for p in current
        for account in dict.fromkeys(p.managed_account_ids)
    ]
    if pairs:
        await uow.session.execute(recipient_accounts.insert(), pairs)


async def on_person_erased(uow: UnitOfWork, envelope: Envelope, event: PersonErasedV1) -> None:
    """Purge the person's contact data everywhere notify kept it."""
    session = uow.session
    person_id = event.person_id
    tombstone: dict[str, Any] = {
        "name": None,
        "timezone": None,
        "email": None,
        "whatsapp": None,
        "telegram": None,
        "sms": None,
        "roles": [],
        "organization_id": None,
        "consents": {},
        "erased": True,
        "version": event.version,
        "updated_at": event.erased_at,
    }
    known = (await session.execute(select(recipients).where(recipients.c.id == person_id))).first()
    if known is not None:
        await session.execute(
            delete(suppressions).where(
                suppressions.c.address.in_(
                    [a for a in (known.email, known.whatsapp, known.telegram, known.sms) if a]
                )
            )
        )
    await session.execute(
        update(recipients)
        .where(recipients.c.id == person_id, recipients.c.version <= event.version)
        .values(**tombstone)
    )
    await session.execute(
        insert_ignoring_conflicts(session, recipients, ["id"]),
        [{"id": person_id, "kind": "person", "language": "id", **tombstone}],
    )
    await session.execute(
        delete(recipient_accounts).where(recipient_accounts.c.person_id == person_id)
    )
    await session.execute(delete(preferences).where(preferences.c.recipient_id == person_id))
    await purge_notifications(session, person_id, event.erased_at)
    log.info("recipients.erased", person_id=str(person_id))


async def purge_notifications(session: Any, recipient_id: Any, now: datetime) -> None:
    n = notifications.c
    await session.execute(
        update(notifications)
        .where(n.recipient_id == recipient_id, n.state.in_(UNSENT_STATES))
        .values(state="cancelled", reason="erased", updated_at=now)
    )
    ids = select(n.id).where(n.recipient_id == recipient_id).scalar_subquery()
    await session.execute(
        update(attempts).where(attempts.c.notification_id.in_(ids)).values(detail=None)
    )
    await session.execute(
        update(notifications)
        .where(n.recipient_id == recipient_id)
        .values(address=None, context={}, ics=None, last_error=None)
    )
