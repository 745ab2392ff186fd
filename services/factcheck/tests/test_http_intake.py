"""Public intake abuse, on SQLite and PostgreSQL: oversized bodies, rate limits, malicious
URLs, script injection, fake images; and the reporter's contact kept only with consent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .support import Api

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_oversized_bodies_are_refused_before_parsing(api: Api) -> None:
    big = {"text": "a" * 70_000}
    declared = api.client.post("/reports", json=big)
    assert declared.status_code == 413
    assert declared.json()["code"] == "too_large"

    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(100):
            yield b"b" * 1_000
        yield b'"}'

    streamed = api.client.post(
        "/reports", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413
    too_long_text = api.client.post("/reports", json={"text": "c" * 5_001})
    assert too_long_text.status_code == 422
    too_many_urls = api.client.post(
        "/reports", json={"urls": [f"https://contoh.id/{i}" for i in range(11)]}
    )
    assert too_many_urls.status_code == 422


def test_the_client_rate_limit_answers_429_with_retry_after(make_api: Any) -> None:
    api: Api = make_api(intake_burst_per_client=3, intake_per_minute_per_client=1)
    statuses = [
        api.client.post("/reports", json={"text": f"hoaks nomor {i} tentang banjir"}).status_code
        for i in range(4)
    ]
    assert statuses == [201, 201, 201, 429]
    limited = api.client.post("/reports", json={"text": "lagi"}, headers={"Accept-Language": "en"})
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.json()["detail"].startswith("Too many reports")


def test_the_contact_rate_limit_holds_across_client_addresses(make_api: Any) -> None:
    api: Api = make_api(
        intake_burst_per_contact=2, intake_per_minute_per_contact=1, trust_forwarded_for=True
    )
    contact = {"channel": "email", "address": "warga@example.id"}
    statuses = [
        api.client.post(
            "/reports",
            json={"text": f"pesan berantai {i}", "contact": contact, "consent": True},
            headers={"X-Forwarded-For": f"10.0.0.{i}"},
        ).status_code
        for i in range(3)
    ]
    assert statuses == [201, 201, 429]


def test_malicious_urls_are_refused(api: Api) -> None:
    for url in ("javascript:alert(1)", "data:text/html,<b>x</b>", "https://u:p@bank.id/"):
        response = api.client.post("/reports", json={"text": "cek ini", "urls": [url]})
        assert response.status_code == 422, url
        assert response.json()["code"] == "invalid_url"
    assert api.client.post("/reports", json={"text": "   "}).json()["code"] == "empty_report"


def test_script_is_stored_harmless(api: Api) -> None:
    created = api.client.post(
        "/reports",
        json={"text": "Awas <script>alert(document.cookie)</script> <b>hoaks</b> banjir"},
    ).json()
    cases = api.client.get("/cases", headers=api.as_("kkd")).json()
    detail = api.client.get(f"/cases/{cases[0]['case']['id']}", headers=api.as_("kkd")).json()
    stored = next(r for r in detail["reports"] if r["id"] == created["report_id"])
    assert stored["text"] == "Awas hoaks banjir"
    assert "<" not in detail["case"]["claim"]


def test_images_are_checked_stored_once_and_referenced(api: Api) -> None:
    fake = api.client.post(
        "/reports/images", files={"file": ("x.png", b"<script>1</script>", "image/png")}
    )
    assert fake.status_code == 415
    first = api.client.post("/reports/images", files={"file": ("a.png", PNG, "image/png")})
    second = api.client.post("/reports/images", files={"file": ("b.png", PNG, "image/png")})
    assert first.status_code == second.status_code == 201
    sha = first.json()["sha256"]
    assert second.json()["sha256"] == sha and len(sha) == 64
    with_image = api.client.post("/reports", json={"image_sha256": [sha]})
    assert with_image.status_code == 201
    unknown = api.client.post("/reports", json={"image_sha256": ["0" * 64]})
    assert unknown.json()["code"] == "unknown_image"


def test_oversized_image_is_refused(make_api: Any) -> None:
    api: Api = make_api(intake_max_image_bytes=2_048)
    big = PNG + b"\x00" * 30_000
    response = api.client.post("/reports/images", files={"file": ("big.png", big, "image/png")})
    assert response.status_code == 413


def test_contact_travels_only_with_consent(api: Api) -> None:
    contact = {"channel": "whatsapp", "address": "+6281234567890"}
    api.client.post("/reports", json={"text": "undian BRI berhadiah mobil", "contact": contact})
    api.client.post(
        "/reports",
        json={"text": "lowongan kerja tanpa tes", "contact": contact, "consent": True},
    )
    received = [d for k, d in api.events() if k == "report.received"]
    assert received[0]["reporter_contact"] is None
    assert received[1]["reporter_contact"]["address"] == "+6281234567890"
    for data in (d for k, d in api.events() if k != "report.received"):
        assert "+6281234567890" not in str(data)
