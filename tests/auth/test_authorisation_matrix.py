"""Every route of every service × every caller: no token, each role, a partner organisation's
verifier, and an admin token signed with the wrong key. The expected policy is the table
below; a route the table does not name (or a table entry with no route) fails the test."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from uuid import UUID, uuid4

import httpx
import pytest

from sinergi_kit.auth import Principal, Role, TokenVerifier
from sinergi_kit.settings import ServiceSettings
from sinergi_kit.testing.apps import SERVICES, ServiceApp, build_service_app

PARTNER_ORGANIZATION = UUID("0193a000-0000-7000-8000-00000000c0b1")  # KPU, not KKD


@dataclass(frozen=True)
class Public:
    """Answers without a token."""


@dataclass(frozen=True)
class Signed:
    """A webhook that checks its own signature: a bearer token neither helps nor is needed."""


@dataclass(frozen=True)
class Roles:
    """Needs a token of one of these callers: 401 without one, 403 for any other caller."""

    allowed: frozenset[str]


Access = Public | Signed | Roles

PUBLIC = Public()
SIGNED = Signed()
READERS = Roles(frozenset({"admin", "operator", "verifier", "viewer", "partner"}))
WRITERS = Roles(frozenset({"admin", "operator"}))
ADMINS = Roles(frozenset({"admin"}))
ACCOUNT_VERIFIERS = Roles(frozenset({"admin", "verifier", "partner"}))
VERIFIERS = Roles(frozenset({"admin", "verifier", "partner"}))
"""Fact-check casework, open to verifiers of any organisation (scoped to their own cases)."""
KKD_VERIFIERS = Roles(frozenset({"admin", "verifier"}))
"""Fact-check work of the committee itself: verifiers of a partner organisation are refused."""

OPS: dict[tuple[str, str], Access] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,
}

POLICY: dict[str, dict[tuple[str, str], Access]] = {
    "registry": OPS
    | {
        ("POST", "/auth/login"): PUBLIC,
        ("POST", "/auth/token"): PUBLIC,
        ("GET", "/auth/me"): READERS,
        ("GET", "/users"): ADMINS,
        ("POST", "/users"): ADMINS,
        ("GET", "/api-tokens"): ADMINS,
        ("POST", "/api-tokens"): ADMINS,
        ("DELETE", "/api-tokens/{token_id}"): ADMINS,
        ("GET", "/audit"): ADMINS,
        ("POST", "/organizations"): WRITERS,
        ("GET", "/organizations"): READERS,
        ("GET", "/organizations/{organization_id}"): READERS,
        ("PATCH", "/organizations/{organization_id}"): WRITERS,
        ("POST", "/accounts"): WRITERS,
        ("GET", "/accounts"): READERS,
        ("GET", "/accounts/{account_id}"): READERS,
        ("PATCH", "/accounts/{account_id}"): WRITERS,
        ("POST", "/accounts/{account_id}/verification"): ACCOUNT_VERIFIERS,
        ("GET", "/accounts/{account_id}/history"): READERS,
        ("POST", "/people"): WRITERS,
        ("GET", "/people"): READERS,
        ("GET", "/people/{person_id}"): READERS,
        ("PATCH", "/people/{person_id}"): WRITERS,
        ("DELETE", "/people/{person_id}"): WRITERS,
        ("POST", "/people/{person_id}/consents"): WRITERS,
        ("GET", "/people/{person_id}/export"): WRITERS,
        ("GET", "/segments"): READERS,
        ("POST", "/segments"): WRITERS,
        ("POST", "/segments/preview"): READERS,
        ("GET", "/segments/{segment_id}"): READERS,
        ("PATCH", "/segments/{segment_id}"): WRITERS,
        ("DELETE", "/segments/{segment_id}"): WRITERS,
        ("GET", "/segments/{segment_id}/preview"): READERS,
        ("POST", "/imports/{kind}"): WRITERS,
        ("GET", "/exports/accounts.csv"): READERS,
        ("GET", "/stats/accounts"): READERS,
    },
    "events": OPS
    | {
        ("POST", "/events"): WRITERS,
        ("GET", "/events"): READERS,
        ("GET", "/events/{event_id}"): READERS,
        ("PATCH", "/events/{event_id}"): WRITERS,
        ("POST", "/events/{event_id}/reschedule"): WRITERS,
        ("POST", "/events/{event_id}/cancel"): WRITERS,
        ("POST", "/events/{event_id}/publish"): WRITERS,
        ("POST", "/events/{event_id}/close-registration"): WRITERS,
        ("POST", "/events/{event_id}/reopen-registration"): WRITERS,
        ("POST", "/events/{event_id}/start"): WRITERS,
        ("POST", "/events/{event_id}/complete"): WRITERS,
        ("GET", "/events/{event_id}/calendar.ics"): READERS,
        ("POST", "/events/{event_id}/invitations"): WRITERS,
        ("GET", "/events/{event_id}/invitations"): READERS,
        ("POST", "/events/{event_id}/invitations/segment"): WRITERS,
        ("POST", "/events/{event_id}/invitations/{invitation_id}/revoke"): WRITERS,
        ("POST", "/events/{event_id}/invitations/{invitation_id}/pass/{change}"): WRITERS,
        ("GET", "/events/{event_id}/reminders"): READERS,
        ("POST", "/events/{event_id}/scans"): WRITERS,
        ("POST", "/events/{event_id}/scans/offline"): WRITERS,
        ("POST", "/events/{event_id}/walk-ins"): WRITERS,
        ("GET", "/events/{event_id}/attendance"): READERS,
        ("GET", "/events/{event_id}/attendance.csv"): READERS,
        ("GET", "/reports/attendance"): READERS,
        ("GET", "/reports/attendance.csv"): READERS,
        # The invitee's signed link is the credential.
        ("GET", "/rsvp/{token}"): PUBLIC,
        ("POST", "/rsvp/{token}"): PUBLIC,
        ("GET", "/rsvp/{token}/invitation.ics"): PUBLIC,
        ("GET", "/rsvp/{token}/pass"): PUBLIC,
        ("GET", "/rsvp/{token}/pass.svg"): PUBLIC,
        # The public directory of the network's social-media accounts (no personal data).
        ("GET", "/directory/accounts/{account_id}"): PUBLIC,
        ("GET", "/directory/accounts"): PUBLIC,
    },
    "notify": OPS
    | {
        ("GET", "/notifications"): READERS,
        ("GET", "/notifications/summary"): READERS,
        ("GET", "/notifications/{notification_id}"): READERS,
        ("POST", "/notifications/{notification_id}/resend"): WRITERS,
        ("GET", "/dead-letters/notifications"): READERS,
        ("POST", "/dead-letters/notifications/resend"): WRITERS,
        ("GET", "/unsubscribe"): PUBLIC,
        ("POST", "/unsubscribe"): PUBLIC,
        ("GET", "/receipts/whatsapp"): PUBLIC,  # the provider's verification challenge
        ("POST", "/receipts/whatsapp"): SIGNED,
        ("GET", "/recipients/{recipient_id}"): READERS,
        ("PUT", "/recipients/{recipient_id}/preferences"): WRITERS,
        ("GET", "/suppressions"): READERS,
        ("DELETE", "/suppressions/{channel}/{address}"): WRITERS,
        ("GET", "/templates"): READERS,
        ("POST", "/templates"): WRITERS,
        ("GET", "/templates/{template_id}"): READERS,
        ("DELETE", "/templates/{template_id}"): WRITERS,
        ("POST", "/templates/{template_id}/activate"): WRITERS,
        ("POST", "/templates/preview"): READERS,
    },
    "factcheck": OPS
    | {
        ("POST", "/reports"): PUBLIC,
        ("POST", "/reports/images"): PUBLIC,
        ("GET", "/clarifications"): PUBLIC,
        ("GET", "/feed.atom"): PUBLIC,
        ("GET", "/clarifications/{clarification_id}"): PUBLIC,
        ("GET", "/clarifications/{clarification_id}/claimreview"): PUBLIC,
        ("GET", "/claimreview"): PUBLIC,
        ("GET", "/share/{token}"): PUBLIC,
        ("POST", "/share/{token}"): PUBLIC,
        ("POST", "/partner/reports"): VERIFIERS,
        ("GET", "/cases"): VERIFIERS,
        ("GET", "/cases/{case_id}"): VERIFIERS,
        ("POST", "/cases/{case_id}/triage"): VERIFIERS,
        ("POST", "/cases/{case_id}/reject"): VERIFIERS,
        ("POST", "/cases/{case_id}/assign"): VERIFIERS,
        ("POST", "/cases/{case_id}/merge"): VERIFIERS,
        ("POST", "/cases/{case_id}/evidence"): VERIFIERS,
        ("GET", "/cases/{case_id}/evidence/bundle"): VERIFIERS,
        ("POST", "/cases/{case_id}/verdict"): VERIFIERS,
        ("POST", "/cases/{case_id}/send-back"): VERIFIERS,
        ("POST", "/cases/{case_id}/approve"): VERIFIERS,
        ("POST", "/cases/{case_id}/publish"): VERIFIERS,
        ("POST", "/clarifications/{clarification_id}/corrections"): VERIFIERS,
        ("POST", "/clarifications/{clarification_id}/retraction"): VERIFIERS,
        ("POST", "/cases/{case_id}/referrals"): VERIFIERS,
        ("GET", "/referrals"): VERIFIERS,
        ("POST", "/referrals/{referral_id}/response"): VERIFIERS,
        ("GET", "/referrals/{referral_id}/bundle"): VERIFIERS,
        ("POST", "/clarifications/{clarification_id}/campaigns"): VERIFIERS,
        ("GET", "/campaigns"): KKD_VERIFIERS,
        ("GET", "/campaigns/{campaign_id}/progress"): KKD_VERIFIERS,
        ("POST", "/imports/claimreview"): KKD_VERIFIERS,
        ("GET", "/stats"): VERIFIERS,
    },
}

PATH_VALUES = {
    "token": "tautan-tidak-dikenal",
    "kind": "accounts",
    "change": "reissue",
    "channel": "email",
    "address": "warga@example.id",
}


def concrete(path: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(uuid4()) if name.endswith("_id") else PATH_VALUES[name]

    return re.sub(r"\{(\w+)\}", value, path)


def callers(service: ServiceApp) -> dict[str, dict[str, str]]:
    signed = {role.value: service.auth(role) for role in Role}
    partner = service.auth(Role.VERIFIER, organization_id=PARTNER_ORGANIZATION)
    forger = TokenVerifier(ServiceSettings(jwt_secret="kunci-palsu-" + "x" * 40))
    forged = forger.issue(Principal("penyusup", frozenset({Role.ADMIN})))
    return {
        "none": {},
        **signed,
        "partner": partner,
        "forged": {"authorization": f"Bearer {forged}"},
    }


@pytest.fixture(params=SERVICES)
async def service(request: pytest.FixtureRequest, database_url: str) -> AsyncIterator[ServiceApp]:
    app = await asyncio.to_thread(build_service_app, request.param, database_url)
    yield app
    await app.runtime.db.dispose()


def routes(service: ServiceApp) -> set[tuple[str, str]]:
    paths = service.app.openapi()["paths"]
    return {(method.upper(), path) for path, operations in paths.items() for method in operations}


def violation(access: Access, caller: str, status: int, signed_status: int) -> str | None:
    if isinstance(access, Public):
        return f"public, got {status}" if caller == "none" and status in (401, 403) else None
    if isinstance(access, Signed):
        if status == 401:
            return "signed webhook asked for a bearer token"
        return None if status == signed_status else "a bearer token changed the answer"
    if caller in ("none", "forged"):
        return None if status == 401 else f"expected 401, got {status}"
    if caller in access.allowed:
        return f"allowed, got {status}" if status in (401, 403) else None
    return None if status == 403 else f"expected 403, got {status}"


async def test_every_route_answers_each_caller_as_the_policy_says(service: ServiceApp) -> None:
    policy = POLICY[service.name]
    actual = routes(service)
    assert actual - policy.keys() == set(), "routes missing from the policy table"
    assert policy.keys() - actual == set(), "policy entries with no route"
    transport = httpx.ASGITransport(app=service.app, raise_app_exceptions=False)
    failures: list[str] = []
    async with httpx.AsyncClient(transport=transport, base_url="http://sinergi") as client:
        for (method, path), access in sorted(policy.items()):
            url = concrete(path)
            body: dict[str, object] | None = {} if method in ("POST", "PUT", "PATCH") else None
            answers = {
                caller: (await client.request(method, url, headers=headers, json=body)).status_code
                for caller, headers in callers(service).items()
            }
            for caller, status in answers.items():
                if problem := violation(access, caller, status, answers["none"]):
                    failures.append(f"{method} {path} as {caller}: {problem}")
    assert not failures, "\n".join(failures)
