"""Messages a person reads: Indonesian by default, English on request."""

from __future__ import annotations

from typing import Literal

Lang = Literal["id", "en"]
DEFAULT_LANG: Lang = "id"

_CATALOG: dict[str, dict[Lang, str]] = {}


def register_messages(messages: dict[str, dict[Lang, str]]) -> None:
    for key, texts in messages.items():
        if "id" not in texts or "en" not in texts:
            raise ValueError(f"message {key!r} needs both Indonesian and English")
        _CATALOG[key] = texts


def translate(key: str, lang: Lang = DEFAULT_LANG, **params: object) -> str:
    texts = _CATALOG.get(key)
    if texts is None:
        return key
    return texts.get(lang, texts[DEFAULT_LANG]).format(**params)


def negotiate(accept_language: str | None) -> Lang:
    """Pick ``en`` only when the client prefers English over Indonesian."""
    if not accept_language:
        return DEFAULT_LANG
    ranked: list[tuple[float, str]] = []
    for part in accept_language.split(","):
        pieces = part.strip().split(";q=")
        tag = pieces[0].strip().lower().split("-")[0]
        try:
            weight = float(pieces[1]) if len(pieces) > 1 else 1.0
        except ValueError:
            weight = 0.0
        ranked.append((weight, tag))
    for _, tag in sorted(ranked, key=lambda item: -item[0]):
        if tag in ("id", "en"):
            return "en" if tag == "en" else "id"
    return DEFAULT_LANG


register_messages(
    {
        "problem.unauthenticated": {"id": "Perlu autentikasi.", "en": "Authentication required."},
        "problem.forbidden": {"id": "Akses ditolak.", "en": "Access denied."},
        "problem.not_found": {"id": "Sumber daya tidak ditemukan.", "en": "Resource not found."},
        "problem.validation": {
            "id": "Permintaan tidak valid.",
            "en": "The request is not valid.",
        },
        "problem.conflict": {
            "id": "Terjadi konflik dengan data yang ada.",
            "en": "The request conflicts with existing data.",
        },
        "problem.internal": {
            "id": "Terjadi kesalahan di server. Silakan coba lagi.",
            "en": "Something went wrong on the server. Please try again.",
        },
        "problem.not_ready": {"id": "Layanan belum siap.", "en": "The service is not ready."},
        "problem.method_not_allowed": {
            "id": "Metode tidak diizinkan.",
            "en": "Method not allowed.",
        },
        "problem.http": {
            "id": "Permintaan tidak dapat diproses.",
            "en": "The request could not be processed.",
        },
    }
)
