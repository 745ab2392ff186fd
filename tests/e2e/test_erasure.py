"""Erasure across real processes: a person erased in the registry loses their personal data in
every service that keeps a copy of the registry's people (events, notify, factcheck), while the
counts those services report stay. Each is checked through its own HTTP API, once on SQLite
and once on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest

from sinergi_kit.auth import Principal, Role, TokenVerifier
from sinergi_kit.messaging.topology import CONSUMERS, stream_name
from sinergi_kit.nats_server import free_port
from sinergi_kit.testing.processes import ServiceProcess, wait_until
from sinergi_notify.mailcatcher import MailCatcher
from sinergi_registry.settings import RegistrySettings

pytestmark = pytest.mark.e2e

OPERATOR = Principal("e2e-erasure", frozenset({Role.OPERATOR}))
PEOPLE_HOLDERS = ("registry", "events", "notify", "factcheck")
KPU = UUID("0193a000-0000-7000-8000-00000000c0b1")
BAWASLU = UUID("0193a000-0000-7000-8000-00000000ba51")


def test_every_copy_of_the_registry_is_checked_here() -> None:
    """A service that starts to keep registry data must show its purge below as well."""
    consumers = {spec.service for spec in CONSUMERS if spec.stream == stream_name("registry")}
    assert consumers == set(PEOPLE_HOLDERS) - {"registry"}


@pytest.fixture
def mail() -> Iterator[MailCatcher]:
    catcher = MailCatcher(port=free_port())
    catcher.start()
    yield catcher
    catcher.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def services(
    request: pytest.FixtureRequest,
    clean_nats: str,
    tmp_path: Path,
    postgres_database_factory: Callable[[], str],
    mail: MailCatcher,
) -> Iterator[dict[str, ServiceProcess]]:
    def database(name: str) -> str:
        if request.param == "sqlite":
            return f"sqlite+aiosqlite:///{tmp_path / (name + '.db')}"
        return postgres_database_factory()

    smtp = {"SINERGI_NOTIFY_SMTP_HOST": mail.host, "SINERGI_NOTIFY_SMTP_PORT": str(mail.port)}
    started: dict[str, ServiceProcess] = {}
    try:
        for name in PEOPLE_HOLDERS:
            process = ServiceProcess(
                name,
                database(name),
                clean_nats,
                tmp_path / f"{name}.log",
                extra_env=smtp if name == "notify" else {},
            )
            process.start()
            started[name] = process
        yield started
    finally:
        for process in started.values():
            process.stop()


class Api:
    def __init__(self, services: dict[str, ServiceProcess]) -> None:
        self.services = services

    def call(
        self, method: str, service: str, path: str, *, as_: Principal = OPERATOR, **kwargs: Any
    ) -> httpx.Response:
        token = TokenVerifier(RegistrySettings()).issue(as_)
        headers = {"authorization": f"Bearer {token}"} | kwargs.pop("headers", {})
        url = self.services[service].base_url + path
        return httpx.request(method, url, headers=headers, timeout=10, **kwargs)

    def ok(self, method: str, service: str, path: str, **kwargs: Any) -> Any:
        response = self.call(method, service, path, **kwargs)
        assert response.status_code < 300, f"{method} {path}: {response.text}"
        return response.json() if response.content else None


def register(api: Api, name: str, email: str, accounts: list[str]) -> str:
    person = api.ok(
        "POST",
        "registry",
        "/people",
        json={
            "name": name,
            "roles": ["account_admin"],
            "contact": {"email": email},
            "consents": [{"purpose": "event_invitations", "source": "form:kopilaborasi-2026"}],
            "managed_account_ids": accounts,
        },
    )
    return str(person["id"])


def verifier(subject: str, organization: UUID | None = None) -> Principal:
    return Principal(subject, frozenset({Role.VERIFIER}), organization, subject)


def published_clarification(api: Api) -> str:
    """A hoax reported, verified by KPU, approved by Bawaslu and published by KKD."""
    kkd, kpu = verifier("kkd-sari"), verifier("kpu-budi", KPU)
    api.ok(
        "POST",
        "factcheck",
        "/reports",
        json={"text": "Pemilih yang tidak datang ke TPS dihapus dari DPT", "consent": True},
    )
    (case,) = api.ok("GET", "factcheck", "/cases", as_=kkd)
    case_path = f"/cases/{case['case']['id']}"
    for step, body, who in (
        ("triage", {"urgency": "high", "flags": {"election": True}}, kkd),
        ("assign", {"assignee": "kpu-budi", "organization_id": str(KPU)}, kkd),
        (
            "evidence",
            {
                "kind": "official_statement",
                "source": "KPU Kabupaten Jombang",
                "official": True,
                "url": "https://kab-jombang.kpu.go.id/berita/dpt-2024",
                "archived_sha256": "5e" * 32,
            },
            kpu,
        ),
        ("verdict", {"rating": "salah", "hoax_type": "konten_palsu"}, kpu),
        ("approve", None, verifier("bawaslu-rina", BAWASLU)),
    ):
        api.ok("POST", "factcheck", f"{case_path}/{step}", as_=who, json=body)
    clarification = api.ok(
        "POST",
        "factcheck",
        f"{case_path}/publish",
        as_=kkd,
        json={
            "title_id": "Pemilih yang tidak mencoblos tidak dihapus dari DPT",
            "title_en": "Voters who stayed away are not removed from the voter list",
            "summary_id": "Pemilih tetap terdaftar di DPT pemilu berikutnya.",
            "summary_en": "Voters stay on the next election's voter list.",
            "body_id": "KPU Kabupaten Jombang menegaskan tidak ada penghapusan data pemilih.",
            "body_en": "The KPU of Jombang Regency confirmed that no voter is removed.",
        },
    )
    return str(clarification["id"])


def campaign_to(api: Api, clarification: str, segment: str) -> httpx.Response:
    return api.call(
        "POST",
        "factcheck",
        f"/clarifications/{clarification}/campaigns",
        as_=verifier("kkd-sari"),
        json={"targets": [{"segment_id": segment}]},
    )


def meetup(api: Api, starts: datetime, capacity: int) -> str:
    event = api.ok(
        "POST",
        "events",
        "/events",
        json={
            "title": {"id": "Kopilaborasi", "en": "Kopilaborasi"},
            "theme": {"id": "Pemilu damai", "en": "A peaceful election"},
            "venue": {"name": "Pendopo Kabupaten Jombang"},
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=3)).isoformat(),
            "capacity": capacity,
        },
    )
    api.ok("POST", "events", f"/events/{event['id']}/publish")
    return str(event["id"])


def invite(api: Api, event_id: str, person_id: str) -> str:
    def invited() -> bool:
        response = api.call(
            "POST", "events", f"/events/{event_id}/invitations", json={"person_id": person_id}
        )
        return response.status_code == 201

    wait_until(invited, timeout_s=20)  # once the registry's event reached the events service
    (invitation,) = [
        i
        for i in api.ok("GET", "events", f"/events/{event_id}/invitations")["items"]
        if i["person_id"] == person_id
    ]
    return str(invitation["rsvp_path"])


def test_erasure_purges_every_projection_and_keeps_the_counts(
    services: dict[str, ServiceProcess], mail: MailCatcher
) -> None:
    api = Api(services)
    account = api.ok(
        "POST",
        "registry",
        "/accounts",
        json={
            "platform": "instagram",
            "handle": "@kecamatan.diwek",
            "display_name": "Kecamatan Diwek",
            "managed_by": "government",
            "category": "government",
            "district": "Diwek",
        },
    )["id"]
    siti = register(api, "Siti Rahmawati", "siti.rahmawati@example.id", [account])
    budi = register(api, "Budi Santoso", "budi.santoso@example.id", [])
    admins = api.ok(
        "POST",
        "registry",
        "/segments",
        json={"name": "Admin akun", "filter": {"roles": ["account_admin"]}},
    )["id"]

    # Today's meetup: Siti is let in at the door. Next week's: Siti holds the only seat and
    # Budi waits for it.
    soon = (datetime.now(UTC) + timedelta(minutes=30)).replace(microsecond=0)
    today = meetup(api, soon, capacity=10)
    next_week = meetup(api, soon + timedelta(days=7), capacity=1)
    siti_today = invite(api, today, siti)
    api.ok("POST", "events", siti_today, json={"response": "accepted"})
    code = api.ok("GET", "events", siti_today + "/pass")["code"]
    scan = {"nonce": "pintu-utama-0001", "code": code}
    assert api.ok("POST", "events", f"/events/{today}/scans", json=scan)["accepted"]
    api.ok("POST", "events", f"/events/{today}/start")
    siti_next = invite(api, next_week, siti)
    budi_next = invite(api, next_week, budi)
    api.ok("POST", "events", siti_next, json={"response": "accepted"})
    assert api.ok("POST", "events", budi_next, json={"response": "accepted"})["seat"] == (
        "waitlisted"
    )

    def mailed(address: str) -> bool:
        return any(address in m.rcpt_tos for m in mail.store.messages())

    wait_until(lambda: mailed("siti.rahmawati@example.id"), timeout_s=30)
    recipient = api.ok("GET", "notify", f"/recipients/{siti}")
    assert (recipient["name"], recipient["channels"]) == ("Siti Rahmawati", ["email"])
    before = api.ok("GET", "events", f"/events/{today}/attendance")["total"]

    # factcheck: a campaign to the segment reaches Siti's account through her.
    clarification = published_clarification(api)
    launched: list[dict[str, Any]] = []

    def reaches_her_account() -> bool:
        response = campaign_to(api, clarification, admins)
        if response.status_code == 201:
            launched.append(response.json())
        return bool(launched)

    wait_until(reaches_her_account, timeout_s=20)
    assert [task["account_id"] for task in launched[0]["tasks"]] == [account]

    def asked_to_share() -> bool:
        to_siti = api.ok("GET", "notify", "/notifications", params={"recipient_id": siti})
        return any("amplification" in n["source_type"] for n in to_siti["items"])

    wait_until(asked_to_share, timeout_s=20)
    notices = api.ok("GET", "notify", "/notifications/summary", params={"recipient_id": siti})
    assert notices["total"] >= 3, "invitations, confirmations and the share request to Siti"

    etag = api.call("GET", "registry", f"/people/{siti}").headers["etag"]
    assert api.call("DELETE", "registry", f"/people/{siti}", headers={"if-match": etag}).is_success
    assert api.call("GET", "registry", f"/people/{siti}").status_code == 410

    # notify: the recipient keeps its id and nothing else; what was sent is still counted.
    wait_until(lambda: api.ok("GET", "notify", f"/recipients/{siti}")["erased"], timeout_s=20)
    recipient = api.ok("GET", "notify", f"/recipients/{siti}")
    assert (recipient["name"], recipient["channels"]) == (None, [])
    after = api.ok("GET", "notify", "/notifications/summary", params={"recipient_id": siti})
    assert after["total"] == notices["total"]

    # events: the invitations no longer point at Siti and her links are dead.
    def purged(event_id: str) -> bool:
        items = api.ok("GET", "events", f"/events/{event_id}/invitations")["items"]
        return all(i["person_id"] != siti for i in items)

    wait_until(lambda: purged(today) and purged(next_week), timeout_s=20)
    assert api.call("GET", "events", siti_today).status_code == 410
    today_invitations = api.ok("GET", "events", f"/events/{today}/invitations")["items"]
    assert [(i["person_id"], i["erased"], i["rsvp_path"]) for i in today_invitations] == [
        (None, True, None)
    ]
    # The meetup that has begun keeps every count; next week's seat passes to Budi.
    assert api.ok("GET", "events", f"/events/{today}/attendance")["total"] == before
    assert before["invited"] == before["accepted"] == before["checked_in"] == 1
    budi_view = api.ok("GET", "events", budi_next)
    assert budi_view["seat"] == "offered"
    next_counts = api.ok("GET", "events", f"/events/{next_week}/attendance")["total"]
    assert (next_counts["invited"], next_counts["responded"]) == (2, 2)

    # factcheck: Siti is out of the segment now, so a new campaign finds nobody, while the
    # campaign that reached her account keeps its task.
    def out_of_segment() -> bool:
        response = campaign_to(api, clarification, admins)
        assert response.status_code in (201, 422), response.text
        return response.status_code == 422 and response.json()["code"] == "no_targets"

    wait_until(out_of_segment, timeout_s=20)
    progress = api.ok(
        "GET", "factcheck", f"/campaigns/{launched[0]['id']}/progress", as_=verifier("kkd-sari")
    )
    assert progress["tasks"] == 1
