"""Form values turned into the services' request bodies."""

from __future__ import annotations

from sinergi_console.events import local_time
from sinergi_console.registry import segment_filter


def test_a_local_time_is_read_as_jakarta_time_and_sent_in_utc() -> None:
    assert local_time("2026-12-01T19:30") == "2026-12-01T12:30:00+00:00"


def test_a_segment_filter_keeps_only_what_was_chosen() -> None:
    form = {
        "managed_by": ["government"],
        "platforms": ["", "instagram", "tiktok"],
        "roles": [""],
        "districts_text": ["Diwek, Mojowarno ,"],
    }
    assert segment_filter(form) == {
        "managed_by": ["government"],
        "platforms": ["instagram", "tiktok"],
        "districts": ["Diwek", "Mojowarno"],
    }
