"""The console in-process against the real registry app (in-process too, on each database):
sign-in, pages, role-aware controls and the registry's refusals shown in the reader's
language."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from sinergi_console.app import create_app
from sinergi_console.session import SESSION_COOKIE
from sinergi_console.settings import ConsoleSettings
from sinergi_kit.auth import Principal, Role, TokenVerifier
from sinergi_kit.runtime import ServiceRuntime, migrate
from sinergi_kit.runtime import create_app as create_service_app
from sinergi_registry.app import definition
from sinergi_registry.settings import RegistrySettings

SECRET = "kunci-pengujian-konsol-0123456789abcdef"
PASSWORD = "sandi-operator-yang-panjang"


@dataclass
class Setup:
    console: httpx.AsyncClient
    registry: httpx.AsyncClient
    admin: dict[str, str]

    async def sign_in(self, username: str, password: str = PASSWORD) -> httpx.Response:
        return await self.console.post(
            "/login", data={"username": username, "password": password, "next": "/accounts"}
        )


@pytest.fixture
async def setup(database_url: str) -> AsyncIterator[Setup]:
    service = definition(
        RegistrySettings(
            database_url=database_url, jwt_secret=SECRET, nats_url="nats://127.0.0.1:1"
        )
    )
    await asyncio.to_thread(migrate, service)
    registry_app = create_service_app(service)
    runtime: ServiceRuntime = registry_app.state.runtime
    registry_transport = httpx.ASGITransport(app=registry_app)
    settings = ConsoleSettings(registry_url="http://registry")
    console_app = create_app(settings, transport=registry_transport)
    admin = TokenVerifier(service.settings).issue(Principal("admin", frozenset({Role.ADMIN})))
    async with (
        httpx.AsyncClient(transport=registry_transport, base_url="http://registry") as registry,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=console_app), base_url="http://console"
        ) as console,
    ):
        auth = {"authorization": f"Bearer {admin}"}
        for username, role in (("operator", "operator"), ("pemantau", "viewer")):
            created = await registry.post(
                "/users",
                json={
                    "username": username,
                    "name": username,
                    "password": PASSWORD,
                    "roles": [role],
                },
                headers=auth,
            )
            assert created.status_code == 201, created.text
        yield Setup(console, registry, auth)
    await console_app.state.services.close()
    if hasattr(registry_app.state, "account_reader"):
        registry_app.state.account_reader.close()
    await runtime.db.dispose()


async def register_accounts(setup: Setup, count: int) -> None:
    for number in range(count):
        created = await setup.registry.post(
            "/accounts",
            json={
                "platform": "instagram",
                "handle": f"desa.contoh.{number}",
                "display_name": f"Desa Contoh {number}",
                "managed_by": "government" if number % 2 else "independent",
                "category": "government" if number % 2 else "community",
                "district": "Diwek",
            },
            headers=setup.admin,
        )
        assert created.status_code == 201, created.text


async def test_pages_need_a_sign_in_and_never_redirect_off_site(setup: Setup) -> None:
    page = await setup.console.get("/accounts?managed_by=government")
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/accounts%3Fmanaged_by%3Dgovernment"
    login = await setup.console.get("/login", params={"next": "//elsewhere.example"})
    assert 'name="next" value="/"' in login.text


async def test_sign_in_keeps_the_token_in_a_strict_http_only_cookie(setup: Setup) -> None:
    signed_in = await setup.sign_in("operator")
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/accounts"
    cookie = signed_in.headers["set-cookie"].lower()
    assert cookie.startswith(SESSION_COOKIE) and "httponly" in cookie
    assert "samesite=strict" in cookie

    refused = await setup.sign_in("operator", "bukan-sandinya")
    assert refused.status_code == 401
    assert '<html lang="id">' in refused.text and 'role="alert"' in refused.text
    setup.console.cookies.set("sinergi_console_lang", "en")
    refused_en = await setup.sign_in("operator", "bukan-sandinya")
    assert '<html lang="en">' in refused_en.text
    assert refused.text != refused_en.text


async def test_accounts_are_filtered_and_paged_through_the_registry(setup: Setup) -> None:
    await register_accounts(setup, 30)
    await setup.sign_in("pemantau")
    first = await setup.console.get("/accounts")
    assert first.status_code == 200
    assert first.text.count("Desa Contoh") == 25
    assert 'rel="next" href="/accounts?cursor=' in first.text
    filtered = await setup.console.get("/accounts", params={"managed_by": "government"})
    assert filtered.text.count("Desa Contoh") == 15
    assert "Mandiri" not in filtered.text.split("<tbody>")[1]
    stats = await setup.console.get("/stats")
    assert stats.text.count("<svg") == 5
    assert "Diwek 30" in stats.text


async def test_a_viewer_gets_no_edit_controls_and_the_registry_refusal_in_their_language(
    setup: Setup,
) -> None:
    await setup.sign_in("operator")
    operator_page = await setup.console.get("/segments")
    assert 'id="segment-form"' in operator_page.text and 'href="/imports"' in operator_page.text

    await setup.sign_in("pemantau")
    viewer_page = await setup.console.get("/segments")
    assert 'id="segment-form"' not in viewer_page.text
    assert 'href="/imports"' not in viewer_page.text

    # A viewer who posts anyway: the registry refuses, the console shows its problem detail.
    posted = await setup.console.post(
        "/segments",
        data={"name": "Coba", "managed_by": "government"},
        headers={"referer": "http://console/segments"},
    )
    assert posted.status_code == 303 and posted.headers["location"] == "/segments"
    shown = await setup.console.get("/segments")
    assert "Peran Anda tidak diizinkan melakukan ini." in shown.text
    assert 'class="flash flash-error"' in shown.text
    again = await setup.console.get("/segments")
    assert "flash-error" not in again.text  # shown once


async def test_an_unreachable_service_is_reported_not_crashed() -> None:
    nowhere = "http://127.0.0.1:1"
    settings = ConsoleSettings(
        registry_url=nowhere, events_url=nowhere, notify_url=nowhere, factcheck_url=nowhere
    )
    app = create_app(settings)
    token = TokenVerifier(RegistrySettings(jwt_secret=SECRET)).issue(
        Principal("operator", frozenset({Role.OPERATOR}))
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://console"
    ) as console:
        console.cookies.set(SESSION_COOKIE, token)
        page = await console.get("/events")
    await app.state.services.close()
    assert page.status_code == 503
    assert "Layanan events tidak dapat dihubungi" in page.text


async def test_an_import_is_checked_first_then_applied_without_a_second_upload(
    setup: Setup,
) -> None:
    rows = (
        b"platform,handle,display_name,managed_by,category,district\n"
        b"instagram,@info.diwek,Info Diwek,independent,community,Diwek\n"
        b"myspace,x,Y,independent,community,\n"
    )
    await setup.sign_in("operator")
    checked = await setup.console.post(
        "/imports",
        data={"kind": "accounts", "mode": "dry_run"},
        files={"file": ("akun.csv", rows, "text/csv")},
    )
    assert checked.status_code == 200
    report = checked.text.split('id="import-report"')[1]
    assert "Hasil pemeriksaan (belum diterapkan)" in report
    assert '<td class="num">3</td><td>platform</td>' in report  # row 3 refused, and why
    listed = await setup.registry.get("/accounts", headers=setup.admin)
    assert listed.json()["items"] == []  # a dry run changes nothing

    carried = report.split('name="checked_file" value="')[1].split('"')[0]
    applied = await setup.console.post(
        "/imports",
        data={
            "kind": "accounts",
            "mode": "apply",
            "checked_file": carried,
            "checked_name": "akun.csv",
        },
    )
    assert "Hasil impor" in applied.text and 'id="apply-import"' not in applied.text
    listed = await setup.registry.get("/accounts", headers=setup.admin)
    assert [a["handle"] for a in listed.json()["items"]] == ["info.diwek"]
