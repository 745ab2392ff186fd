"""Evidence is a hash chain; the exported bundle proves its chain of custody."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from sinergi_factcheck.domain.evidence import (
    GENESIS,
    BrokenChainError,
    Evidence,
    append,
    bundle_digest,
    export_bundle,
    verify_bundle,
)

T0 = datetime(2024, 2, 1, 8, 0, tzinfo=UTC)
CASE = uuid4()


def chain_of(n: int) -> list[Evidence]:
    chain: list[Evidence] = []
    for i in range(n):
        chain.append(
            append(
                chain,
                evidence_id=uuid4(),
                case_id=CASE,
                kind="document" if i else "official_statement",
                official=False,
                source=f"sumber {i}",
                url=f"https://jombangkab.go.id/berita/{i}",
                archived_sha256="ab" * 32,
                note="arsip halaman",
                added_by="verifier-1",
                added_at=T0 + timedelta(minutes=i),
            )
        )
    return chain


def test_each_item_names_the_hash_before_it() -> None:
    chain = chain_of(3)
    assert chain[0].prev_hash == GENESIS
    assert chain[1].prev_hash == chain[0].hash
    assert [item.seq for item in chain] == [1, 2, 3]
    assert chain[0].official and not chain[1].official


def test_an_intact_bundle_verifies_and_has_a_stable_digest() -> None:
    bundle = export_bundle(CASE, chain_of(3), T0)
    verify_bundle(bundle)
    assert bundle_digest(bundle) == bundle_digest(copy.deepcopy(bundle))
    assert bundle["head_hash"] == bundle["items"][-1]["hash"]


@pytest.mark.parametrize("tamper", ["edit", "drop", "reorder", "head"])
def test_a_tampered_bundle_fails_verification(tamper: str) -> None:
    bundle = export_bundle(CASE, chain_of(3), T0)
    items = bundle["items"]
    if tamper == "edit":
        items[1]["note"] = "diubah"
    elif tamper == "drop":
        del items[1]
    elif tamper == "reorder":
        items[0], items[1] = items[1], items[0]
    else:
        bundle["head_hash"] = "f" * 64
    with pytest.raises(BrokenChainError):
        verify_bundle(bundle)
