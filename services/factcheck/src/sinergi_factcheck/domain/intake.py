"""What the public may send: text made harmless, web addresses only, images by their magic
bytes. Nothing here touches a database."""

from __future__ import annotations

import html
import re
import unicodedata

from sinergi_factcheck.domain.matching.urls import InvalidUrlError, normalise_url

MAX_TEXT = 5_000
MAX_URLS = 10
MAX_IMAGE_BYTES = 5 * 1024 * 1024

_DANGEROUS_BLOCKS = re.compile(
    r"<\s*(script|style|iframe|object|embed|template|noscript)\b.*?(<\s*/\s*\1\s*>|$)",
    re.IGNORECASE | re.DOTALL,
)
_TAG = re.compile(r"</?[a-zA-Z!/][^>]*>?")
_SPACES = re.compile(r"[ \t\f\v]+")
_BLANK_LINES = re.compile(r"\n{3,}")

IMAGE_TYPES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def clean_text(raw: str) -> str:
    """Plain text: markup and script removed (entities decoded first, so an escaped tag is
    removed too), control characters dropped, whitespace tidied. Whatever renders it still
    escapes it; this keeps stored reports free of live markup."""
    text = raw
    for _ in range(3):  # "&amp;lt;script&amp;gt;" needs more than one round
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    text = _DANGEROUS_BLOCKS.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = text.replace("<", "‹").replace(">", "›")
    text = unicodedata.normalize("NFC", text)
    # A printable text has no character of the categories dropped below: skip the per-character
    # look-up for the usual report.
    if not text.replace("\n", "").replace("\t", "").isprintable():
        text = "".join(
            c
            for c in text
            if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co", "Cn")
        )
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r", "\n").split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def clean_urls(raw: list[str]) -> tuple[list[str], list[str]]:
    """The canonical URLs (deduplicated, in order) and the entries refused."""
    kept: list[str] = []
    refused: list[str] = []
    for value in raw:
        try:
            url = normalise_url(value)
        except InvalidUrlError:
            refused.append(value[:200])
            continue
        if url not in kept:
            kept.append(url)
    return kept, refused


def image_type(data: bytes) -> str | None:
    """The image type by its first bytes; ``None`` for anything else (a script named .png)."""
    for magic, content_type in IMAGE_TYPES:
        if data.startswith(magic):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None
