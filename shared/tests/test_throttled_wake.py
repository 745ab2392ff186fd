"""The relay's wake on a hot write path: commits in quick succession share one later wake."""

from __future__ import annotations

import asyncio
import time

from sinergi_kit.uow import ThrottledWake


async def test_commits_in_quick_succession_share_one_wake_after_the_interval() -> None:
    woken: list[float] = []
    wake = ThrottledWake(lambda: woken.append(time.monotonic()), interval_s=0.05)
    wake()
    assert len(woken) == 1
    wake()
    wake()
    assert len(woken) == 1
    for _ in range(500):
        if len(woken) == 2:
            break
        await asyncio.sleep(0.01)
    assert len(woken) == 2
    assert woken[1] - woken[0] >= 0.05
