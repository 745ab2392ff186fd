"""A service stops even when one of its consumers swallows the cancellation that stops it, as a
nats-py pull can on Python 3.11 (see ``sinergi_kit.tasks``): its shutdown must not wait for
ever, and the consumer must not go on pulling messages meant for the next process."""

from __future__ import annotations

import asyncio

import pytest

from sinergi_kit.testing.apps import build_service_app
from sinergi_kit.testing.cancellation import SwallowsFirstCancel
from sinergi_kit.testing.processes import wait_until


async def test_a_service_stops_though_a_consumer_swallows_its_cancellation(
    database_url: str, clean_nats: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = await asyncio.to_thread(
        build_service_app,
        "events",
        database_url,
        nats_url=clean_nats,
        provision_topology_on_start=True,
    )
    runtime = service.runtime
    stubborn_pull = SwallowsFirstCancel()
    consumer = runtime.consumers[0]
    monkeypatch.setattr(consumer, "run", stubborn_pull.__call__)  # named, as a method is
    await runtime.start()
    await asyncio.wait_for(stubborn_pull.started.wait(), timeout=30)
    relay = runtime.relay
    assert relay is not None
    await asyncio.to_thread(wait_until, lambda: relay.is_leader, 30)

    await asyncio.wait_for(runtime.stop(), timeout=10)

    assert stubborn_pull.swallowed == 1
    assert not runtime.nats_connected
