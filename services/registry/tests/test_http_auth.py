"""Operator users, password sign-in, API tokens and the audit log."""

from __future__ import annotations

from sinergi_kit.auth import Role

from .conftest import Registry

OPERATOR = {
    "username": "Operator.Kominfo",
    "name": "Operator Diskominfo",
    "password": "kata-sandi-panjang-1",
    "roles": ["operator"],
}


async def test_users_sign_in_with_a_password(registry: Registry) -> None:
    by_operator = await registry.client.post("/users", json=OPERATOR, headers=registry.operator)
    assert by_operator.status_code == 403
    created = await registry.client.post("/users", json=OPERATOR, headers=registry.admin)
    assert created.status_code == 201, created.text
    assert "password" not in created.text and "hash" not in created.text
    again = await registry.client.post("/users", json=OPERATOR, headers=registry.admin)
    assert again.status_code == 409

    wrong = await registry.client.post(
        "/auth/login", json={"username": "operator.kominfo", "password": "salah-salah-salah"}
    )
    assert wrong.status_code == 401 and wrong.json()["code"] == "login_failed"
    unknown = await registry.client.post(
        "/auth/login", json={"username": "nobody", "password": "salah-salah-salah"}
    )
    assert unknown.status_code == 401
    login = await registry.client.post(
        "/auth/login", json={"username": "OPERATOR.kominfo", "password": OPERATOR["password"]}
    )
    assert login.status_code == 200
    bearer = {"authorization": f"Bearer {login.json()['access_token']}"}
    me = (await registry.client.get("/auth/me", headers=bearer)).json()
    assert me["roles"] == ["operator"] and me["subject"] == created.json()["id"]

    write = await registry.client.post("/segments", json={"name": "Semua"}, headers=bearer)
    assert write.status_code == 201
    audit = await registry.client.get(
        "/audit", params={"resource_type": "segment"}, headers=registry.admin
    )
    assert [(e["actor"], e["action"]) for e in audit.json()] == [(me["subject"], "segment.created")]
    assert (await registry.client.get("/audit", headers=bearer)).status_code == 403


async def test_machine_clients_exchange_api_tokens(registry: Registry) -> None:
    issued = await registry.client.post(
        "/api-tokens", json={"name": "notify-sync", "roles": ["viewer"]}, headers=registry.admin
    )
    assert issued.status_code == 201
    secret = issued.json()["token"]
    exchanged = await registry.client.post("/auth/token", json={"api_token": secret})
    assert exchanged.status_code == 200
    bearer = {"authorization": f"Bearer {exchanged.json()['access_token']}"}
    assert (await registry.client.get("/accounts", headers=bearer)).status_code == 200
    assert (
        await registry.client.post("/segments", json={"name": "x"}, headers=bearer)
    ).status_code == 403
    listed = await registry.client.get("/api-tokens", headers=registry.admin)
    assert listed.json()[0]["last_used_at"] is not None and "token" not in listed.json()[0]

    revoked = await registry.client.delete(
        f"/api-tokens/{issued.json()['id']}", headers=registry.admin
    )
    assert revoked.status_code == 204
    refused = await registry.client.post("/auth/token", json={"api_token": secret})
    assert refused.status_code == 401 and refused.json()["code"] == "api_token_invalid"
    users = await registry.client.get("/users", headers=registry.auth(Role.VIEWER))
    assert users.status_code == 403
