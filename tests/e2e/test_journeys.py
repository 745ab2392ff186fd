"""The two journeys across the four services as real processes on one NATS, with a real SMTP
server; once on SQLite, once on PostgreSQL. Both journeys of a backend run on one platform
with the setting imported once, as the office would use it: each then checks every e-mail the
platform has sent so far, its own and the earlier journey's, exactly once per recipient."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from sinergi_kit.testing.plugin import delete_sinergi_streams

from .journeys import (
    Setting,
    check_attendance,
    check_mail,
    check_projections,
    hoax_to_amplification,
    import_setting,
    kopilaborasi,
)
from .platform import Platform, running_platform

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(400)]


@dataclass
class SharedPlatform:
    platform: Platform
    setting: Setting
    expected_mail: dict[str, Counter[str]] = field(default_factory=dict)
    """Subject prefix → e-mails per recipient, for every journey run on this platform."""
    interrupted: str | None = None

    @contextmanager
    def journey(self, name: str) -> Iterator[None]:
        """A journey that stops half-way leaves mail nobody accounts for: the journeys after
        it cannot check theirs exactly, so they fail saying why."""
        if self.interrupted is not None:
            pytest.fail(f"the shared platform is in an unknown state: {self.interrupted} failed")
        try:
            yield
        except BaseException:
            self.interrupted = name
            raise

    def expect(self, mail: dict[str, Counter[str]]) -> dict[str, Counter[str]]:
        assert not set(mail) & set(self.expected_mail), "two journeys' e-mails look alike"
        self.expected_mail |= mail
        return self.expected_mail


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared(
    request: pytest.FixtureRequest,
    nats_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_database_factory: Callable[[], str],
) -> Iterator[SharedPlatform]:
    directory = tmp_path_factory.mktemp(f"journeys-{request.param}")

    def database_for(name: str) -> str:
        if request.param == "sqlite":
            return f"sqlite+aiosqlite:///{directory / (name + '.db')}"
        return postgres_database_factory()

    asyncio.run(delete_sinergi_streams(nats_url))
    with running_platform(nats_url, database_for, directory) as platform:
        yield SharedPlatform(platform, import_setting(platform))


def test_kopilaborasi_from_import_to_attendance(shared: SharedPlatform) -> None:
    platform, setting = shared.platform, shared.setting
    with shared.journey("the Kopilaborasi journey"):
        meetup = kopilaborasi(platform, setting)
        check_attendance(platform, setting, meetup)
        check_mail(platform, shared.expect(meetup.expected_mail), strict=True)
        check_projections(platform, setting)


def test_hoax_from_report_to_amplification(shared: SharedPlatform) -> None:
    platform, setting = shared.platform, shared.setting
    with shared.journey("the hoax journey"):
        outcome = hoax_to_amplification(platform, setting)
        check_mail(platform, shared.expect(outcome.expected_mail), strict=True)
        check_projections(platform, setting)
