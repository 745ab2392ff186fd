"""Both journeys with faults injected at seeded random points: each service SIGKILLed once,
NATS restarted, the SMTP server answering 451 for a while and, on PostgreSQL, the database
server restarted. Every run must still end with each notification delivered exactly once
(per Message-ID) and every projection equal to its source. What was injected and what was
checked is printed (``pytest -s``)."""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine.url import make_url

from sinergi_kit.nats_server import EmbeddedNats
from sinergi_kit.testing.plugin import asyncpg_dsn
from sinergi_kit.testing.processes import wait_until

from ..e2e.journeys import (
    check_attendance,
    check_mail,
    check_projections,
    hoax_to_amplification,
    import_setting,
    kopilaborasi,
)
from ..e2e.platform import SERVICES, Platform, running_platform

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

CHECKPOINTS = (
    "accounts imported",
    "people imported",
    "segments created",
    "segments invited",
    "invitations delivered",
    "1 of 2 halves of the seats taken",
    "2 of 2 halves of the seats taken",
    "waiting list formed",
    "a seat declined",
    "the offer accepted",
    "meetup moved forward",
    "reminder delivered",
    "35 checked in",
    "70 checked in",
    "first report",
    "second report matched",
    "verdict approved",
    "clarification published",
    "amplification requested",
    "shares confirmed",
)
MAIL_FOLLOWS = (
    "segments invited",
    "a seat declined",
    "meetup moved forward",
    "clarification published",
    "amplification requested",
)
SMTP_OUTAGE_S = 4.0
PG_CLUSTER = ("15", "main")


@dataclass(frozen=True)
class Fault:
    kind: str
    """``kill <service>``, ``restart nats``, ``restart postgresql`` or ``smtp 451``."""
    delay_s: float
    """How long after the checkpoint: lets the work the step started get under way."""


@dataclass
class Injector:
    plan: dict[str, Fault]
    nats: EmbeddedNats
    postgres_url: str | None
    log: list[str]

    def __call__(self, platform: Platform, checkpoint: str) -> None:
        fault = self.plan.get(checkpoint)
        if fault is None:
            return
        time.sleep(fault.delay_s)
        started = time.monotonic()
        if fault.kind.startswith("kill "):
            platform.restart(fault.kind.removeprefix("kill "))
        elif fault.kind == "restart nats":
            self.nats.stop()
            time.sleep(1.0)
            self.nats.start()
            platform.wait_ready()
        elif fault.kind == "restart postgresql":
            assert self.postgres_url is not None
            restart_postgresql(self.postgres_url)
            platform.wait_ready()
        elif fault.kind == "smtp 451":
            platform.smtp.fail_for(SMTP_OUTAGE_S)
        line = (
            f"injected {fault.kind!r} {fault.delay_s:.2f}s after {checkpoint!r} "
            f"(back in {time.monotonic() - started:.1f}s)"
        )
        print(line)
        self.log.append(line)


def restart_postgresql(url: str) -> None:
    """Restart the machine's PostgreSQL and wait until it answers again, so the tests that
    follow find it as they expect."""
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", *PG_CLUSTER, "restart"],
        check=True,
        capture_output=True,
        timeout=120,
    )

    def answers() -> bool:
        async def probe() -> None:
            connection = await asyncpg.connect(asyncpg_dsn(url), timeout=2)
            await connection.close()

        try:
            asyncio.run(probe())
        except (OSError, asyncpg.PostgresError, TimeoutError):
            return False
        return True

    wait_until(answers, timeout_s=60, poll_s=0.5)


def can_restart_postgresql(url: str) -> bool:
    """Only the cluster of this machine that the tests use, and only as root."""
    if shutil.which("pg_lsclusters") is None or os.geteuid() != 0:
        return False
    listed = subprocess.run(
        ["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=False
    ).stdout.split()
    address = make_url(url)
    return listed[:3] == [*PG_CLUSTER, str(address.port or 5432)] and address.host in (
        "127.0.0.1",
        "localhost",
        "::1",
    )


def fault_plan(seed: int, *, postgres: bool) -> dict[str, Fault]:
    """One fault per checkpoint. The SMTP outage comes where e-mails are about to go out."""
    rng = random.Random(seed)
    outage_at = rng.choice(MAIL_FOLLOWS)
    kinds = [f"kill {service}" for service in SERVICES] + ["restart nats"]
    if postgres:
        kinds.append("restart postgresql")
    points = rng.sample([c for c in CHECKPOINTS if c != outage_at], len(kinds))
    plan = {
        point: Fault(kind, round(rng.uniform(0.0, 0.4), 2))
        for point, kind in zip(points, kinds, strict=True)
    }
    plan[outage_at] = Fault("smtp 451", 0.0)
    return plan


@pytest.fixture(
    params=[("sqlite", 20221), ("sqlite", 20262), ("postgresql", 20240)],
    ids=lambda param: f"{param[0]}-seed{param[1]}",
)
def faulty_platform(
    request: pytest.FixtureRequest,
    restartable_nats: EmbeddedNats,
    tmp_path: Path,
    postgres_database_factory: Callable[[], str],
) -> Iterator[tuple[Platform, Injector]]:
    backend, seed = request.param
    postgres_url: str | None = None

    def database_for(name: str) -> str:
        nonlocal postgres_url
        if backend == "sqlite":
            return f"sqlite+aiosqlite:///{tmp_path / (name + '.db')}"
        postgres_url = postgres_database_factory()
        return postgres_url

    with running_platform(restartable_nats.url, database_for, tmp_path) as platform:
        with_postgres = postgres_url is not None and can_restart_postgresql(postgres_url)
        plan = fault_plan(seed, postgres=with_postgres)
        print(
            f"\nfault run on {backend}, seed {seed}: "
            + ", ".join(f"{f.kind} at {point!r}" for point, f in plan.items())
        )
        if postgres_url is not None and not with_postgres:
            print("not injected: a PostgreSQL restart (no local cluster to restart)")
        injector = Injector(plan, restartable_nats, postgres_url, [])
        platform.checkpoint_hook = injector
        yield platform, injector


def test_both_journeys_survive_crashes_restarts_and_a_refusing_mail_server(
    faulty_platform: tuple[Platform, Injector],
) -> None:
    platform, injector = faulty_platform
    setting = import_setting(platform)
    meetup = kopilaborasi(platform, setting)
    clarification = hoax_to_amplification(platform, setting)

    assert set(injector.plan) <= set(platform.passed), "a planned fault point was never reached"
    assert len(injector.log) == len(injector.plan)
    checked = check_attendance(platform, setting, meetup)
    checked += check_mail(
        platform, meetup.expected_mail | clarification.expected_mail, strict=False
    )
    checked += check_projections(platform, setting)
    assert platform.smtp.refused > 0, "the SMTP outage refused nothing: it tested nothing"
    checked.append(f"the SMTP server refused {platform.smtp.refused} recipients with 451")
    for line in checked:
        print("checked:", line)
