"""The accounts API end to end in-process, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sinergi_kit.auth import Role
from sinergi_kit.contracts.registry import (
    AccountRegisteredV1,
    AccountSuspendedV1,
    AccountUpdatedV1,
    AccountVerifiedV1,
)

from .conftest import Registry

DISKOMINFO: dict[str, Any] = {
    "platform": "instagram",
    "handle": "https://www.instagram.com/Diskominfo.Jombang/?hl=id",
    "display_name": "Diskominfo Kabupaten Jombang",
    "managed_by": "government",
    "category": "government",
    "district": "kec. jombang",
    "tags": ["OPD", " pemilu "],
    "followers": 15200,
}


async def create(registry: Registry, body: dict[str, Any] | None = None, **headers: str) -> Any:
    response = await registry.client.post(
        "/accounts", json=body or DISKOMINFO, headers=registry.operator | headers
    )
    assert response.status_code == 201, response.text
    return response


async def test_register_read_and_the_event(registry: Registry) -> None:
    response = await create(registry)
    account = response.json()
    assert account["handle"] == "diskominfo.jombang"
    assert account["district"] == "Jombang"
    assert account["tags"] == ["opd", "pemilu"]
    assert account["url"] == "https://www.instagram.com/diskominfo.jombang/"
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == f"/accounts/{account['id']}"

    got = await registry.client.get(
        response.headers["location"], headers=registry.auth(Role.VIEWER)
    )
    assert got.status_code == 200 and got.json() == account and got.headers["etag"] == '"1"'

    [event] = await registry.events()
    assert isinstance(event, AccountRegisteredV1)
    assert event.account.model_dump(mode="json") == account


async def test_the_same_account_by_url_or_handle_is_refused(registry: Registry) -> None:
    await create(registry)
    again = await registry.client.post(
        "/accounts",
        json=DISKOMINFO | {"handle": "@DISKOMINFO.jombang"},
        headers=registry.operator | {"accept-language": "en"},
    )
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["code"] == "account_exists"
    assert "already registered" in again.json()["detail"]


async def test_writes_need_a_writer_role(registry: Registry) -> None:
    anonymous = await registry.client.post("/accounts", json=DISKOMINFO)
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "unauthenticated"
    viewer = await registry.client.post(
        "/accounts", json=DISKOMINFO, headers=registry.auth(Role.VIEWER)
    )
    assert viewer.status_code == 403 and viewer.json()["code"] == "forbidden"
    forged = await registry.client.get("/accounts", headers={"authorization": "Bearer not.a.token"})
    assert forged.status_code == 401 and forged.json()["code"] == "invalid_token"
    assert (await registry.client.get("/accounts")).status_code == 401


async def test_bad_input_is_a_problem_in_indonesian_by_default(registry: Registry) -> None:
    bad_handle = await registry.client.post(
        "/accounts",
        json=DISKOMINFO | {"handle": "https://www.instagram.com/p/Cx1/"},
        headers=registry.operator,
    )
    assert bad_handle.status_code == 422 and bad_handle.json()["code"] == "invalid_handle"
    assert "tidak dikenali" in bad_handle.json()["detail"]
    district = await registry.client.post(
        "/accounts", json=DISKOMINFO | {"district": "Surabaya"}, headers=registry.operator
    )
    assert district.status_code == 422 and district.json()["code"] == "unknown_district"
    shape = await registry.client.post(
        "/accounts", json={"platform": "myspace"}, headers=registry.operator
    )
    assert shape.status_code == 422 and shape.json()["code"] == "validation_failed"
    assert shape.json()["errors"]


async def test_idempotency_key_returns_the_first_response(registry: Registry) -> None:
    first = await create(registry, **{"Idempotency-Key": "abc-123"})
    second = await create(registry, **{"Idempotency-Key": "abc-123"})
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert len(await registry.events()) == 1
    other_body = await registry.client.post(
        "/accounts",
        json=DISKOMINFO | {"display_name": "Lain"},
        headers=registry.operator | {"Idempotency-Key": "abc-123"},
    )
    assert other_body.status_code == 422
    assert other_body.json()["code"] == "idempotency_key_reused"


async def test_update_needs_the_current_etag(registry: Registry) -> None:
    account = (await create(registry)).json()
    url = f"/accounts/{account['id']}"
    missing = await registry.client.patch(url, json={"followers": 1}, headers=registry.operator)
    assert missing.status_code == 428
    updated = await registry.client.patch(
        url,
        json={"followers": 16400, "tags": ["opd"]},
        headers=registry.operator | {"If-Match": '"1"'},
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["followers"] == 16400 and updated.headers["etag"] == '"2"'
    lost = await registry.client.patch(
        url, json={"display_name": "Kominfo"}, headers=registry.operator | {"If-Match": '"1"'}
    )
    assert lost.status_code == 412 and lost.json()["code"] == "precondition_failed"
    unchanged = await registry.client.patch(
        url, json={"followers": 16400}, headers=registry.operator | {"If-Match": '"2"'}
    )
    assert unchanged.headers["etag"] == '"2"'
    cleared = await registry.client.patch(
        url, json={"display_name": None}, headers=registry.operator | {"If-Match": '"2"'}
    )
    assert cleared.status_code == 422
    update_events = await registry.events(AccountUpdatedV1.event_type)
    assert len(update_events) == 1
    assert isinstance(update_events[0], AccountUpdatedV1)
    assert update_events[0].changed == ["followers", "followers_observed_at", "tags"]
    history = (await registry.client.get(url + "/history", headers=registry.operator)).json()
    assert [s["followers"] for s in history["followers"]] == [15200, 16400]


async def test_verification_walks_the_state_machine(registry: Registry) -> None:
    account = (await create(registry)).json()
    url = f"/accounts/{account['id']}/verification"
    verifier = registry.auth(Role.VERIFIER, subject="verifier-7")
    by_operator = await registry.client.post(
        url, json={"status": "verified"}, headers=registry.operator | {"If-Match": '"1"'}
    )
    assert by_operator.status_code == 403
    steps = [("verified", 200), ("pending", 409), ("suspended", 200), ("verified", 200)]
    version = 1
    for status, expected in steps:
        response = await registry.client.post(
            url,
            json={"status": status, "reason": f"ke {status}"},
            headers=verifier | {"If-Match": f'"{version}"'},
        )
        assert response.status_code == expected, response.text
        if expected == 200:
            version += 1
            assert response.json()["verification_status"] == status
            assert response.json()["last_verification"]["by"] == "verifier-7"
        else:
            assert response.json()["code"] == "illegal_transition"
    history = await registry.client.get(
        f"/accounts/{account['id']}/history", headers=registry.operator
    )
    assert [c["to_status"] for c in history.json()["verification"]] == [
        "verified",
        "suspended",
        "verified",
    ]
    kinds = [type(e) for e in await registry.events()]
    assert kinds == [AccountRegisteredV1, AccountVerifiedV1, AccountSuspendedV1, AccountVerifiedV1]


async def test_list_filters_search_sort_and_cursor(registry: Registry) -> None:
    names = ["Info Diwek", "Info Ploso", "Kabar Mojowarno", "Diwek Bersatu", "Dinas Kesehatan"]
    for index, name in enumerate(names):
        await create(
            registry,
            DISKOMINFO
            | {
                "handle": f"akun{index}",
                "display_name": name,
                "managed_by": "independent" if index < 4 else "government",
                "category": "community" if index < 4 else "government",
                "district": "Diwek" if "Diwek" in name else "Ploso",
                "followers": 1000 * (index + 1),
            },
        )
    headers = registry.auth(Role.VIEWER)

    async def names_of(**params: Any) -> list[str]:
        body = (await registry.client.get("/accounts", params=params, headers=headers)).json()
        return [item["display_name"] for item in body["items"]]

    assert await names_of(q="diwek", sort="name") == ["Diwek Bersatu", "Info Diwek"]
    assert await names_of(q="info dIw") == ["Info Diwek"]
    assert await names_of(q="akun3") == ["Diwek Bersatu"]
    assert await names_of(managed_by="government") == ["Dinas Kesehatan"]
    assert await names_of(district=["Ploso"], sort="-followers") == [
        "Dinas Kesehatan",
        "Kabar Mojowarno",
        "Info Ploso",
    ]
    assert await names_of(min_followers=4000) == ["Diwek Bersatu", "Dinas Kesehatan"]
    assert await names_of(tag="PEMILU", q="kabar") == ["Kabar Mojowarno"]

    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, "sort": "-name"}
        if cursor:
            params["cursor"] = cursor
        page = (await registry.client.get("/accounts", params=params, headers=headers)).json()
        seen += [item["display_name"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(names, key=str.casefold, reverse=True)
    bad = await registry.client.get("/accounts", params={"cursor": "zzz"}, headers=headers)
    assert bad.status_code == 400 and bad.json()["code"] == "bad_cursor"


async def test_stats_count_by_dimension(registry: Registry) -> None:
    await create(registry)
    await create(
        registry,
        DISKOMINFO
        | {"handle": "infojombang", "managed_by": "independent", "category": "community"},
    )
    stats = (await registry.client.get("/stats/accounts", headers=registry.operator)).json()
    assert stats["total"] == 2
    assert stats["by_managed_by"] == {"government": 1, "independent": 1}
    assert stats["by_platform"] == {"instagram": 2}
    assert stats["by_district"] == {"Jombang": 2}
    assert stats["by_verification_status"] == {"pending": 2}
