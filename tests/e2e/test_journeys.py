"""The two journeys across the four services as real processes on one NATS, with a real SMTP
server; once on SQLite, once on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .journeys import (
    check_attendance,
    check_mail,
    check_projections,
    hoax_to_amplification,
    import_setting,
    kopilaborasi,
)
from .platform import Platform, running_platform

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(400)]


@pytest.fixture(params=["sqlite", "postgresql"])
def platform(
    request: pytest.FixtureRequest,
    clean_nats: str,
    tmp_path: Path,
    postgres_database_factory: Callable[[], str],
) -> Iterator[Platform]:
    def database_for(name: str) -> str:
        if request.param == "sqlite":
            return f"sqlite+aiosqlite:///{tmp_path / (name + '.db')}"
        return postgres_database_factory()

    with running_platform(clean_nats, database_for, tmp_path) as running:
        yield running


def test_kopilaborasi_from_import_to_attendance(platform: Platform) -> None:
    setting = import_setting(platform)
    meetup = kopilaborasi(platform, setting)
    check_attendance(platform, setting, meetup)
    check_mail(platform, meetup.expected_mail, strict=True)
    check_projections(platform, setting)


def test_hoax_from_report_to_amplification(platform: Platform) -> None:
    setting = import_setting(platform)
    outcome = hoax_to_amplification(platform, setting)
    check_mail(platform, outcome.expected_mail, strict=True)
    check_projections(platform, setting)
