"""Templates: key × channel × locale × version, and which locale a recipient gets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

DEFAULT_LOCALE = "id"
FALLBACK_LOCALE = "en"


@dataclass(frozen=True)
class TemplateSource:
    id: UUID
    key: str
    channel: str
    locale: str
    version: int
    subject: str
    body_text: str
    body_html: str | None = None


def locale_chain(wanted: str) -> tuple[str, ...]:
    """The recipient's language, then English, then Indonesian (the default)."""
    return tuple(dict.fromkeys((wanted, FALLBACK_LOCALE, DEFAULT_LOCALE)))


def pick(candidates: Iterable[TemplateSource], wanted_locale: str) -> TemplateSource | None:
    """The newest version in the first locale of the chain that has one."""
    newest: dict[str, TemplateSource] = {}
    for source in candidates:
        current = newest.get(source.locale)
        if current is None or current.version < source.version:
            newest[source.locale] = source
    for locale in locale_chain(wanted_locale):
        if locale in newest:
            return newest[locale]
    return None
