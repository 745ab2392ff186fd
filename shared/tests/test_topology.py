"""Provisioning is idempotent and reconciles a drifted consumer."""

from __future__ import annotations

import dataclasses

import nats

from sinergi_kit.messaging.topology import CONSUMERS, STREAMS, provision


async def test_provisioning_twice_is_a_no_op_and_drift_is_reconciled(clean_nats: str) -> None:
    nc = await nats.connect(clean_nats)
    js = nc.jetstream()
    try:
        first = await provision(js)
        assert len(first.created) == len(STREAMS) + len(CONSUMERS)
        second = await provision(js)
        assert not second.changed
        assert len(second.unchanged) == len(first.created)

        spec = CONSUMERS[0]
        drifted = dataclasses.replace(spec, ack_wait_s=spec.ack_wait_s + 15)
        await js.add_consumer(spec.stream, drifted.config())
        third = await provision(js)
        assert third.updated == [f"consumer:{spec.stream}/{spec.durable}"]
        info = await js.consumer_info(spec.stream, spec.durable)
        assert info.config.ack_wait == spec.ack_wait_s
    finally:
        await nc.close()
