"""What the OpenAPI fuzzing found in the kit's HTTP layer: values a database refuses are the
request's fault (422, not 500), conditional updates and readiness document every answer."""

from __future__ import annotations

from datetime import datetime

import httpx
from fastapi import APIRouter, FastAPI
from sqlalchemy import Column, Integer, Table, Text

from sinergi_kit.clock import UtcDateTime
from sinergi_kit.db import Database, make_metadata
from sinergi_kit.http.conditional import ExpectedVersion, document_preconditions
from sinergi_kit.http.problems import install_problem_handlers
from sinergi_kit.testing.apps import build_service_app

metadata = make_metadata()
notes = Table(
    "notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("text", Text, nullable=False),
    Column("count", Integer, nullable=False),
)


async def test_a_value_the_database_cannot_store_is_a_422_problem(database_url: str) -> None:
    db = Database(database_url)
    async with db.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/notes")
    async def add(text: str, count: int) -> dict[str, str]:
        async with db.sessions() as session, session.begin():
            await session.execute(notes.insert().values(text=text, count=count))
        return {"status": "ok"}

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://kit") as client:
            assert (await client.post("/notes", params={"text": "a", "count": 1})).is_success
            bad: list[dict[str, str | int]] = [
                {"text": "a\x00b", "count": 1},
                {"text": "a", "count": 2**70},
            ]
            for params in bad:
                response = await client.post(
                    "/notes", params=params, headers={"accept-language": "en"}
                )
                if response.status_code == 200:
                    continue  # this backend stores it: nothing to refuse
                assert response.status_code == 422, response.text
                assert response.json()["code"] == "unstorable_value"
                assert response.headers["content-type"] == "application/problem+json"
    finally:
        await db.dispose()


def test_routes_taking_if_match_document_412_and_428() -> None:
    router = APIRouter()

    @router.patch("/things/{thing_id}")
    async def change(thing_id: int, expected: ExpectedVersion) -> dict[str, int]:
        return {"id": thing_id, "version": expected}

    @router.get("/things/{thing_id}")
    async def read(thing_id: int) -> dict[str, int]:
        return {"id": thing_id}

    document_preconditions(router)
    app = FastAPI()
    app.include_router(router)
    paths = app.openapi()["paths"]["/things/{thing_id}"]
    assert {"412", "428"} <= set(paths["patch"]["responses"])
    assert not {"412", "428"} & set(paths["get"]["responses"])


def test_readiness_documents_its_503_and_metrics_their_media_type(tmp_path: object) -> None:
    service = build_service_app("registry", f"sqlite+aiosqlite:///{tmp_path}/registry.db")
    paths = service.app.openapi()["paths"]
    assert "503" in paths["/readyz"]["get"]["responses"]
    assert "text/plain" in paths["/metrics"]["get"]["responses"]["200"]["content"]


def test_utc_datetime_fields_carry_their_zone() -> None:
    from pydantic import TypeAdapter

    parsed = TypeAdapter(UtcDateTime).validate_python(datetime(2026, 11, 22, 4, 20))
    assert parsed.isoformat() == "2026-11-22T04:20:00+00:00"
