"""Matching: URL and text normalisation, the index, and quality on a labelled set."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from sinergi_factcheck.domain.matching import text
from sinergi_factcheck.domain.matching.index import MatchIndex, Thresholds
from sinergi_factcheck.domain.matching.text import normalise_text
from sinergi_factcheck.domain.matching.urls import InvalidUrlError, normalise_url

PAIRS = json.loads((Path(__file__).parent / "hoax_pairs.json").read_text())
SAME: list[tuple[str, str]] = [tuple(p) for p in PAIRS["same"]]
DIFFERENT: list[tuple[str, str]] = [tuple(p) for p in PAIRS["different"]]
PRECISION_FLOOR = 0.9
RECALL_FLOOR = 0.9


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        (
            "https://www.facebook.com/story.php?story_fbid=123&id=9&fbclid=IwAR0x&mibextid=Nif5oz",
            "https://facebook.com/story.php?id=9&story_fbid=123",
        ),
        (
            "https://m.facebook.com/groups/1/posts/2/?utm_source=wa",
            "https://facebook.com/groups/1/posts/2",
        ),
        (
            "https://l.facebook.com/l.php?u=https%3A%2F%2Fberita.example.id%2Fa%3Futm_medium%3Dx&h=AT",
            "https://berita.example.id/a",
        ),
        ("https://www.instagram.com/reel/Cx1Yz/?igshid=MzRlOD", "https://instagram.com/p/Cx1Yz"),
        ("https://instagr.am/p/Cx1Yz", "https://instagram.com/p/Cx1Yz"),
        ("https://twitter.com/KPU_ID/status/175?s=20&t=abc", "https://x.com/i/status/175"),
        ("https://mobile.x.com/kpu_id/status/175/", "https://x.com/i/status/175"),
        ("https://youtu.be/dQw4w9WgXcQ?si=xyz", "https://youtube.com/watch?v=dQw4w9WgXcQ"),
        ("https://www.youtube.com/shorts/dQw4w9WgXcQ", "https://youtube.com/watch?v=dQw4w9WgXcQ"),
        (
            "https://m.youtube.com/watch?v=dQw4w9WgXcQ&feature=share&list=PL1",
            "https://youtube.com/watch?v=dQw4w9WgXcQ",
        ),
        (
            "https://www.tiktok.com/@Akun.Hoaks/video/7301?is_from_webapp=1&sender_device=pc",
            "https://tiktok.com/@akun.hoaks/video/7301",
        ),
        ("HTTP://Berita.Example.ID:443//a//b/?b=2&a=1#x", "https://berita.example.id/a/b?a=1&b=2"),
        ("berita.example.id/hoaks", "https://berita.example.id/hoaks"),
        ("https://telegram.me/s/kanal", "https://t.me/s/kanal"),
    ],
)
def test_urls_reduce_to_one_canonical_form(raw: str, canonical: str) -> None:
    assert normalise_url(raw) == canonical


@pytest.mark.parametrize(
    "raw",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(document.cookie)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "file:///etc/passwd",
        "ftp://example.id/a",
        "https://user:pass@bank.example.id/login",
        "https://exa mple.id/",
        "https://example.id/<script>",
        "https://localhost/",
        "https://127.0.0.1/admin",
        "https://" + "a" * 2050 + ".id",
        "vbscript:msgbox",
        "",
    ],
)
def test_malicious_or_odd_urls_are_refused(raw: str) -> None:
    with pytest.raises(InvalidUrlError):
        normalise_url(raw)


def test_indonesian_text_normalisation() -> None:
    assert normalise_text("KPU hapus data yg GAK nyoblos!!! 🙏🙏 dgn h0aks") == (
        "kpu hapus data yang tidak mencoblos dengan hoaks"
    )
    assert normalise_text("anak2 dapet bansos Rp600rb, bangeeet") == (
        "anak anak dapat bantuan sosial rp 600 ribu banget"
    )
    assert normalise_text("Pemilu 2024 — PPPK") == "pemilu 2024 pppk"
    assert normalise_text("Sélamat!!! ＫＰＵ") == "selamat kpu"


def test_the_character_table_stops_growing_and_still_normalises(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    table = text._MARKS_AND_SYMBOLS
    monkeypatch.setattr(type(table), "LIMIT", len(table) + 3)
    unseen = "".join(chr(code) for code in range(0x4E00, 0x4E10))  # CJK letters: kept
    assert text._strip_marks_and_symbols(f"{unseen}!✅e\u0301") == f"{unseen}  e"
    assert len(table) <= type(table).LIMIT
    assert normalise_text("Sélamat!!! ＫＰＵ 🙏") == "selamat kpu"


def test_exact_text_and_url_matches_score_100() -> None:
    index = MatchIndex()
    case = uuid4()
    index.add(
        uuid4(), case, normalise_text("Vaksin mengandung chip 5G"), ["https://x.com/i/status/9"]
    )
    exact = index.match(normalise_text("VAKSIN mengandung chip 5G!!! 😱"))
    assert exact[0].case_id == case and exact[0].score == 100 and exact[0].by == "text"
    by_url = index.match("", ["https://x.com/i/status/9"])
    assert by_url[0].by == "url"
    assert index.match(normalise_text("jadwal posyandu bulan depan")) == []


def test_a_merged_case_redirects_to_the_case_that_absorbed_it() -> None:
    index = MatchIndex()
    old, new = uuid4(), uuid4()
    index.add(uuid4(), old, normalise_text("beras plastik beredar di pasar legi"), [])
    index.redirect(old, new)
    assert index.match(normalise_text("beras plastik beredar di pasar legi"))[0].case_id == new


def test_matching_quality_on_the_labelled_set() -> None:
    """Every left-hand text is a stored case; each right-hand text is a new report. A pair is
    predicted 'same' when the report's best match is the left text's case above the
    suggestion threshold."""
    thresholds = Thresholds()
    index = MatchIndex()
    cases: dict[str, UUID] = {}
    for left, _ in SAME + DIFFERENT:
        if left not in cases:
            cases[left] = uuid4()
            index.add(uuid4(), cases[left], normalise_text(left), [])
    outcomes = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    for pairs, same in ((SAME, True), (DIFFERENT, False)):
        for left, right in pairs:
            found = index.match(normalise_text(right))
            predicted = bool(
                found and found[0].case_id == cases[left] and found[0].score >= thresholds.suggest
            )
            key = ("tp" if same else "fp") if predicted else ("fn" if same else "tn")
            outcomes[key] += 1
    precision = outcomes["tp"] / max(1, outcomes["tp"] + outcomes["fp"])
    recall = outcomes["tp"] / max(1, outcomes["tp"] + outcomes["fn"])
    print(
        f"\nmatching on {len(SAME)} same / {len(DIFFERENT)} different pairs: "
        f"precision {precision:.2f}, recall {recall:.2f}, {outcomes}"
    )
    assert precision >= PRECISION_FLOOR
    assert recall >= RECALL_FLOOR
    merged = sum(
        1
        for left, right in SAME
        if (m := index.match(normalise_text(right)))
        and m[0].score >= thresholds.merge
        and m[0].case_id == cases[left]
    )
    assert merged >= len(SAME) // 2, "most forwarded copies should merge without a human"
