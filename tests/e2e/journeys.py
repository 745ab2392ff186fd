"""The two journeys of the whole platform, driven through the services' public HTTP APIs and
the e-mails that reach the SMTP server. Each step ends at a named checkpoint where a fault run
may kill a service, restart NATS or PostgreSQL, or make the SMTP server refuse mail. Every
function asserts on real outcomes, so a fault run checks the same things as a calm one."""

from __future__ import annotations

import csv
import io
import random
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sinergi_kit.auth import Role
from sinergi_kit.testing.processes import wait_until
from sinergi_registry.service_layer.demo import INFLUENCERS, DemoAccount, demo_accounts

from .platform import BAWASLU, KPU, RSVP_LINK, SHARE_LINK, Mail, Platform

CAPACITY = 75
PARALLEL = 6
REMINDER_OFFSET_MIN = 2
CHECKED_IN = 70
EMAIL_DOMAIN = "contoh.jombangkab.go.id"
INVITATION, CONFIRMATION, OFFER = "Undangan: ", "Konfirmasi: ", "Kursi tersedia: "
MOVED, REMINDER, SHARE = "Jadwal berubah: ", "Pengingat: ", "Mohon bagikan: "


def _slug(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


def _email(manager: str) -> str:
    return f"{_slug(manager)}@{EMAIL_DOMAIN}"


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


@dataclass
class Setting:
    """The registry's view of what was imported."""

    operator: str
    accounts: list[dict[str, Any]]
    people: list[dict[str, Any]]
    segments: dict[str, str] = field(default_factory=dict)
    members: dict[str, set[str]] = field(default_factory=dict)
    """Segment name → the e-mail addresses of its members, by the registry's own preview."""

    @property
    def email_of(self) -> dict[str, str]:
        return {p["id"]: p["contact"]["email"] for p in self.people}


def setting_files() -> tuple[bytes, bytes, list[DemoAccount]]:
    """The setting's 120 accounts and their managers as the office's two CSV files."""
    accounts = demo_accounts()
    account_rows = [
        [a.platform, a.handle, a.name, a.managed_by, a.category, a.district, str(a.followers)]
        for a in accounts
    ]
    managed: dict[str, list[str]] = {}
    for a in accounts:
        managed.setdefault(a.manager, []).append(f"{a.platform}:{a.handle}")
    people_rows = [
        [
            name,
            _email(name),
            f"0812{40_000_000 + index:08d}",
            "influencer" if name in INFLUENCERS else "account_admin",
            "communication;event_invitations;amplification_requests",
            "form:kopilaborasi",
            ";".join(handles),
        ]
        for index, (name, handles) in enumerate(sorted(managed.items()))
    ]
    return (
        _csv(
            [
                "platform",
                "handle",
                "display_name",
                "managed_by",
                "kategori",
                "kecamatan",
                "pengikut",
            ],
            account_rows,
        ),
        _csv(
            ["nama", "email", "wa", "peran", "consents", "consent_source", "accounts"],
            people_rows,
        ),
        accounts,
    )


def _all_pages(platform: Platform, service: str, path: str, token: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 500} | ({"cursor": cursor} if cursor else {})
        page = platform.call("GET", service, path, as_=token, params=params)
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


def import_setting(platform: Platform) -> Setting:
    """Import through the registry's CSV endpoint; segment the managers by who runs their
    accounts; wait until events and notify have projected them all."""
    operator = platform.token("e2e-operator", Role.OPERATOR, name="Operator Diskominfo")
    accounts_csv, people_csv, demo = setting_files()
    assert len(demo) == 120
    assert Counter(a.managed_by for a in demo) == {"government": 64, "independent": 56}
    report = platform.call(
        "POST",
        "registry",
        "/imports/accounts",
        as_=operator,
        files={"file": ("akun-jombang.csv", accounts_csv, "text/csv")},
    )
    assert (report["rows"], report["created"], report["failed"]) == (120, 120, 0), report
    platform.checkpoint("accounts imported")
    report = platform.call(
        "POST",
        "registry",
        "/imports/people",
        as_=operator,
        files={"file": ("pengelola.csv", people_csv, "text/csv")},
    )
    managers = {a.manager for a in demo}
    assert (report["created"], report["failed"]) == (len(managers), 0), report
    platform.checkpoint("people imported")

    accounts = _all_pages(platform, "registry", "/accounts", operator)
    people = _all_pages(platform, "registry", "/people", operator)
    assert len(accounts) == 120 and len(people) == len(managers)
    setting = Setting(operator, accounts, people)
    for name, managed_by in (
        ("Pengelola akun pemerintah (OPD)", "government"),
        ("Pengelola akun independen", "independent"),
    ):
        segment = platform.call(
            "POST",
            "registry",
            "/segments",
            as_=operator,
            json={"name": name, "filter": {"managed_by": [managed_by]}},
            headers={"Idempotency-Key": f"segment-{managed_by}"},
        )
        setting.segments[name] = segment["id"]
        preview = platform.call(
            "GET", "registry", f"/segments/{segment['id']}/preview?limit=500", as_=operator
        )
        expected = {_email(a.manager) for a in demo if a.managed_by == managed_by}
        setting.members[name] = {m["contact"]["email"] for m in preview["people"]["members"]}
        assert preview["people"]["count"] == len(expected), preview
        assert setting.members[name] == expected
    platform.checkpoint("segments created")
    wait_for_projections(platform, setting)
    return setting


def wait_for_projections(platform: Platform, setting: Setting, timeout_s: float = 60) -> None:
    def events_directory_complete() -> bool:
        found = _all_pages(platform, "events", "/directory/accounts", setting.operator)
        return len(found) == len(setting.accounts)

    def notify_knows(person: dict[str, Any]) -> bool:
        found = platform.call(
            "GET", "notify", f"/recipients/{person['id']}", as_=setting.operator, expect=(200, 404)
        )
        return bool(found.get("id") == person["id"])

    wait_until(events_directory_complete, timeout_s, poll_s=0.3)
    # People are projected in the order they were registered: the last one comes last.
    last = max(setting.people, key=lambda p: (p["created_at"], p["id"]))
    wait_until(lambda: notify_knows(last), timeout_s, poll_s=0.3)
    wait_until(lambda: all(notify_knows(p) for p in setting.people), timeout_s, poll_s=0.3)


def check_projections(platform: Platform, setting: Setting) -> list[str]:
    """Every projection of the registry equals its source, read through the HTTP APIs.
    Returns what was checked."""
    accounts = {a["id"]: a for a in _all_pages(platform, "registry", "/accounts", setting.operator)}
    people = _all_pages(platform, "registry", "/people", setting.operator)
    directory = {
        a["id"]: a for a in _all_pages(platform, "events", "/directory/accounts", setting.operator)
    }
    assert directory == accounts, "the events directory differs from the registry's accounts"
    for person in people:
        recipient = platform.call(
            "GET", "notify", f"/recipients/{person['id']}", as_=setting.operator
        )
        assert recipient["name"] == person["name"], (recipient, person)
        assert {"email", "whatsapp"} <= set(recipient["channels"]), recipient
        assert recipient["language"] == person["preferred_language"], (recipient, person)
        assert recipient["erased"] is False
    return [
        f"events directory = registry accounts ({len(accounts)})",
        f"notify recipients = registry people ({len(people)})",
    ]


# -- journey 1: the Kopilaborasi meetup -----------------------------------------------------


@dataclass
class Meetup:
    event_id: str
    tokens: dict[str, str]
    """E-mail address → RSVP token, from the invitation e-mails."""
    seated: list[str]
    waitlisted: list[str]
    declined: str
    promoted: str
    checked_in: list[str]
    expected_mail: dict[str, Counter[str]]
    """Subject prefix → how many of them each address must have received."""


def _venue() -> dict[str, Any]:
    return {
        "name": "Pendopo Kabupaten Jombang",
        "address": "Jl. KH. Wahid Hasyim No. 137, Jombang",
        "latitude": -7.5469,
        "longitude": 112.2331,
    }


def create_meetup(
    platform: Platform,
    operator: str,
    starts: datetime,
    capacity: int,
    reminders: tuple[dict[str, Any], ...] = (),
) -> dict[str, Any]:
    """A Kopilaborasi meetup of three hours, published."""
    event = platform.call(
        "POST",
        "events",
        "/events",
        as_=operator,
        json={
            "kind": "kopilaborasi",
            "title": {
                "id": "Kopilaborasi Pegiat Media Sosial Jombang",
                "en": "Kopilaborasi: Jombang's social-media managers meet",
            },
            "theme": {
                "id": "Bersama melawan hoaks menjelang pemilu",
                "en": "Together against hoaxes before the election",
            },
            "venue": _venue(),
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=3)).isoformat(),
            "capacity": capacity,
            "organisers": ["Diskominfo Kabupaten Jombang", "KKD Kabupaten Jombang"],
            "guests_of_honour": ["Bupati Jombang", "Ketua DPRD", "Kapolres Jombang"],
            "reminders": list(reminders),
        },
    )
    platform.call("POST", "events", f"/events/{event['id']}/publish", as_=operator)
    return dict(event)


def invite_segment(
    platform: Platform, operator: str, event_id: str, segment_id: str, members: int
) -> None:
    """Invite until the events service's own copy of the segment finds every member the
    registry lists (it may still be catching up after a fault); a repeat invites only the
    people not yet invited."""
    invited = 0

    def complete() -> bool:
        nonlocal invited
        answer = platform.call(
            "POST",
            "events",
            f"/events/{event_id}/invitations/segment",
            as_=operator,
            json={"segment_id": segment_id},
            expect=(201, 404),
        )
        if "members" not in answer:
            return False  # the segment itself has not arrived yet
        invited += answer["invited"]
        assert answer["members"] <= members, answer
        return bool(answer["members"] == members)

    wait_until(complete, timeout_s=60, poll_s=0.5)
    assert invited == members


def _answer(platform: Platform, token: str, response: str) -> dict[str, Any]:
    return dict(platform.call("POST", "events", f"/rsvp/{token}", json={"response": response}))


def _token_of(mail: Mail) -> str:
    found = RSVP_LINK.search(mail.text)
    assert found, mail.text
    return found.group(1)


def kopilaborasi(platform: Platform, setting: Setting) -> Meetup:
    operator = setting.operator
    everyone = set().union(*setting.members.values())
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    reminder = {"offset_minutes": REMINDER_OFFSET_MIN, "audiences": ["accepted"]}
    event_id = create_meetup(platform, operator, starts, CAPACITY, (reminder,))["id"]
    for name, segment_id in setting.segments.items():
        invite_segment(platform, operator, event_id, segment_id, len(setting.members[name]))
    platform.checkpoint("segments invited")

    invitations = platform.mailbox.wait_for(INVITATION, len(everyone))
    assert {m.to for m in invitations} == everyone
    for mail in invitations:
        assert mail.calendar is not None, "no text/calendar part"
        assert "METHOD:REQUEST" in mail.calendar and "Pendopo Kabupaten Jombang" in mail.calendar
    tokens = {m.to: _token_of(m) for m in invitations}
    platform.checkpoint("invitations delivered")

    order = sorted(everyone)
    random.Random(2022).shuffle(order)
    seated, waitlisted = order[:CAPACITY], order[CAPACITY:]
    halves = (seated[: CAPACITY // 2], seated[CAPACITY // 2 :])
    for number, half in enumerate(halves, start=1):
        # The first 75 answer at once, as they would from their phones: all find a seat.
        with ThreadPoolExecutor(PARALLEL) as pool:
            views = list(pool.map(lambda a: _answer(platform, tokens[a], "accepted"), half))
        for view in views:
            assert (view["seat"], view["pass_path"] is not None) == ("confirmed", True), view
        platform.checkpoint(f"{number} of 2 halves of the seats taken")
    for position, address in enumerate(waitlisted, start=1):
        view = _answer(platform, tokens[address], "accepted")
        assert (view["seat"], view["waitlist_position"]) == ("waitlisted", position), view
    platform.checkpoint("waiting list formed")

    declined, promoted = seated[7], waitlisted[0]
    assert _answer(platform, tokens[declined], "declined")["seat"] == "none"
    platform.checkpoint("a seat declined")
    (offer,) = platform.mailbox.wait_for(OFFER, 1)
    assert offer.to == promoted
    assert _token_of(offer) == tokens[promoted]
    view = platform.call("GET", "events", f"/rsvp/{tokens[promoted]}")
    assert view["seat"] == "offered", view
    view = _answer(platform, tokens[promoted], "accepted")
    assert view["seat"] == "confirmed" and view["pass_path"], view
    seated = [a for a in seated if a != declined] + [promoted]
    waitlisted = waitlisted[1:]
    still_waiting = platform.call(
        "GET", "events", f"/events/{event_id}/invitations?seat=waitlisted&limit=500", as_=operator
    )["items"]
    assert len(still_waiting) == len(waitlisted)
    platform.checkpoint("the offer accepted")

    confirmations = Counter(order) + Counter([declined, promoted])
    platform.mailbox.wait_for(CONFIRMATION, sum(confirmations.values()))
    # Everything so far has arrived: moving the meetup supersedes nothing unsent.
    # The reminder falls due 4 s from now, with two minutes to spare before the start.
    moved_to = datetime.now(UTC) + timedelta(minutes=REMINDER_OFFSET_MIN, seconds=4)
    platform.call(
        "POST",
        "events",
        f"/events/{event_id}/reschedule",
        as_=operator,
        json={
            "starts_at": moved_to.isoformat(),
            "ends_at": (moved_to + timedelta(hours=3)).isoformat(),
        },
    )
    platform.checkpoint("meetup moved forward")
    not_declined = everyone - {declined}
    moved = platform.mailbox.wait_for(MOVED, len(not_declined))
    assert {m.to for m in moved} == not_declined
    assert all(m.calendar and "SEQUENCE:1" in m.calendar for m in moved)
    reminders = platform.mailbox.wait_for(REMINDER, len(seated))
    assert sorted(m.to for m in reminders) == sorted(seated), "the reminder reached others"
    platform.checkpoint("reminder delivered")

    checked_in = seated[:CHECKED_IN]

    def scan(number: int) -> dict[str, Any]:
        code = platform.call("GET", "events", f"/rsvp/{tokens[checked_in[number]]}/pass")["code"]
        device = f"pintu-{number % PARALLEL}"
        body = {"nonce": f"{device}-{number:04d}", "code": code, "device": device}
        return dict(
            platform.call("POST", "events", f"/events/{event_id}/scans", as_=operator, json=body)
        )

    for numbers in (range(CHECKED_IN // 2), range(CHECKED_IN // 2, CHECKED_IN)):
        with ThreadPoolExecutor(PARALLEL) as pool:  # one worker per door device
            outcomes = list(pool.map(scan, numbers))
        assert all(o["accepted"] and not o["replayed"] for o in outcomes), outcomes
        platform.checkpoint(f"{numbers.stop} checked in")
    again = scan(0)
    assert again["accepted"] and again["replayed"], "the same scan twice is one check-in"

    expected_mail = {
        INVITATION: Counter(everyone),
        CONFIRMATION: confirmations,
        OFFER: Counter([promoted]),
        MOVED: Counter(not_declined),
        REMINDER: Counter(seated),
    }
    return Meetup(
        event_id, tokens, seated, waitlisted, declined, promoted, checked_in, expected_mail
    )


def check_attendance(platform: Platform, setting: Setting, meetup: Meetup) -> list[str]:
    report = platform.call(
        "GET", "events", f"/events/{meetup.event_id}/attendance", as_=setting.operator
    )
    everyone = set().union(*setting.members.values())
    total = report["total"]
    assert (total["invited"], total["responded"]) == (len(everyone), len(everyone)), total
    assert (total["accepted"], total["declined"]) == (CAPACITY, 1), total
    assert (total["waitlisted"], total["checked_in"]) == (len(meetup.waitlisted), CHECKED_IN)
    assert total["no_show"] == CAPACITY - CHECKED_IN
    by_segment = {row["segment_name"]: row for row in report["segments"]}
    assert set(by_segment) == set(setting.members)
    for name, members in setting.members.items():
        row = by_segment[name]
        assert row["invited"] == len(members)
        assert row["accepted"] == len(members & set(meetup.seated)), (name, row)
        assert row["checked_in"] == len(members & set(meetup.checked_in)), (name, row)
        assert row["waitlisted"] == len(members & set(meetup.waitlisted)), (name, row)
    return [f"attendance report: {total}"]


# -- journey 2: a hoax, its clarification and its amplification ------------------------------

CLAIM = (
    "KPU Jombang akan menghapus nama pemilih yang tidak datang ke TPS pada Pemilu 2024 dari "
    "DPT untuk selamanya, segera sebarkan ke grup keluarga"
)
PUBLISH = {
    "title_id": "KPU tidak menghapus pemilih yang tidak datang ke TPS",
    "title_en": "The KPU does not remove voters who stayed away from the polls",
    "summary_id": "Pemilih yang tidak mencoblos tetap terdaftar di DPT pemilu berikutnya.",
    "summary_en": "Voters who did not vote stay on the next election's voter list.",
    "body_id": "KPU Kabupaten Jombang menegaskan tidak ada penghapusan data pemilih.",
    "body_en": "The KPU of Jombang Regency confirmed that no voter is removed.",
}
REPORTERS = ("warga.diwek@contoh.id", "warga.ploso@contoh.id")


@dataclass
class Clarification:
    case_id: str
    clarification: dict[str, Any]
    campaign_id: str
    confirmed: set[str]
    """Share-task links confirmed."""
    expected_mail: dict[str, Counter[str]]


@dataclass(frozen=True)
class Verifiers:
    kkd: str
    kpu: str
    bawaslu: str

    @classmethod
    def of(cls, platform: Platform) -> Verifiers:
        return cls(
            platform.token("kkd-sari", Role.VERIFIER, name="Sari (KKD)"),
            platform.token("kpu-budi", Role.VERIFIER, KPU, "Budi (KPU)"),
            platform.token("bawaslu-rina", Role.VERIFIER, BAWASLU, "Rina (Bawaslu)"),
        )


def report_hoax(platform: Platform, kkd: str) -> str:
    """Two citizens report the same hoax in other words; both reports land in one case."""
    first = platform.call(
        "POST",
        "factcheck",
        "/reports",
        json={
            "text": CLAIM,
            "urls": ["https://www.facebook.com/groups/jombang/posts/123"],
            "contact": {"channel": "email", "address": REPORTERS[0]},
            "consent": True,
        },
    )
    platform.checkpoint("first report")
    second = platform.call(
        "POST",
        "factcheck",
        "/reports",
        json={
            "text": "Info dari grup sebelah: " + CLAIM.upper() + " 🙏🙏",
            "contact": {"channel": "email", "address": REPORTERS[1], "locale": "en"},
            "consent": True,
        },
    )
    assert first["status"] == second["status"] == "received"
    cases = platform.call("GET", "factcheck", "/cases", as_=kkd)
    holding = [
        c["case"]["id"]
        for c in cases
        if {first["report_id"], second["report_id"]}
        <= {
            r["id"]
            for r in platform.call("GET", "factcheck", f"/cases/{c['case']['id']}", as_=kkd)[
                "reports"
            ]
        }
    ]
    assert len(holding) == 1, "the second report was not matched to the first one's case"
    platform.checkpoint("second report matched")
    return str(holding[0])


def publish_verdict(platform: Platform, case_id: str, verifiers: Verifiers) -> dict[str, Any]:
    """KPU investigates and rates the claim; KPU's own approval is refused, Bawaslu's taken;
    KKD publishes the clarification with its ClaimReview."""
    kkd, kpu, bawaslu = verifiers.kkd, verifiers.kpu, verifiers.bawaslu
    for path, body, token in (
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
    ):
        platform.call("POST", "factcheck", f"/cases/{case_id}/{path}", as_=token, json=body)
    refused = platform.call("POST", "factcheck", f"/cases/{case_id}/approve", as_=kpu, expect=409)
    assert refused["code"].startswith("four_eyes"), refused
    approved = platform.call("POST", "factcheck", f"/cases/{case_id}/approve", as_=bawaslu)
    assert approved["approver_organization_id"] == str(BAWASLU)
    platform.checkpoint("verdict approved")

    clarification = platform.call(
        "POST", "factcheck", f"/cases/{case_id}/publish", as_=kkd, json=PUBLISH
    )
    review = platform.call("GET", "factcheck", f"/clarifications/{clarification['id']}/claimreview")
    assert review["@type"] == "ClaimReview", review
    assert review["reviewRating"]["alternateName"].startswith("DISINFORMASI"), review
    assert review["url"] == clarification["url"]
    platform.checkpoint("clarification published")
    return dict(clarification)


def hoax_to_amplification(platform: Platform, setting: Setting) -> Clarification:
    verifiers = Verifiers.of(platform)
    kkd = verifiers.kkd
    case_id = report_hoax(platform, kkd)
    clarification = publish_verdict(platform, case_id, verifiers)

    verdicts = platform.mailbox.wait_for("[DISINFORMASI]", 2)
    assert sorted(m.to for m in verdicts) == sorted(REPORTERS)
    assert {m.subject for m in verdicts} == {
        "[DISINFORMASI] " + PUBLISH["title_id"],
        "[DISINFORMASI] " + PUBLISH["title_en"],
    }

    targets = [
        {
            "segment": segment,
            "account_ids": [a["id"] for a in setting.accounts if a["managed_by"] == managed_by],
        }
        for segment, managed_by in (("OPD", "government"), ("Independen", "independent"))
    ]
    campaign = platform.call(
        "POST",
        "factcheck",
        f"/clarifications/{clarification['id']}/campaigns",
        as_=kkd,
        json={"targets": targets},
    )
    assert len(campaign["tasks"]) == 120
    platform.checkpoint("amplification requested")

    managers = {p["contact"]["email"] for p in setting.people}
    requests = platform.mailbox.wait_for(SHARE, len(managers))
    assert {m.to for m in requests} == managers
    managed = Counter(
        setting.email_of[pid]
        for p in setting.people
        for pid in [p["id"]] * len(p["managed_account_ids"])
    )
    confirmed: set[str] = set()
    for number, mail in enumerate(sorted(requests, key=lambda m: m.to)):
        links = SHARE_LINK.findall(mail.text)
        assert len(links) == managed[mail.to], (mail.to, mail.text)
        if mail.to in setting.members["Pengelola akun independen"]:
            continue  # the independents have not shared yet
        for link in links:
            token_path = "/share/" + link.rsplit("/share/", 1)[1]
            shared = platform.call(
                "POST",
                "factcheck",
                token_path,
                json={"post_url": f"https://www.instagram.com/p/{_slug(mail.to)[:20]}"},
                headers={"X-Forwarded-For": f"10.8.0.{number + 1}"},  # one phone each
            )
            assert shared["confirmed_at"] is not None
            confirmed.add(link)
    platform.checkpoint("shares confirmed")

    progress = platform.call("GET", "factcheck", f"/campaigns/{campaign['id']}/progress", as_=kkd)
    assert (progress["tasks"], progress["confirmed"]) == (120, 64), progress
    segments = {s["segment"]: (s["tasks"], s["confirmed"]) for s in progress["segments"]}
    assert segments == {"OPD": (64, 64), "Independen": (56, 0)}, progress
    return Clarification(
        case_id,
        clarification,
        campaign["id"],
        confirmed,
        {"[DISINFORMASI]": Counter(REPORTERS), SHARE: Counter(managers)},
    )


# -- what every run ends with ----------------------------------------------------------------


def check_mail(platform: Platform, expected: dict[str, Counter[str]], *, strict: bool) -> list[str]:
    """Each expected e-mail arrived exactly once per recipient and nothing else arrived.
    ``strict``: not even a repeated delivery of the same message (no fault was injected)."""
    total = sum(sum(c.values()) for c in expected.values())
    wait_until(lambda: len(platform.mailbox.distinct()) >= total, timeout_s=60, poll_s=0.2)
    time.sleep(1.5)  # longer than a send: a stray repeat would have arrived
    settle = platform.mailbox.raw_count
    distinct = platform.mailbox.distinct()
    for prefix, counts in expected.items():
        got = platform.mailbox.per_recipient(prefix)
        assert got == counts, (
            f"{prefix!r}: {sorted((got - counts).items())[:5]} extra, "
            + str(sorted((counts - got).items())[:5])
            + " missing"
        )
    assert len(distinct) == total, f"{len(distinct)} distinct e-mails, {total} expected"
    if strict:
        assert platform.mailbox.raw_count == settle == total, "an e-mail was delivered twice"
    summary = platform.call("GET", "notify", "/notifications/summary", as_=_viewer(platform))
    assert summary == {"total": total, "by_state": {"sent": total}}, summary
    return [
        f"{total} e-mails, each once per recipient and kind "
        f"({platform.mailbox.raw_count} SMTP deliveries)",
        f"notify: {summary}",
    ]


def _viewer(platform: Platform) -> str:
    return platform.token("e2e-viewer", Role.VIEWER)
