"""Organisations and people over HTTP: contact points, consent, scope, export, erasure."""

from __future__ import annotations

from typing import Any

from sinergi_kit.auth import Role
from sinergi_kit.contracts.registry import (
    OrganizationRegisteredV1,
    PersonErasedV1,
    PersonRegisteredV1,
    PersonUpdatedV1,
)

from .conftest import Registry


async def organization(registry: Registry, **body: Any) -> Any:
    response = await registry.client.post(
        "/organizations",
        json={"kind": "partner_body", "name": "Bawaslu Kabupaten Jombang", "district": "Jombang"}
        | body,
        headers=registry.operator,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def account(registry: Registry, handle: str, **body: Any) -> Any:
    response = await registry.client.post(
        "/accounts",
        json={
            "platform": "instagram",
            "handle": handle,
            "display_name": handle,
            "managed_by": "independent",
            "category": "community",
        }
        | body,
        headers=registry.operator,
    )
    assert response.status_code == 201, response.text
    return response.json()


SITI: dict[str, Any] = {
    "name": "Siti Rahmawati",
    "roles": ["account_admin"],
    "contact": {"email": "Siti@Example.id", "whatsapp": "0812-3456-7890", "telegram": "@siti_jbg"},
    "preferred_language": "en",
    "consents": [{"purpose": "event_invitations", "source": "form:kopilaborasi-2023"}],
}


async def test_organisations_register_update_and_refuse_duplicates(registry: Registry) -> None:
    created = await organization(registry, contacts={"phone": "0321 861234"})
    assert created["contacts"]["phone"] == "+62321861234"
    duplicate = await registry.client.post(
        "/organizations",
        json={"kind": "media", "name": "BAWASLU kabupaten jombang"},
        headers=registry.operator,
    )
    assert duplicate.status_code == 409
    changed = await registry.client.patch(
        f"/organizations/{created['id']}",
        json={"short_name": "Bawaslu"},
        headers=registry.operator | {"If-Match": '"1"'},
    )
    assert changed.status_code == 200 and changed.headers["etag"] == '"2"'
    listed = await registry.client.get(
        "/organizations", params={"kind": "partner_body"}, headers=registry.operator
    )
    assert [o["short_name"] for o in listed.json()] == ["Bawaslu"]
    [event] = await registry.events(OrganizationRegisteredV1.event_type)
    assert isinstance(event, OrganizationRegisteredV1) and event.organization.kind == "partner_body"


async def test_a_person_with_contacts_consent_and_accounts(registry: Registry) -> None:
    org = await organization(registry)
    managed = await account(registry, "infojombang", organization_id=org["id"])
    assert managed["organization_kind"] == "partner_body"
    response = await registry.client.post(
        "/people",
        json=SITI | {"organization_id": org["id"], "managed_account_ids": [managed["id"]]},
        headers=registry.operator,
    )
    assert response.status_code == 201, response.text
    person = response.json()
    assert person["contact"] == {
        "email": "siti@example.id",
        "whatsapp": "+6281234567890",
        "telegram": "siti_jbg",
    }
    assert person["organization_kind"] == "partner_body"
    assert person["consents"][0]["purpose"] == "event_invitations"

    taken = await registry.client.post(
        "/people",
        json={"name": "Orang Lain", "contact": {"whatsapp": "+62 812 3456 7890"}},
        headers=registry.operator,
    )
    assert taken.status_code == 409 and taken.json()["code"] == "contact_taken"
    bad = await registry.client.post(
        "/people", json={"name": "X", "contact": {"whatsapp": "123"}}, headers=registry.operator
    )
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_contact"
    missing = await registry.client.post(
        "/people",
        json={"name": "X", "managed_account_ids": ["01930000-0000-7000-8000-000000000009"]},
        headers=registry.operator,
    )
    assert missing.status_code == 422 and missing.json()["code"] == "accounts_not_found"

    withdrawn = await registry.client.post(
        f"/people/{person['id']}/consents",
        json={"purpose": "event_invitations", "granted": False, "source": "whatsapp"},
        headers=registry.operator | {"If-Match": '"1"'},
    )
    assert withdrawn.status_code == 200
    [registered] = await registry.events(PersonRegisteredV1.event_type)
    [updated] = await registry.events(PersonUpdatedV1.event_type)
    assert isinstance(registered, PersonRegisteredV1) and isinstance(updated, PersonUpdatedV1)
    assert registered.person.consents_to("event_invitations")
    assert not updated.person.consents_to("event_invitations")

    found = await registry.client.get("/people", params={"q": "rahma"}, headers=registry.operator)
    assert [p["name"] for p in found.json()["items"]] == ["Siti Rahmawati"]
    by_role = await registry.client.get(
        "/people", params={"role": "speaker"}, headers=registry.operator
    )
    assert by_role.json()["items"] == []


async def test_a_persons_time_zone_is_checked_and_travels_with_their_events(
    registry: Registry,
) -> None:
    unknown = await registry.client.post(
        "/people", json={"name": "Andi", "timezone": "Asia/Atlantis"}, headers=registry.operator
    )
    assert unknown.status_code == 422
    created = await registry.client.post(
        "/people", json={"name": "Andi", "timezone": "Asia/Makassar"}, headers=registry.operator
    )
    assert created.status_code == 201, created.text
    assert created.json()["timezone"] == "Asia/Makassar"
    moved = await registry.client.patch(
        f"/people/{created.json()['id']}",
        json={"timezone": "Asia/Jayapura"},
        headers=registry.operator | {"If-Match": '"1"'},
    )
    assert moved.status_code == 200 and moved.json()["timezone"] == "Asia/Jayapura"
    [registered] = await registry.events(PersonRegisteredV1.event_type)
    [updated] = await registry.events(PersonUpdatedV1.event_type)
    assert isinstance(registered, PersonRegisteredV1) and isinstance(updated, PersonUpdatedV1)
    assert (registered.person.timezone, updated.person.timezone) == (
        "Asia/Makassar",
        "Asia/Jayapura",
    )
    untouched = await registry.client.post(
        "/people", json={"name": "Budi"}, headers=registry.operator
    )
    assert untouched.json()["timezone"] is None  # notify then uses Asia/Jakarta (WIB)


async def test_a_partner_user_writes_only_within_their_organisation(registry: Registry) -> None:
    org = await organization(registry)
    other = await organization(registry, name="KPU Kabupaten Jombang")
    partner = registry.auth(Role.OPERATOR, org=org["id"])
    own = await registry.client.post(
        "/people", json={"name": "Petugas", "organization_id": org["id"]}, headers=partner
    )
    assert own.status_code == 201
    foreign = await registry.client.post(
        "/people", json={"name": "Petugas", "organization_id": other["id"]}, headers=partner
    )
    assert foreign.status_code == 403 and foreign.json()["code"] == "out_of_scope"
    move = await registry.client.patch(
        f"/people/{own.json()['id']}",
        json={"organization_id": other["id"]},
        headers=partner | {"If-Match": '"1"'},
    )
    assert move.status_code == 403


async def test_export_then_erase(registry: Registry) -> None:
    person = (await registry.client.post("/people", json=SITI, headers=registry.operator)).json()
    url = f"/people/{person['id']}"
    viewer = await registry.client.get(url + "/export", headers=registry.auth(Role.VIEWER))
    assert viewer.status_code == 403
    export = await registry.client.get(url + "/export", headers=registry.operator)
    assert export.status_code == 200
    assert export.json()["person"]["contact"]["email"] == "siti@example.id"
    assert [e["action"] for e in export.json()["audit"]] == ["person.registered"]

    stale = await registry.client.delete(url, headers=registry.operator | {"If-Match": '"7"'})
    assert stale.status_code == 412
    erased = await registry.client.delete(url, headers=registry.operator | {"If-Match": '"1"'})
    assert erased.status_code == 204
    gone = await registry.client.get(url, headers=registry.operator)
    assert gone.status_code == 410 and gone.json()["code"] == "person_erased"
    listed = await registry.client.get("/people", headers=registry.operator)
    assert listed.json()["items"] == []
    [event] = await registry.events(PersonErasedV1.event_type)
    assert isinstance(event, PersonErasedV1) and event.version == 2
    assert "siti" not in event.model_dump_json().lower()
    again = await registry.client.post("/people", json=SITI, headers=registry.operator)
    assert again.status_code == 201  # the contact points are free again
    audit = await registry.client.get(
        "/audit", params={"resource_id": person["id"]}, headers=registry.admin
    )
    assert [e["action"] for e in audit.json()] == [
        "person.erased",
        "person.exported",
        "person.registered",
    ]
