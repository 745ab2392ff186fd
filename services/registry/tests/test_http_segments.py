"""Segments over HTTP: saved filters, their preview and their events."""

from __future__ import annotations

from sinergi_kit.contracts.segments import SegmentCreatedV1, SegmentDeletedV1, SegmentUpdatedV1

from .conftest import Registry
from .test_http_people import account


async def test_segment_lifecycle_and_preview(registry: Registry) -> None:
    independent = await account(registry, "infodiwek", district="Diwek", followers=5000)
    await account(registry, "infoploso", district="Ploso", followers=800)
    await account(
        registry, "dinkes.jombang", managed_by="government", category="government", district="Diwek"
    )
    admin = await registry.client.post(
        "/people",
        json={
            "name": "Budi",
            "roles": ["account_admin"],
            "managed_account_ids": [independent["id"]],
        },
        headers=registry.operator,
    )
    assert admin.status_code == 201
    body = {
        "name": "Akun mandiri Diwek",
        "filter": {"managed_by": ["independent"], "districts": ["diwek"]},
    }
    created = await registry.client.post("/segments", json=body, headers=registry.operator)
    assert created.status_code == 201, created.text
    segment = created.json()
    duplicate = await registry.client.post("/segments", json=body, headers=registry.operator)
    assert duplicate.status_code == 409

    preview = await registry.client.get(
        f"/segments/{segment['id']}/preview", headers=registry.operator
    )
    assert preview.json()["accounts"]["count"] == 1
    assert preview.json()["accounts"]["members"][0]["handle"] == "infodiwek"
    assert [p["name"] for p in preview.json()["people"]["members"]] == ["Budi"]

    unsaved = await registry.client.post(
        "/segments/preview",
        json={"min_followers": 1000, "roles": ["speaker"]},
        headers=registry.operator,
    )
    assert unsaved.json()["accounts"]["count"] == 1 and unsaved.json()["people"]["count"] == 0
    wrong = await registry.client.post(
        "/segments/preview", json={"platforms": ["myspace"]}, headers=registry.operator
    )
    assert wrong.status_code == 422

    changed = await registry.client.patch(
        f"/segments/{segment['id']}",
        json={"filter": {"managed_by": ["government"]}},
        headers=registry.operator | {"If-Match": '"1"'},
    )
    assert changed.status_code == 200 and changed.headers["etag"] == '"2"'
    deleted = await registry.client.delete(
        f"/segments/{segment['id']}", headers=registry.operator | {"If-Match": '"2"'}
    )
    assert deleted.status_code == 204
    missing = await registry.client.get(f"/segments/{segment['id']}", headers=registry.operator)
    assert missing.status_code == 404
    kinds = [type(e) for e in await registry.events() if "segment" in e.event_type]
    assert kinds == [SegmentCreatedV1, SegmentUpdatedV1, SegmentDeletedV1]
