"""Account details in canonical form."""

from __future__ import annotations

from collections.abc import Iterable


def clean_tags(tags: Iterable[str]) -> list[str]:
    return sorted({tag.strip().lower() for tag in tags if tag.strip()})
