"""Unguessable RSVP links and signed check-in passes (HMAC-SHA256 over the invitation id).

Nothing secret is stored: a link or pass is recomputed from the invitation and the keys.
Keys are named, so they rotate: the current key signs, every configured key verifies. A pass
also carries the invitation's pass version, so rotating one pass voids the earlier ones.

    RSVP token:  <invitation id, base64url>.<key id>.<mac>
    pass:        SP1.<invitation id, base64url>.<pass version>.<key id>.<mac>
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

MAC_BYTES = 16
PASS_PREFIX = "SP1"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class PassClaim:
    invitation_id: UUID
    pass_version: int


class Signer:
    def __init__(self, keys: Mapping[str, str], current: str) -> None:
        if current not in keys:
            raise ValueError(f"the current key {current!r} is not among the keys")
        if any("." in kid or not kid for kid in keys):
            raise ValueError("key ids must be non-empty and contain no dot")
        self._keys = {kid: secret.encode() for kid, secret in keys.items()}
        self._current = current

    def _mac(self, kid: str, message: bytes) -> str:
        return _b64(hmac.digest(self._keys[kid], message, "sha256")[:MAC_BYTES])

    def _valid(self, kid: str, message: bytes, mac: str) -> bool:
        return kid in self._keys and hmac.compare_digest(self._mac(kid, message), mac)

    def rsvp_token(self, invitation_id: UUID) -> str:
        message = b"rsvp|" + invitation_id.bytes
        return f"{_b64(invitation_id.bytes)}.{self._current}.{self._mac(self._current, message)}"

    def read_rsvp_token(self, token: str) -> UUID | None:
        parts = token.split(".")
        if len(parts) != 3:
            return None
        invitation_id = _uuid(parts[0])
        if invitation_id is None:
            return None
        if not self._valid(parts[1], b"rsvp|" + invitation_id.bytes, parts[2]):
            return None
        return invitation_id

    def pass_code(self, invitation_id: UUID, pass_version: int) -> str:
        message = f"pass|{pass_version}|".encode() + invitation_id.bytes
        mac = self._mac(self._current, message)
        return f"{PASS_PREFIX}.{_b64(invitation_id.bytes)}.{pass_version}.{self._current}.{mac}"

    def read_pass(self, code: str) -> PassClaim | None:
        parts = code.strip().split(".")
        if len(parts) != 5 or parts[0] != PASS_PREFIX or not parts[2].isdigit():
            return None
        invitation_id = _uuid(parts[1])
        if invitation_id is None:
            return None
        version = int(parts[2])
        message = f"pass|{version}|".encode() + invitation_id.bytes
        if not self._valid(parts[3], message, parts[4]):
            return None
        return PassClaim(invitation_id, version)


def _uuid(text: str) -> UUID | None:
    try:
        raw = _unb64(text)
    except (binascii.Error, ValueError):
        return None
    return UUID(bytes=raw) if len(raw) == 16 else None
