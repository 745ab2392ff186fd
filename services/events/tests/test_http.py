"""The HTTP API end to end in one process: roles, problem details in both languages, the
RSVP link, the calendar files, the pass and the door, reports as CSV."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from icalendar import Calendar

from sinergi_events.app import MIGRATIONS, definition
from sinergi_events.settings import EventsSettings
from sinergi_kit.auth import Principal, Role, TokenVerifier
from sinergi_kit.clock import utcnow
from sinergi_kit.contracts.registry import PersonState
from sinergi_kit.contracts.segments import SegmentFilter
from sinergi_kit.migrations import upgrade
from sinergi_kit.runtime import create_app

from .conftest import SIGNING_KEYS, make_context, person, project, project_segment
from .factories import PENDOPO

SECRET = "rahasia-jwt-untuk-pengujian-0123456789abcdef"


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    await asyncio.to_thread(upgrade, MIGRATIONS, database_url)
    settings = EventsSettings(
        database_url=database_url,
        nats_url="nats://127.0.0.1:1",
        provision_topology_on_start=False,
        jwt_secret=SECRET,
        signing_keys=SIGNING_KEYS,
        scheduler_interval_s=3600,
    )
    app = create_app(definition(settings))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://events") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


def bearer(*roles: Role) -> dict[str, str]:
    verifier = TokenVerifier(EventsSettings(jwt_secret=SECRET))
    token = verifier.issue(Principal("operator@diskominfo", frozenset(roles)))
    return {"authorization": f"Bearer {token}"}


WRITER = bearer(Role.OPERATOR)
VIEWER = bearer(Role.VIEWER)


def new_event() -> dict[str, object]:
    start = (utcnow() + timedelta(minutes=30)).replace(microsecond=0)
    return {
        "title": {"id": "Kopilaborasi", "en": "Kopilaborasi"},
        "theme": {"id": "Pemilu damai", "en": "A peaceful election"},
        "venue": PENDOPO.model_dump(),
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=3)).isoformat(),
        "capacity": 75,
        "guests_of_honour": ["Bupati Jombang"],
    }


async def test_an_invitee_answers_gets_a_pass_and_is_let_in(client: httpx.AsyncClient) -> None:
    assert (await client.post("/events", json=new_event())).status_code == 401
    forbidden = await client.post("/events", json=new_event(), headers=VIEWER)
    assert forbidden.status_code == 403
    assert forbidden.headers["content-type"] == "application/problem+json"
    invalid = await client.post("/events", json={"title": "x"}, headers=WRITER)
    assert invalid.status_code == 422

    created = await client.post("/events", json=new_event(), headers=WRITER)
    assert created.status_code == 201, created.text
    event = created.json()
    assert event["starts_at_local"].endswith("+07:00")
    assert created.headers["location"] == f"/events/{event['id']}"
    illegal = await client.post(
        f"/events/{event['id']}/start", headers={**WRITER, "accept-language": "en"}
    )
    assert illegal.status_code == 409 and "not allowed" in illegal.json()["detail"]
    published = await client.post(f"/events/{event['id']}/publish", headers=WRITER)
    assert published.json()["status"] == "published"

    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    ctx = make_context(runtime.db, utcnow)
    (person_id,) = await project(ctx, person("Dewi Lestari", email="dewi@example.id"))
    invited = await client.post(
        f"/events/{event['id']}/invitations", json={"person_id": str(person_id)}, headers=WRITER
    )
    assert invited.status_code == 201, invited.text
    link = invited.json()["rsvp_path"]

    view = await client.get(link, headers={"accept-language": "en"})
    assert view.json()["response"] == "pending"
    assert "let us know" in view.json()["message"]
    answered = await client.post(link, json={"response": "accepted"})
    assert answered.status_code == 200
    assert answered.json()["message"].startswith("Terima kasih")

    ics = await client.get(link + "/invitation.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    vevent = Calendar.from_ical(ics.text).walk("VEVENT")[0]
    assert vevent["attendee"].params["PARTSTAT"] == "ACCEPTED"

    pass_ = (await client.get(link + "/pass")).json()
    svg = await client.get(pass_["qr_svg_path"])
    assert svg.headers["content-type"] == "image/svg+xml" and b"<svg" in svg.content

    scan = {"nonce": "gerbang-a-000001", "code": pass_["code"]}
    assert (await client.post(f"/events/{event['id']}/scans", json=scan)).status_code == 401
    entered = await client.post(
        f"/events/{event['id']}/scans", json=scan, headers={**WRITER, "accept-language": "en"}
    )
    assert entered.json()["accepted"] and entered.json()["message"] == "Welcome in."
    twice = await client.post(f"/events/{event['id']}/scans", json=scan, headers=WRITER)
    assert twice.json()["replayed"] and twice.json()["accepted"]
    scan["nonce"] = "gerbang-a-000002"
    inside = await client.post(f"/events/{event['id']}/scans", json=scan, headers=WRITER)
    assert inside.json()["reason"] == "already_inside"
    assert inside.json()["message"] == "Sudah berada di dalam."

    report = (await client.get(f"/events/{event['id']}/attendance", headers=VIEWER)).json()
    assert report["total"]["checked_in"] == 1 and report["total"]["accepted"] == 1
    exported = await client.get(f"/events/{event['id']}/attendance.csv", headers=VIEWER)
    (total,) = list(csv.DictReader(io.StringIO(exported.text)))
    assert total["invited"] == "1" and total["checked_in"] == "1"
    compared = await client.get("/reports/attendance", headers=VIEWER)
    assert [r["event_id"] for r in compared.json()] == [event["id"]]


async def published_with_invitee(
    client: httpx.AsyncClient, invitee: PersonState
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A published event (through the API) and the invitation of one projected person."""
    event = (await client.post("/events", json=new_event(), headers=WRITER)).json()
    await client.post(f"/events/{event['id']}/publish", headers=WRITER)
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    (person_id,) = await project(make_context(runtime.db, utcnow), invitee)
    invited = await client.post(
        f"/events/{event['id']}/invitations", json={"person_id": str(person_id)}, headers=WRITER
    )
    assert invited.status_code == 201, invited.text
    return event, invited.json()


async def test_cancel_sends_a_cancel_calendar_and_bad_links_are_problems(
    client: httpx.AsyncClient,
) -> None:
    event, invited = await published_with_invitee(client, person("Rudi"))
    link = invited["rsvp_path"]
    cancelled = await client.post(
        f"/events/{event['id']}/cancel",
        json={"reason": {"id": "Banjir", "en": "Flooding"}},
        headers=WRITER,
    )
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["sequence"] == 1
    calendar = Calendar.from_ical((await client.get(link + "/invitation.ics")).text)
    assert calendar["method"] == "CANCEL"
    assert calendar.walk("VEVENT")[0]["sequence"] == 1
    public = await client.get(f"/events/{event['id']}/calendar.ics", headers=VIEWER)
    assert Calendar.from_ical(public.text)["method"] == "CANCEL"

    unknown = await client.get("/rsvp/bukan-tautan-yang-sah")
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_token"
    assert "Tautan undangan tidak dikenali" in unknown.json()["detail"]
    closed = await client.post(link, json={"response": "accepted"})
    assert closed.status_code == 410 and closed.json()["code"] == "rsvp_closed"
    missing = await client.get(f"/events/{invited['id']}", headers=VIEWER)
    assert missing.status_code == 404 and missing.json()["code"] == "event_not_found"


async def test_a_withdrawn_invitee_gets_a_cancel_for_their_calendar(
    client: httpx.AsyncClient,
) -> None:
    event, invited = await published_with_invitee(client, person("Rina", email="rina@example.id"))
    link = invited["rsvp_path"]
    await client.post(link, json={"response": "accepted"})
    before = Calendar.from_ical((await client.get(link + "/invitation.ics")).text)
    assert before["method"] == "REQUEST"

    revoked = await client.post(
        f"/events/{event['id']}/invitations/{invited['id']}/revoke", headers=WRITER
    )
    assert revoked.json()["revoked_at"] is not None
    assert (await client.get(link)).status_code == 410
    after = Calendar.from_ical((await client.get(link + "/invitation.ics")).text)
    assert after["method"] == "CANCEL"
    vevent = after.walk("VEVENT")[0]
    assert str(vevent["attendee"]) == "mailto:rina@example.id"
    assert str(vevent["uid"]) == str(before.walk("VEVENT")[0]["uid"])


async def test_one_segment_is_compared_across_the_events_that_invited_it(
    client: httpx.AsyncClient,
) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    ctx = make_context(runtime.db, utcnow)
    await project(
        ctx, person("Admin OPD", roles=["account_admin"]), person("Pejabat", roles=["official"])
    )
    opd = await project_segment(ctx, "Admin akun OPD", SegmentFilter(roles=["account_admin"]))
    events = []
    for _ in range(3):
        event = (await client.post("/events", json=new_event(), headers=WRITER)).json()
        await client.post(f"/events/{event['id']}/publish", headers=WRITER)
        events.append(event["id"])
    for event_id in events[:2]:
        sent = await client.post(
            f"/events/{event_id}/invitations/segment",
            json={"segment_id": str(opd.id)},
            headers=WRITER,
        )
        assert sent.json()["invited"] == 1, sent.text
    (first,) = (await client.get(f"/events/{events[0]}/invitations", headers=VIEWER)).json()[
        "items"
    ]
    await client.post(first["rsvp_path"], json={"response": "accepted"})

    compared = await client.get(
        "/reports/attendance", params={"segment_id": str(opd.id)}, headers=VIEWER
    )
    assert [r["event_id"] for r in compared.json()] == events[:2], "only events that invited it"
    assert [[s["segment_name"] for s in r["segments"]] for r in compared.json()] == [
        ["Admin akun OPD"],
        ["Admin akun OPD"],
    ]
    assert [r["segments"][0]["accepted"] for r in compared.json()] == [1, 0]
    exported = await client.get(
        "/reports/attendance.csv", params={"segment_id": str(opd.id)}, headers=VIEWER
    )
    lines = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["event_id"], r["segment_name"], r["accepted"]) for r in lines] == [
        (events[0], "Admin akun OPD", "1"),
        (events[1], "Admin akun OPD", "0"),
    ]
    totals = await client.get("/reports/attendance.csv", headers=VIEWER)
    assert [r["segment_id"] for r in csv.DictReader(io.StringIO(totals.text))] == [""] * 3
