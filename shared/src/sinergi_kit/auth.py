"""Bearer tokens every service verifies: JWTs signed with a shared key (HS256) by the
registry's built-in issuer, or by an external OIDC provider through its JWKS (RS256)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

import jwt
from fastapi import Depends, Request

from sinergi_kit.clock import utcnow
from sinergi_kit.http.problems import ProblemError
from sinergi_kit.i18n import register_messages
from sinergi_kit.settings import ServiceSettings


class Role(StrEnum):
    ADMIN = "admin"
    OPERATOR = "operator"
    VERIFIER = "verifier"
    VIEWER = "viewer"


WRITERS = frozenset({Role.ADMIN, Role.OPERATOR})
EVERYONE = frozenset(Role)


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[Role]
    organization_id: UUID | None = None
    name: str = ""

    def has_any(self, roles: frozenset[Role]) -> bool:
        return bool(self.roles & roles)


register_messages(
    {
        "auth.missing": {
            "id": "Masuk terlebih dahulu: kirim token Bearer.",
            "en": "Sign in first: send a Bearer token.",
        },
        "auth.invalid": {
            "id": "Token tidak valid atau kedaluwarsa.",
            "en": "The token is invalid or has expired.",
        },
        "auth.forbidden": {
            "id": "Peran Anda tidak diizinkan melakukan ini.",
            "en": "Your role is not allowed to do this.",
        },
    }
)


VERIFIED_CACHE_SIZE = 4_096
VERIFIED_MAX_AGE_S = 60.0
"""How long a verified token is trusted without checking its signature again: short, so a
key withdrawn from a JWKS stops working within a minute."""


class TokenVerifier:
    """Verifies bearer tokens. A client sends the same token with every request, so a token
    that verified is remembered by its exact text until it expires (or for a minute at most)
    and its signature is not checked again on each request."""

    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwks_url) if settings.jwks_url else None
        self._verified: dict[str, tuple[Principal, float]] = {}

    def _key(self, token: str) -> tuple[Any, list[str]]:
        if self._jwks is not None:
            return self._jwks.get_signing_key_from_jwt(token).key, ["RS256", "ES256"]
        return self.settings.resolved_jwt_secret(), ["HS256"]

    def issue(self, principal: Principal, ttl: timedelta = timedelta(hours=8)) -> str:
        now = utcnow()
        claims: dict[str, Any] = {
            "sub": principal.subject,
            "roles": sorted(principal.roles),
            "name": principal.name,
            "iss": self.settings.jwt_issuer,
            "aud": self.settings.jwt_audience,
            "iat": now,
            "exp": now + ttl,
        }
        if principal.organization_id:
            claims["org"] = str(principal.organization_id)
        return jwt.encode(claims, self.settings.resolved_jwt_secret(), algorithm="HS256")

    def verify(self, token: str) -> Principal:
        remembered = self._verified.get(token)
        now = time.time()
        if remembered is not None:
            principal, trusted_until = remembered
            if now < trusted_until:
                return principal
            del self._verified[token]
        principal, expires_at = self._verify_signature(token)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.clear()
        self._verified[token] = (principal, min(expires_at, now + VERIFIED_MAX_AGE_S))
        return principal

    def _verify_signature(self, token: str) -> tuple[Principal, float]:
        """The token's principal and expiry (a Unix time), or a 401 problem."""
        try:
            key, algorithms = self._key(token)
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self.settings.jwt_audience,
                issuer=self.settings.jwt_issuer,
                options={"require": ["exp", "sub"]},
            )
            roles = frozenset(
                Role(r) for r in claims.get("roles", []) if r in Role.__members__.values()
            )
            org = claims.get("org")
            principal = Principal(
                str(claims["sub"]), roles, UUID(org) if org else None, str(claims.get("name", ""))
            )
            return principal, float(claims["exp"])
        except (jwt.PyJWTError, ValueError) as exc:
            raise ProblemError(401, "invalid_token", detail_key="auth.invalid") from exc


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def require_roles(roles: frozenset[Role]) -> Callable[[Request], Awaitable[Principal]]:
    """A FastAPI dependency: the caller's principal, if it holds one of ``roles``."""

    async def dependency(request: Request) -> Principal:
        token = bearer_token(request)
        if token is None:
            raise ProblemError(401, "unauthenticated", detail_key="auth.missing")
        verifier: TokenVerifier = request.app.state.token_verifier
        principal = verifier.verify(token)
        if not principal.has_any(roles):
            raise ProblemError(403, "forbidden", detail_key="auth.forbidden")
        return principal

    return dependency


Writer = Annotated[Principal, Depends(require_roles(WRITERS))]
"""An admin or operator: every write to the registry and the events service."""
Reader = Annotated[Principal, Depends(require_roles(EVERYONE))]
"""Any signed-in operator user, viewers included."""
