"""Tokens: issued by the built-in issuer, verified by every service, roles enforced."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any
from uuid import uuid4

import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sinergi_kit.auth import Principal, Role, TokenVerifier, Writer
from sinergi_kit.http.problems import install_problem_handlers
from sinergi_kit.settings import ServiceSettings


@pytest.fixture
def client() -> tuple[TestClient, TokenVerifier]:
    verifier = TokenVerifier(ServiceSettings(jwt_secret="rahasia-uji-" + "x" * 32))
    app = FastAPI()
    app.state.token_verifier = verifier
    install_problem_handlers(app)

    @app.post("/tulis")
    async def write(principal: Writer) -> dict[str, str]:
        return {"subject": principal.subject}

    return TestClient(app), verifier


def test_a_writer_passes_and_the_principal_is_known(
    client: tuple[TestClient, TokenVerifier],
) -> None:
    http, verifier = client
    org = uuid4()
    token = verifier.issue(Principal("operator-1", frozenset({Role.OPERATOR}), org, "Sari"))
    assert verifier.verify(token).organization_id == org
    response = http.post("/tulis", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json() == {"subject": "operator-1"}


@pytest.mark.parametrize(
    ("header", "status", "code"),
    [
        (None, 401, "unauthenticated"),
        ("Bearer not-a-jwt", 401, "invalid_token"),
        ("Basic dXNlcjpwYXNz", 401, "unauthenticated"),
    ],
)
def test_missing_or_bad_tokens_get_a_problem(
    client: tuple[TestClient, TokenVerifier], header: str | None, status: int, code: str
) -> None:
    http, _ = client
    response = http.post("/tulis", headers={"Authorization": header} if header else {})
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


def test_wrong_role_expired_token_and_foreign_key_are_refused(
    client: tuple[TestClient, TokenVerifier],
) -> None:
    http, verifier = client
    viewer = verifier.issue(Principal("v", frozenset({Role.VIEWER})))
    response = http.post(
        "/tulis", headers={"Authorization": f"Bearer {viewer}", "Accept-Language": "en"}
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "Your role is not allowed to do this."
    expired = verifier.issue(Principal("o", frozenset({Role.OPERATOR})), ttl=timedelta(seconds=-5))
    assert http.post("/tulis", headers={"Authorization": f"Bearer {expired}"}).status_code == 401
    stranger = TokenVerifier(ServiceSettings(jwt_secret="kunci-lain-" + "y" * 32))
    forged = stranger.issue(Principal("o", frozenset({Role.ADMIN})))
    assert http.post("/tulis", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_a_remembered_token_is_checked_again_once_it_expires_and_a_changed_one_at_once(
    client: tuple[TestClient, TokenVerifier], monkeypatch: pytest.MonkeyPatch
) -> None:
    http, verifier = client
    decoded: list[str] = []
    decode = jwt.decode

    def counting_decode(token: str, *args: Any, **kwargs: Any) -> Any:
        decoded.append(token)
        return decode(token, *args, **kwargs)

    monkeypatch.setattr("sinergi_kit.auth.jwt.decode", counting_decode)
    token = verifier.issue(Principal("o", frozenset({Role.OPERATOR})), ttl=timedelta(seconds=30))
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(3):
        assert http.post("/tulis", headers=headers).status_code == 200
    assert decoded == [token]

    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload}.{signature[::-1]}"
    assert http.post("/tulis", headers={"Authorization": f"Bearer {tampered}"}).status_code == 401
    assert decoded == [token, tampered]

    past_expiry = time.time() + 31
    monkeypatch.setattr("sinergi_kit.auth.time.time", lambda: past_expiry)
    http.post("/tulis", headers=headers)
    assert decoded == [token, tampered, token]
