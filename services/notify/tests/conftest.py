"""Fixtures for notify's tests: a migrated database of each backend, a real SMTP server
(aiosmtpd) and a real HTTP receiver on free ports."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest

from sinergi_kit.db import Database
from sinergi_kit.nats_server import free_port
from sinergi_kit.runtime import migrate
from sinergi_kit.uow import UnitOfWorkFactory
from sinergi_notify.adapters.tables import messaging
from sinergi_notify.app import definition
from sinergi_notify.mailcatcher import MailCatcher
from sinergi_notify.service_layer.templates import seed_defaults
from sinergi_notify.testing import DAYTIME, Notify, Receiver, refuse_by_local_part, settings_for

NotifyFactory = Callable[..., Awaitable[Notify]]


@pytest.fixture
def smtp() -> Iterator[MailCatcher]:
    catcher = MailCatcher(port=free_port(), refuse=refuse_by_local_part)
    catcher.start()
    try:
        yield catcher
    finally:
        catcher.stop()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with Receiver().serving() as serving:
        yield serving


@pytest.fixture
async def notify_factory(database_url: str, smtp: MailCatcher) -> AsyncIterator[NotifyFactory]:
    made: list[Notify] = []

    async def make(receiver: Receiver | None = None, **overrides: Any) -> Notify:
        settings = settings_for(database_url, smtp.port, receiver, **overrides)
        if not made:
            await asyncio.to_thread(migrate, definition(settings))
        db = Database(settings.database_url)
        await seed_defaults(db, DAYTIME)
        notify = Notify(settings, db, UnitOfWorkFactory(db, messaging, lambda: None))
        made.append(notify)
        return notify

    yield make
    for notify in made:
        await notify.close()
