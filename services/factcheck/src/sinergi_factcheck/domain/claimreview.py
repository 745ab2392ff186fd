"""schema.org ClaimReview JSON-LD: built for each clarification, and read from other
fact-checkers' feeds with their ratings mapped to ours."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sinergi_factcheck.domain.verdicts import BEST_RATING, RATING_NAMES, RATING_VALUES, WORST_RATING
from sinergi_kit.contracts.factcheck import Rating

CLAIM_REVIEWED_MAX = 75


def shorten(text: str, limit: int = CLAIM_REVIEWED_MAX) -> str:
    """``text`` on one line, cut at a word boundary with an ellipsis to fit ``limit``."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:") + "…"


@dataclass(frozen=True)
class Publisher:
    name: str
    url: str
    alternate_name: str = ""


def build_claim_review(
    *,
    url: str,
    claim: str,
    rating: Rating,
    label: str,
    appearances: list[str],
    first_seen_at: datetime,
    published_at: datetime,
    headline: str,
    publisher: Publisher,
) -> dict[str, Any]:
    item_reviewed: dict[str, Any] = {
        "@type": "Claim",
        "datePublished": first_seen_at.date().isoformat(),
        "appearance": [{"@type": "CreativeWork", "url": u} for u in appearances],
    }
    if appearances:
        item_reviewed["firstAppearance"] = {"@type": "CreativeWork", "url": appearances[0]}
    organisation: dict[str, Any] = {
        "@type": "Organization",
        "name": publisher.name,
        "url": publisher.url,
    }
    if publisher.alternate_name:
        organisation["alternateName"] = publisher.alternate_name
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "headline": headline,
        "inLanguage": "id",
        "datePublished": published_at.date().isoformat(),
        "claimReviewed": shorten(claim),
        "itemReviewed": item_reviewed,
        "author": organisation,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": RATING_VALUES[rating],
            "bestRating": BEST_RATING,
            "worstRating": WORST_RATING,
            "alternateName": f"{label} {RATING_NAMES[rating]}",
        },
    }


REQUIRED_PATHS = (
    ("url",),
    ("claimReviewed",),
    ("datePublished",),
    ("author", "name"),
    ("reviewRating", "ratingValue"),
    ("reviewRating", "bestRating"),
    ("reviewRating", "worstRating"),
    ("reviewRating", "alternateName"),
    ("itemReviewed", "@type"),
    ("itemReviewed", "datePublished"),
)


def missing_fields(document: dict[str, Any]) -> list[str]:
    """The required ClaimReview fields absent from ``document`` (empty when it is valid)."""
    missing: list[str] = []
    for path in REQUIRED_PATHS:
        node: Any = document
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if node in (None, ""):
            missing.append(".".join(path))
    claim = document.get("claimReviewed")
    if isinstance(claim, str) and len(claim) > CLAIM_REVIEWED_MAX:
        missing.append("claimReviewed≤75")
    return missing


_TEXT_RATINGS: tuple[tuple[str, Rating], ...] = (
    (r"penipuan|scam|fraud|phishing", "penipuan"),
    (
        r"sebagian benar|partly true|partly false|half true|mostly true|mixture|sebagian",
        "sebagian_benar",
    ),
    (
        r"tidak terbukti|unproven|unsupported|no evidence|belum terbukti|unverified",
        "tidak_terbukti",
    ),
    (
        r"menyesatkan|misleading|missing context|out of context|konteks|exaggerat|satir|parodi",
        "menyesatkan",
    ),
    (
        r"salah|hoaks|hoax|false|fake|palsu|disinformasi|misinformasi|pants on fire|bohong",
        "salah",
    ),
    (r"incorrect|untrue|not true|inaccurate|tidak benar", "salah"),
    (r"benar|fakta|true|correct|accurate|fact", "benar"),
)
"""Checked in order: the specific phrases before the words they contain ("sebagian benar"
before "benar", "mostly true" before "true")."""


def map_external_rating(rating: dict[str, Any]) -> Rating | None:
    """Another fact-checker's ``reviewRating`` on our scale: by its wording first, else by its
    number placed between its worst and best."""
    name = str(rating.get("alternateName") or rating.get("name") or "").lower()
    for pattern, ours in _TEXT_RATINGS:
        if name and re.search(pattern, name):
            return ours
    try:
        value = float(rating["ratingValue"])
        best = float(rating.get("bestRating", 5))
        worst = float(rating.get("worstRating", 1))
    except (KeyError, TypeError, ValueError):
        return None
    if best == worst:
        return None
    position = (value - worst) / (best - worst)
    scale: list[Rating] = ["salah", "menyesatkan", "tidak_terbukti", "sebagian_benar", "benar"]
    return scale[min(4, max(0, round(position * 4)))]


@dataclass(frozen=True)
class ImportedReview:
    url: str
    claim: str
    rating: Rating
    author: str
    appearances: tuple[str, ...]
    date_published: str | None


def _reviews(document: Any) -> Iterator[dict[str, Any]]:
    if isinstance(document, list):
        for item in document:
            yield from _reviews(item)
    elif isinstance(document, dict):
        if document.get("@type") == "ClaimReview":
            yield document
        for key in ("@graph", "itemListElement", "item", "claimReview"):
            if key in document:
                yield from _reviews(document[key])


def read_claim_reviews(document: Any) -> tuple[list[ImportedReview], list[str]]:
    """Every ClaimReview in a JSON-LD document (a list, an ``@graph``, an ItemList, or the
    Google Fact Check Tools ``claimReview`` shape); and a note for each one skipped."""
    reviews: list[ImportedReview] = []
    skipped: list[str] = []
    for index, item in enumerate(_reviews(document)):
        claim = str(item.get("claimReviewed") or "").strip()
        url = str(item.get("url") or "").strip()
        rating_node = item.get("reviewRating")
        rating = map_external_rating(rating_node) if isinstance(rating_node, dict) else None
        if not claim or not url or rating is None:
            skipped.append(f"{index}: {url or 'no url'}")
            continue
        reviewed = item.get("itemReviewed") if isinstance(item.get("itemReviewed"), dict) else {}
        assert isinstance(reviewed, dict)
        appearances = [
            str(a.get("url")) for a in _as_list(reviewed.get("appearance")) if isinstance(a, dict)
        ]
        author = item.get("author")
        reviews.append(
            ImportedReview(
                url=url,
                claim=claim,
                rating=rating,
                author=str(author.get("name", ""))
                if isinstance(author, dict)
                else str(author or ""),
                appearances=tuple(a for a in appearances if a and a != "None"),
                date_published=item.get("datePublished"),
            )
        )
    return reviews, skipped


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
