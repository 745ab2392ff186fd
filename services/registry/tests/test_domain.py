"""Pure domain rules: canonical handles, contact points, districts, verification."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sinergi_kit.contracts.registry import AccountState, Platform
from sinergi_registry.domain.contacts import (
    InvalidContactError,
    normalise_email,
    normalise_phone,
    normalise_telegram,
)
from sinergi_registry.domain.districts import UnknownDistrictError, canonical_district
from sinergi_registry.domain.handles import InvalidHandleError, normalise_handle, profile_url
from sinergi_registry.domain.revisions import revise
from sinergi_registry.domain.search import query_words, terms
from sinergi_registry.domain.verification import IllegalTransitionError, transition

SAME_ACCOUNT: list[tuple[Platform, str, list[str]]] = [
    (
        "instagram",
        "diskominfo.jombang",
        [
            "diskominfo.jombang",
            "@Diskominfo.Jombang",
            "https://www.instagram.com/diskominfo.jombang/",
            "http://instagram.com/Diskominfo.Jombang?hl=id",
            "instagram.com/diskominfo.jombang",
            "https://m.instagram.com/diskominfo.jombang/reels/",
            "https://instagr.am/diskominfo.jombang",
            "https://www.instagram.com/stories/diskominfo.jombang/3219/",
        ],
    ),
    (
        "facebook",
        "pemkabjombang",
        [
            "pemkabjombang",
            "https://www.facebook.com/pemkabjombang",
            "https://m.facebook.com/PemkabJombang/?ref=page",
            "https://web.facebook.com/pemkabjombang/photos/",
            "fb.com/pemkabjombang",
            "https://www.facebook.com/pg/pemkabjombang/posts",
            "https://www.facebook.com/pages/pemkabjombang",
        ],
    ),
    (
        "facebook",
        "100064512345678",
        [
            "https://m.facebook.com/profile.php?id=100064512345678",
            "https://www.facebook.com/profile.php?id=100064512345678&sk=about",
            "https://www.facebook.com/pages/Info-Jombang/100064512345678",
            "https://www.facebook.com/people/Info-Jombang/100064512345678/",
        ],
    ),
    (
        "x",
        "kominfojombang",
        [
            "@KominfoJombang",
            "https://x.com/kominfojombang",
            "https://twitter.com/KominfoJombang/status/1234",
            "https://mobile.twitter.com/kominfojombang",
            "twitter.com/#!/kominfojombang",
        ],
    ),
    (
        "tiktok",
        "diskominfo.jombang",
        [
            "@diskominfo.jombang",
            "https://www.tiktok.com/@Diskominfo.Jombang",
            "https://www.tiktok.com/@diskominfo.jombang/video/7300000000000000000",
            "tiktok.com/@diskominfo.jombang?lang=id-ID",
        ],
    ),
    (
        "youtube",
        "diskominfojombang",
        [
            "@DiskominfoJombang",
            "diskominfojombang",
            "https://www.youtube.com/@diskominfojombang",
            "https://m.youtube.com/@DiskominfoJombang/videos",
        ],
    ),
    (
        "youtube",
        "channel:UCa1B2c3D4e5F6g7H8i9J0kL",
        [
            "https://www.youtube.com/channel/UCa1B2c3D4e5F6g7H8i9J0kL",
            "UCa1B2c3D4e5F6g7H8i9J0kL",
            "youtube.com/channel/UCa1B2c3D4e5F6g7H8i9J0kL/featured",
        ],
    ),
    ("youtube", "c:pemkabjombang", ["https://www.youtube.com/c/PemkabJombang"]),
    ("youtube", "user:pemkabjombang", ["https://www.youtube.com/user/pemkabjombang/videos"]),
    (
        "threads",
        "diskominfo.jombang",
        [
            "https://www.threads.net/@diskominfo.jombang",
            "https://www.threads.com/@Diskominfo.Jombang/post/C1",
            "@diskominfo.jombang",
        ],
    ),
    (
        "telegram",
        "jombangupdate",
        [
            "@JombangUpdate",
            "https://t.me/jombangupdate",
            "t.me/s/jombangupdate",
            "telegram.me/jombangupdate",
        ],
    ),
    (
        "whatsapp_channel",
        "0029VaKkdJombangInfoHoaks01",
        [
            "https://whatsapp.com/channel/0029VaKkdJombangInfoHoaks01",
            "https://www.whatsapp.com/channel/0029VaKkdJombangInfoHoaks01?lang=id",
            "0029VaKkdJombangInfoHoaks01",
        ],
    ),
    (
        "website",
        "diskominfo.jombangkab.go.id",
        [
            "https://diskominfo.jombangkab.go.id/berita/1",
            "http://www.Diskominfo.JombangKab.go.id",
            "diskominfo.jombangkab.go.id",
        ],
    ),
]


@pytest.mark.parametrize(
    ("platform", "canonical", "raw"),
    [(p, c, r) for p, c, forms in SAME_ACCOUNT for r in forms],
)
def test_every_form_of_an_account_gives_one_handle(
    platform: Platform, canonical: str, raw: str
) -> None:
    assert normalise_handle(platform, raw) == canonical


@pytest.mark.parametrize(
    ("platform", "raw"),
    [
        ("instagram", "https://www.instagram.com/p/CxYz123/"),
        ("instagram", "https://www.facebook.com/diskominfo"),
        ("instagram", "bad handle"),
        ("instagram", ""),
        ("facebook", "https://www.facebook.com/profile.php"),
        ("facebook", "https://www.facebook.com/groups/123"),
        ("x", "https://x.com/i/lists/123"),
        ("x", "a_handle_that_is_far_too_long"),
        ("tiktok", "https://vm.tiktok.com/ZSabc/"),
        ("tiktok", "https://www.tiktok.com/music/abc"),
        ("youtube", "https://youtu.be/dQw4w9WgXcQ"),
        ("youtube", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("telegram", "https://t.me/+AbCdEf123"),
        ("telegram", "https://t.me/joinchat/AbCdEf"),
        ("whatsapp_channel", "https://wa.me/6281234567890"),
        ("website", "https://localhost/"),
    ],
)
def test_what_names_no_account_is_refused(platform: Platform, raw: str) -> None:
    with pytest.raises(InvalidHandleError):
        normalise_handle(platform, raw)


def test_profile_urls_point_back_at_the_handle() -> None:
    for platform, canonical, _ in SAME_ACCOUNT:
        assert normalise_handle(platform, profile_url(platform, canonical)) == canonical


@pytest.mark.parametrize(
    "raw", ["0812-3456-7890", "+62 812 3456 7890", "6281234567890", "(0812) 34567890"]
)
def test_whatsapp_numbers_become_e164(raw: str) -> None:
    assert normalise_phone(raw) == "+6281234567890"


@pytest.mark.parametrize("raw", ["12345", "0812", "not a number", "+62 21"])
def test_bad_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidContactError):
        normalise_phone(raw)


def test_email_and_telegram() -> None:
    assert normalise_email(" Siti@Example.ID ") == "siti@example.id"
    with pytest.raises(InvalidContactError):
        normalise_email("siti@")
    assert normalise_telegram("@Siti_Jombang") == "siti_jombang"
    assert normalise_telegram("123456789") == "123456789"
    with pytest.raises(InvalidContactError):
        normalise_telegram("@a b")


def test_districts_have_one_spelling() -> None:
    assert canonical_district("kec. diwek") == "Diwek"
    assert canonical_district("Kecamatan BANDAR KEDUNG MULYO") == "Bandar Kedung Mulyo"
    with pytest.raises(UnknownDistrictError):
        canonical_district("Surabaya")


NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


def account() -> AccountState:
    return AccountState.model_validate(
        {
            "id": "01930000-0000-7000-8000-000000000001",
            "version": 1,
            "platform": "instagram",
            "handle": "diskominfo.jombang",
            "display_name": "Diskominfo",
            "managed_by": "government",
            "category": "government",
            "created_at": NOW,
            "updated_at": NOW,
        }
    )


def test_only_legal_verification_transitions() -> None:
    state = account()
    for to in ("verified", "suspended", "verified", "retired"):
        state, change = transition(state, to, by="u1", reason="alasan", at=NOW)  # type: ignore[arg-type]
        assert state.verification_status == to and change.to_status == to
    assert state.version == 5 and state.last_verification is not None
    assert state.last_verification.by == "u1"
    for to in ("pending", "verified", "suspended", "retired"):
        with pytest.raises(IllegalTransitionError):
            transition(state, to, by="u1", reason="", at=NOW)  # type: ignore[arg-type]
    with pytest.raises(IllegalTransitionError):
        transition(account(), "suspended", by="u1", reason="", at=NOW)


def test_revise_bumps_the_version_only_on_a_real_change() -> None:
    state = account()
    same, changed = revise(state, {"display_name": "Diskominfo"}, NOW)
    assert same is state and changed == []
    revised, changed = revise(state, {"display_name": "Kominfo", "district": None}, NOW)
    assert changed == ["display_name"] and revised.version == 2


def test_search_terms_and_query_words() -> None:
    found = terms("Dinas Pendidikan & Kebudayaan", "disdikbud.jombang")
    assert {"dinas", "pendidikan", "kebudayaan", "disdikbud", "jombang"} <= found
    assert "disdikbud.jombang" in found
    assert query_words("  Pendópo  Jombang ") == ["pendopo", "jombang"]
