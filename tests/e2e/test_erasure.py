"""Erasure across real processes: a person erased in the registry loses their personal data in
every service that keeps a copy of the registry's people (events, notify, factcheck), while the
counts those services report stay. Each is checked through its own HTTP API, once on SQLite
and once on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from sinergi_kit.auth import Role
from sinergi_kit.messaging.topology import CONSUMERS, stream_name
from sinergi_kit.testing.processes import wait_until

from .journeys import Verifiers, create_meetup, publish_verdict, report_hoax
from .platform import SERVICES, Platform

pytestmark = pytest.mark.e2e


def test_every_copy_of_the_registry_is_checked_here() -> None:
    """A service that starts to keep registry data must show its purge below as well."""
    consumers = {spec.service for spec in CONSUMERS if spec.stream == stream_name("registry")}
    assert consumers == set(SERVICES) - {"registry"}


def register(platform: Platform, operator: str, name: str, email: str, accounts: list[str]) -> str:
    person = platform.call(
        "POST",
        "registry",
        "/people",
        as_=operator,
        json={
            "name": name,
            "roles": ["account_admin"],
            "contact": {"email": email},
            "consents": [{"purpose": "event_invitations", "source": "form:kopilaborasi-2026"}],
            "managed_account_ids": accounts,
        },
    )
    return str(person["id"])


def campaign_to(
    platform: Platform, verifiers: Verifiers, clarification: str, segment: str
) -> httpx.Response:
    return platform.request(
        "POST",
        "factcheck",
        f"/clarifications/{clarification}/campaigns",
        as_=verifiers.kkd,
        json={"targets": [{"segment_id": segment}]},
    )


def invite(platform: Platform, operator: str, event_id: str, person_id: str) -> str:
    def invited() -> bool:
        response = platform.request(
            "POST",
            "events",
            f"/events/{event_id}/invitations",
            as_=operator,
            json={"person_id": person_id},
        )
        return response.status_code == 201

    wait_until(invited, timeout_s=20)  # once the registry's event reached the events service
    (invitation,) = [
        i
        for i in platform.call("GET", "events", f"/events/{event_id}/invitations", as_=operator)[
            "items"
        ]
        if i["person_id"] == person_id
    ]
    return str(invitation["rsvp_path"])


def test_erasure_purges_every_projection_and_keeps_the_counts(platform: Platform) -> None:
    operator = platform.token("e2e-erasure", Role.OPERATOR)

    def ok(method: str, service: str, path: str, **kwargs: Any) -> Any:
        return platform.call(method, service, path, as_=kwargs.pop("as_", operator), **kwargs)

    account = ok(
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
    siti = register(platform, operator, "Siti Rahmawati", "siti.rahmawati@example.id", [account])
    budi = register(platform, operator, "Budi Santoso", "budi.santoso@example.id", [])
    admins = ok(
        "POST",
        "registry",
        "/segments",
        json={"name": "Admin akun", "filter": {"roles": ["account_admin"]}},
    )["id"]

    # Today's meetup: Siti is let in at the door. Next week's: Siti holds the only seat and
    # Budi waits for it.
    soon = (datetime.now(UTC) + timedelta(minutes=30)).replace(microsecond=0)
    today = create_meetup(platform, operator, soon, capacity=10)["id"]
    next_week = create_meetup(platform, operator, soon + timedelta(days=7), capacity=1)["id"]
    siti_today = invite(platform, operator, today, siti)
    ok("POST", "events", siti_today, json={"response": "accepted"})
    code = ok("GET", "events", siti_today + "/pass")["code"]
    scan = {"nonce": "pintu-utama-0001", "code": code}
    assert ok("POST", "events", f"/events/{today}/scans", json=scan)["accepted"]
    ok("POST", "events", f"/events/{today}/start")
    siti_next = invite(platform, operator, next_week, siti)
    budi_next = invite(platform, operator, next_week, budi)
    ok("POST", "events", siti_next, json={"response": "accepted"})
    assert ok("POST", "events", budi_next, json={"response": "accepted"})["seat"] == ("waitlisted")

    platform.mailbox.wait_for("", 1, timeout_s=30)
    wait_until(
        lambda: "siti.rahmawati@example.id" in {m.to for m in platform.mailbox.distinct()},
        timeout_s=30,
        poll_s=0.2,
    )
    recipient = ok("GET", "notify", f"/recipients/{siti}")
    assert (recipient["name"], recipient["channels"]) == ("Siti Rahmawati", ["email"])
    before = ok("GET", "events", f"/events/{today}/attendance")["total"]

    # factcheck: a campaign to the segment reaches Siti's account through her.
    verifiers = Verifiers.of(platform)
    case_id = report_hoax(platform, verifiers.kkd)
    clarification = publish_verdict(platform, case_id, verifiers)["id"]
    launched: list[dict[str, Any]] = []

    def reaches_her_account() -> bool:
        response = campaign_to(platform, verifiers, clarification, admins)
        if response.status_code == 201:
            launched.append(response.json())
        return bool(launched)

    wait_until(reaches_her_account, timeout_s=20)
    assert [task["account_id"] for task in launched[0]["tasks"]] == [account]

    def asked_to_share() -> bool:
        to_siti = ok("GET", "notify", "/notifications", params={"recipient_id": siti})
        return any("amplification" in n["source_type"] for n in to_siti["items"])

    wait_until(asked_to_share, timeout_s=20)
    notices = ok("GET", "notify", "/notifications/summary", params={"recipient_id": siti})
    assert notices["total"] >= 3, "invitations, confirmations and the share request to Siti"

    etag = platform.request("GET", "registry", f"/people/{siti}", as_=operator).headers["etag"]
    erased = platform.request(
        "DELETE", "registry", f"/people/{siti}", as_=operator, headers={"if-match": etag}
    )
    assert erased.is_success, erased.text
    ok("GET", "registry", f"/people/{siti}", expect=410)

    # notify: the recipient keeps its id and nothing else; what was sent is still counted.
    wait_until(lambda: ok("GET", "notify", f"/recipients/{siti}")["erased"], timeout_s=20)
    recipient = ok("GET", "notify", f"/recipients/{siti}")
    assert (recipient["name"], recipient["channels"]) == (None, [])
    after = ok("GET", "notify", "/notifications/summary", params={"recipient_id": siti})
    assert after["total"] == notices["total"]

    # events: the invitations no longer point at Siti and her links are dead.
    def purged(event_id: str) -> bool:
        items = ok("GET", "events", f"/events/{event_id}/invitations")["items"]
        return all(i["person_id"] != siti for i in items)

    wait_until(lambda: purged(today) and purged(next_week), timeout_s=20)
    ok("GET", "events", siti_today, expect=410)
    today_invitations = ok("GET", "events", f"/events/{today}/invitations")["items"]
    assert [(i["person_id"], i["erased"], i["rsvp_path"]) for i in today_invitations] == [
        (None, True, None)
    ]
    # The meetup that has begun keeps every count; next week's seat passes to Budi.
    assert ok("GET", "events", f"/events/{today}/attendance")["total"] == before
    assert before["invited"] == before["accepted"] == before["checked_in"] == 1
    budi_view = ok("GET", "events", budi_next)
    assert budi_view["seat"] == "offered"
    next_counts = ok("GET", "events", f"/events/{next_week}/attendance")["total"]
    assert (next_counts["invited"], next_counts["responded"]) == (2, 2)

    # factcheck: Siti is out of the segment now, so a new campaign finds nobody, while the
    # campaign that reached her account keeps its task.
    def out_of_segment() -> bool:
        response = campaign_to(platform, verifiers, clarification, admins)
        assert response.status_code in (201, 422), response.text
        return response.status_code == 422 and response.json()["code"] == "no_targets"

    wait_until(out_of_segment, timeout_s=20)
    progress = ok("GET", "factcheck", f"/campaigns/{launched[0]['id']}/progress", as_=verifiers.kkd)
    assert progress["tasks"] == 1
