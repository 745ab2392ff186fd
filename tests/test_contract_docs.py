"""The event catalog and schemas in docs/ are generated from the contracts, never hand-kept."""

from __future__ import annotations

import json
from pathlib import Path

from sinergi_kit.contracts import catalog

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_docs_match_the_contracts() -> None:
    hint = "run `make contracts` and commit docs/"
    assert (DOCS / "events.md").read_text(encoding="utf-8") == catalog.markdown(), hint
    committed = {
        p.name.removesuffix(".schema.json") for p in (DOCS / "contracts").glob("*.schema.json")
    }
    assert committed == set(catalog.json_schemas()), hint
    for event_type, schema in catalog.json_schemas().items():
        path = DOCS / "contracts" / f"{event_type}.schema.json"
        assert json.loads(path.read_text(encoding="utf-8")) == schema, hint
    asyncapi = json.loads((DOCS / "contracts" / "asyncapi.json").read_text(encoding="utf-8"))
    assert asyncapi == catalog.asyncapi(), hint
    assert set(asyncapi["channels"]) == {t.replace(".", "_") for t in catalog.json_schemas()}
