"""Keeps the local account directory in step with the registry's events."""

from __future__ import annotations

from sinergi_events.adapters.tables import directory_accounts
from sinergi_kit.contracts.registry import AccountRegisteredV1, AccountState
from sinergi_kit.db import upsert_newer
from sinergi_kit.envelope import Envelope
from sinergi_kit.logging import get_logger
from sinergi_kit.messaging.consumer import Handler
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


async def on_account_registered(
    uow: UnitOfWork, envelope: Envelope, event: AccountRegisteredV1
) -> None:
    await upsert_newer(uow.session, directory_accounts, [directory_row(event.account)])
    log.info("directory.account_projected", account_id=str(event.account.id))


REGISTRY_HANDLERS: dict[str, Handler] = {
    AccountRegisteredV1.event_type: on_account_registered,
}
