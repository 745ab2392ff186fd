"""Evidence: append-only, each item chained to the one before by a SHA-256 hash, so the
exported bundle proves its chain of custody: change or drop one item and the chain breaks."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

EvidenceKind = Literal["official_statement", "document", "reverse_image_search", "expert", "data"]
GENESIS = "0" * 64


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Evidence:
    id: UUID
    case_id: UUID
    seq: int
    kind: EvidenceKind
    official: bool
    source: str
    url: str | None
    archived_sha256: str | None
    note: str
    added_by: str
    added_at: datetime
    prev_hash: str
    hash: str

    def content(self) -> dict[str, Any]:
        """What the hash covers: every field but the hash itself."""
        return {
            "id": str(self.id),
            "case_id": str(self.case_id),
            "seq": self.seq,
            "kind": self.kind,
            "official": self.official,
            "source": self.source,
            "url": self.url,
            "archived_sha256": self.archived_sha256,
            "note": self.note,
            "added_by": self.added_by,
            "added_at": self.added_at.isoformat(),
            "prev_hash": self.prev_hash,
        }

    def as_dict(self) -> dict[str, Any]:
        return {**self.content(), "hash": self.hash}


def append(
    chain: Sequence[Evidence],
    *,
    evidence_id: UUID,
    case_id: UUID,
    kind: EvidenceKind,
    official: bool,
    source: str,
    url: str | None,
    archived_sha256: str | None,
    note: str,
    added_by: str,
    added_at: datetime,
) -> Evidence:
    """The next item of ``chain``; an official statement is official by its kind."""
    prev = chain[-1].hash if chain else GENESIS
    draft = Evidence(
        evidence_id,
        case_id,
        len(chain) + 1,
        kind,
        official or kind == "official_statement",
        source,
        url,
        archived_sha256,
        note,
        added_by,
        added_at,
        prev,
        "",
    )
    return replace(draft, hash=sha256_hex(canonical_json(draft.content())))


class BrokenChainError(ValueError):
    def __init__(self, seq: int) -> None:
        super().__init__(f"the evidence chain breaks at item {seq}")
        self.seq = seq


def verify_items(items: Sequence[dict[str, Any]]) -> str:
    """Checks an exported chain item by item; returns the head hash."""
    prev = GENESIS
    for index, item in enumerate(items, start=1):
        content = {k: v for k, v in item.items() if k != "hash"}
        if (
            item.get("seq") != index
            or content.get("prev_hash") != prev
            or sha256_hex(canonical_json(content)) != item.get("hash")
        ):
            raise BrokenChainError(index)
        prev = item["hash"]
    return prev


def export_bundle(
    case_id: UUID, chain: Sequence[Evidence], exported_at: datetime
) -> dict[str, Any]:
    """The chain-of-custody bundle a partner body receives with a referral."""
    items = [item.as_dict() for item in chain]
    head = chain[-1].hash if chain else GENESIS
    return {
        "case_id": str(case_id),
        "exported_at": exported_at.isoformat(),
        "items": items,
        "head_hash": head,
        "algorithm": "sha256 over canonical JSON (sorted keys), each item naming prev_hash",
    }


def bundle_digest(bundle: dict[str, Any]) -> str:
    return sha256_hex(canonical_json(bundle))


def verify_bundle(bundle: dict[str, Any]) -> None:
    head = verify_items(bundle["items"])
    if head != bundle["head_hash"]:
        raise BrokenChainError(len(bundle["items"]))
