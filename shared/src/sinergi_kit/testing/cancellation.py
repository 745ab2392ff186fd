"""A task body that swallows the first cancellation it gets, as a nats-py pull can on Python
3.11 (``asyncio.wait_for``): what the kit's way of stopping tasks must still stop."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


@dataclass
class SwallowsFirstCancel:
    swallowed: int = 0
    started: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, *_: object) -> None:
        """Runs until cancelled twice; takes and ignores whatever its caller passes (a
        consumer's ``run`` gets the JetStream context)."""
        self.started.set()
        while True:
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                if self.swallowed:
                    raise
                self.swallowed += 1
