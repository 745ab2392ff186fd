"""Who is signed in: the registry's bearer token, kept in an HttpOnly cookie. Its claims are
read here only to decide which controls to show; every service verifies it on each call."""

from __future__ import annotations

import time
from dataclasses import dataclass

import jwt
from fastapi import Request

from sinergi_kit.i18n import DEFAULT_LANG, Lang

SESSION_COOKIE = "sinergi_console_session"
LANG_COOKIE = "sinergi_console_lang"
WRITER_ROLES = frozenset({"admin", "operator"})
VERIFIER_ROLES = frozenset({"admin", "verifier"})


@dataclass(frozen=True)
class Operator:
    token: str
    subject: str
    name: str
    roles: frozenset[str]
    expires_at: float

    @property
    def can_write(self) -> bool:
        return bool(self.roles & WRITER_ROLES)

    @property
    def can_verify(self) -> bool:
        return bool(self.roles & VERIFIER_ROLES)

    @classmethod
    def from_token(cls, token: str) -> Operator | None:
        try:
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            return None
        expires_at = float(claims.get("exp", 0))
        if expires_at <= time.time() or "sub" not in claims:
            return None
        return cls(
            token=token,
            subject=str(claims["sub"]),
            name=str(claims.get("name") or claims["sub"]),
            roles=frozenset(str(role) for role in claims.get("roles", [])),
            expires_at=expires_at,
        )


def current_operator(request: Request) -> Operator | None:
    token = request.cookies.get(SESSION_COOKIE)
    return Operator.from_token(token) if token else None


def chosen_lang(request: Request) -> Lang:
    """``?lang=`` first (the toggle), then the remembered choice; else Indonesian, whatever
    the browser prefers: operators switch to English on purpose."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in ("id", "en"):
            return "en" if candidate == "en" else DEFAULT_LANG
    return DEFAULT_LANG
