"""The OpenAPI document names every answer the public routes give."""

from __future__ import annotations

from typing import Any

from sinergi_factcheck.app import build_app

from .support import settings_for


def paths(tmp_path: Any) -> dict[str, Any]:
    app = build_app(settings_for(f"sqlite+aiosqlite:///{tmp_path}/factcheck.db"))
    document: dict[str, Any] = app.openapi()["paths"]
    return document


def test_uploads_document_too_large_and_not_an_image(tmp_path: Any) -> None:
    responses = paths(tmp_path)["/reports/images"]["post"]["responses"]
    assert {"413", "415", "429"} <= set(responses)


def test_bodies_are_limited_and_reads_are_not(tmp_path: Any) -> None:
    document = paths(tmp_path)
    assert "413" in document["/cases/{case_id}/verdict"]["post"]["responses"]
    assert "413" not in document["/cases"]["get"]["responses"]


def test_claimreview_is_documented_as_json_ld(tmp_path: Any) -> None:
    document = paths(tmp_path)
    for path in ("/claimreview", "/clarifications/{clarification_id}/claimreview"):
        assert "application/ld+json" in document[path]["get"]["responses"]["200"]["content"]


def test_the_campaign_list_documents_its_filter_and_cursor(tmp_path: Any) -> None:
    listed = paths(tmp_path)["/campaigns"]["get"]
    assert {p["name"] for p in listed["parameters"]} == {"case_id", "cursor", "limit"}
    schema = listed["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/CampaignPage")
