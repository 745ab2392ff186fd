"""Keeps the local account directory in step with the registry's events."""

from __future__ import annotations

from collections.abc import Sequence

from sinergi_events.adapters.tables import directory_accounts
from sinergi_kit.contracts.registry import AccountRegisteredV1, AccountState
from sinergi_kit.db import upsert_newer
from sinergi_kit.envelope import Envelope
from sinergi_kit.logging import get_logger
from sinergi_kit.messaging.consumer import Subscription
from sinergi_kit.uow import UnitOfWork

log = get_logger(__name__)


def directory_row(account: AccountState) -> dict[str, object]:
    return {
        "id": account.id,
        "version": account.version,
        "platform": account.platform,
        "handle": account.handle,
        "display_name": account.display_name,
        "managed_by": account.managed_by,
        "category": account.category,
        "district": account.district,
        "state": account.model_dump(mode="json"),
        "updated_at": account.updated_at,
    }


async def on_accounts_registered(
    uow: UnitOfWork, events: Sequence[tuple[Envelope, AccountRegisteredV1]]
) -> None:
    await upsert_newer(
        uow.session, directory_accounts, [directory_row(event.account) for _, event in events]
    )
    log.info(
        "directory.accounts_projected",
        count=len(events),
        event_ids=[str(envelope.id) for envelope, _ in events],
        trace_ids=sorted({envelope.trace_id or "" for envelope, _ in events}),
    )


REGISTRY_SUBSCRIPTION = Subscription(
    durable="events-registry",
    batch_handlers={AccountRegisteredV1.event_type: on_accounts_registered},
)
