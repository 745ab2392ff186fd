"""Public input made harmless; token buckets."""

from __future__ import annotations

import pytest

from sinergi_factcheck.domain.intake import clean_text, clean_urls, image_type
from sinergi_factcheck.domain.ratelimit import Bucket, Rate


@pytest.mark.parametrize(
    "raw",
    [
        "Awas <script>alert('x')</script> hoaks",
        "Awas <img src=x onerror=alert(1)> hoaks",
        "Awas &lt;script&gt;alert(1)&lt;/script&gt; hoaks",
        "Awas <svg/onload=alert(1)> hoaks",
        "Awas <iframe src='javascript:alert(1)'></iframe> hoaks",
        'Awas <a href="javascript:alert(1)">klik</a> hoaks',
        "Awas &amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt; hoaks",
    ],
)
def test_markup_and_script_are_removed(raw: str) -> None:
    cleaned = clean_text(raw)
    assert "<" not in cleaned and ">" not in cleaned
    assert "script" not in cleaned.lower() or "alert" not in cleaned
    assert "onerror" not in cleaned and "onload" not in cleaned
    assert cleaned.startswith("Awas") and cleaned.endswith("hoaks")


def test_plain_text_survives_with_its_lines() -> None:
    raw = "Info penting!!\r\n\r\n\r\nKPU   hapus data\u200b pemilih 😡 2 < 3"
    assert clean_text(raw) == "Info penting!!\n\nKPU hapus data pemilih 😡 2 ‹ 3"


def test_urls_are_deduplicated_and_bad_ones_reported() -> None:
    kept, refused = clean_urls(
        ["https://x.com/a/status/1?s=1", "https://twitter.com/b/status/1", "javascript:alert(1)"]
    )
    assert kept == ["https://x.com/i/status/1"]
    assert refused == ["javascript:alert(1)"]


def test_images_are_recognised_by_their_bytes() -> None:
    assert image_type(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert image_type(b"\xff\xd8\xff\xe0") == "image/jpeg"
    assert image_type(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert image_type(b"<script>alert(1)</script>") is None
    assert image_type(b"MZ\x90\x00") is None


def test_token_bucket_allows_a_burst_then_refills() -> None:
    rate = Rate(per_minute=60, capacity=3)
    bucket = Bucket.full(rate, 0.0)
    waits = []
    for _ in range(4):
        bucket, wait = bucket.take(rate, 0.0)
        waits.append(wait)
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3] == pytest.approx(1.0)
    assert bucket.full_at(rate) == pytest.approx(3.0)
    refilled, wait = bucket.take(rate, 1.0)
    assert wait == 0.0
    assert refilled.tokens == pytest.approx(0.0)


def test_a_token_bucket_never_holds_more_than_its_capacity() -> None:
    rate = Rate(per_minute=60, capacity=2)
    bucket, _ = Bucket(0.0, 0.0).take(rate, 3_600.0)
    assert bucket.tokens == pytest.approx(1.0)
    assert bucket.full_at(rate) == pytest.approx(3_601.0)
