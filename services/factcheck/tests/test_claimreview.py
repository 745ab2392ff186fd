"""ClaimReview JSON-LD: required fields on what we publish; external ratings mapped to ours."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from sinergi_factcheck.domain.claimreview import (
    Publisher,
    build_claim_review,
    map_external_rating,
    missing_fields,
    read_claim_reviews,
)

KKD = Publisher("Komite Komunikasi Digital Kabupaten Jombang", "https://kkd.jombangkab.go.id")
LONG_CLAIM = (
    "KPU akan menghapus data pemilih yang tidak mencoblos pada Pemilu 2024 dari daftar pemilih "
    "tetap untuk selamanya dan tidak bisa mendaftar lagi"
)


def review(**overrides: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "url": "https://cekfakta.jombangkab.go.id/klarifikasi/1",
        "claim": LONG_CLAIM,
        "rating": "salah",
        "label": "HOAKS",
        "appearances": ["https://facebook.com/story.php?id=1", "https://x.com/i/status/2"],
        "first_seen_at": datetime(2024, 1, 10, 3, tzinfo=UTC),
        "published_at": datetime(2024, 1, 11, 9, tzinfo=UTC),
        "headline": "[HOAKS] KPU menghapus pemilih yang tidak mencoblos",
        "publisher": KKD,
    }
    return build_claim_review(**{**arguments, **overrides})


def test_a_built_claim_review_has_every_required_field() -> None:
    document = review()
    assert missing_fields(document) == []
    assert document["@type"] == "ClaimReview"
    assert len(document["claimReviewed"]) <= 75
    assert document["claimReviewed"].endswith("…")
    rating = document["reviewRating"]
    assert (rating["ratingValue"], rating["bestRating"], rating["worstRating"]) == (1, 5, 1)
    assert rating["alternateName"] == "HOAKS Salah"
    item = document["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["firstAppearance"]["url"] == "https://facebook.com/story.php?id=1"
    assert [a["url"] for a in item["appearance"]][1] == "https://x.com/i/status/2"
    assert item["datePublished"] == "2024-01-10"
    assert document["author"] == {"@type": "Organization", "name": KKD.name, "url": KKD.url}


@pytest.mark.parametrize(
    "remove",
    [
        ("reviewRating", "bestRating"),
        ("reviewRating", "alternateName"),
        ("itemReviewed", "datePublished"),
        ("author",),
        ("claimReviewed",),
    ],
)
def test_missing_fields_are_named(remove: tuple[str, ...]) -> None:
    document = review()
    node = document
    for key in remove[:-1]:
        node = node[key]
    del node[remove[-1]]
    assert missing_fields(document)


def test_a_claim_over_75_characters_is_flagged() -> None:
    document = review()
    document["claimReviewed"] = LONG_CLAIM
    assert "claimReviewed≤75" in missing_fields(document)


@pytest.mark.parametrize(
    ("rating", "ours"),
    [
        ({"alternateName": "False"}, "salah"),
        ({"alternateName": "[HOAKS] Salah"}, "salah"),
        ({"alternateName": "Incorrect"}, "salah"),
        ({"alternateName": "Misleading"}, "menyesatkan"),
        ({"alternateName": "Partly false"}, "sebagian_benar"),
        ({"alternateName": "Sebagian Benar"}, "sebagian_benar"),
        ({"alternateName": "Unproven"}, "tidak_terbukti"),
        ({"alternateName": "Scam"}, "penipuan"),
        ({"alternateName": "True"}, "benar"),
        ({"alternateName": "Fakta"}, "benar"),
        ({"ratingValue": 1, "bestRating": 5, "worstRating": 1}, "salah"),
        ({"ratingValue": 5, "bestRating": 5, "worstRating": 1}, "benar"),
        ({"ratingValue": "3", "bestRating": "5", "worstRating": "1"}, "tidak_terbukti"),
        ({"ratingValue": 7, "bestRating": 10, "worstRating": 0}, "sebagian_benar"),
        ({"ratingValue": "x"}, None),
    ],
)
def test_external_ratings_map_to_ours(rating: dict[str, Any], ours: str | None) -> None:
    assert map_external_rating(rating) == ours


def test_a_feed_is_read_in_every_common_shape() -> None:
    ours = review()
    feed = {
        "@context": "https://schema.org",
        "@graph": [
            ours,
            {"@type": "ItemList", "itemListElement": [{"item": {**ours, "url": "https://a/2"}}]},
            {"@type": "ClaimReview", "url": "https://a/3", "claimReviewed": "tanpa rating"},
        ],
    }
    reviews, skipped = read_claim_reviews(feed)
    assert [r.url for r in reviews] == [ours["url"], "https://a/2"]
    assert reviews[0].rating == "salah"
    assert reviews[0].author == KKD.name
    assert reviews[0].appearances[0] == "https://facebook.com/story.php?id=1"
    assert skipped == ["2: https://a/3"]
