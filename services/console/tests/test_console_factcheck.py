"""A fact-check case through the console against the real factcheck app: the author's verdict,
a second verifier's approval (the author's own is refused and the refusal shown), publication,
and the case's amplification campaigns listed with their progress."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from sinergi_console.app import create_app
from sinergi_console.session import SESSION_COOKIE
from sinergi_console.settings import ConsoleSettings
from sinergi_factcheck.app import MIGRATIONS, build_app
from sinergi_factcheck.settings import FactcheckSettings
from sinergi_kit.auth import Principal, Role, TokenVerifier
from sinergi_kit.migrations import upgrade

SECRET = "kunci-pengujian-konsol-cekfakta-0123456789abcdef"


@pytest.fixture
async def clients(
    database_url: str,
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient, FactcheckSettings]]:
    await asyncio.to_thread(upgrade, MIGRATIONS, database_url)
    settings = FactcheckSettings(
        database_url=database_url,
        nats_url="nats://127.0.0.1:1",
        provision_topology_on_start=False,
        jwt_secret=SECRET,
        log_format="console",
    )
    factcheck_app = build_app(settings)
    factcheck_transport = httpx.ASGITransport(app=factcheck_app)
    console_app = create_app(ConsoleSettings(factcheck_url="http://factcheck"), factcheck_transport)
    async with (
        factcheck_app.router.lifespan_context(factcheck_app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=console_app), base_url="http://console"
        ) as console,
        httpx.AsyncClient(transport=factcheck_transport, base_url="http://factcheck") as public,
    ):
        yield console, public, settings
    await console_app.state.services.close()


def as_verifier(console: httpx.AsyncClient, settings: FactcheckSettings, subject: str) -> None:
    token = TokenVerifier(settings).issue(Principal(subject, frozenset({Role.ADMIN}), name=subject))
    console.cookies.set(SESSION_COOKIE, token)


async def test_a_case_is_judged_approved_by_another_verifier_and_published(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient, FactcheckSettings],
) -> None:
    console, public, settings = clients
    as_verifier(console, settings, "penulis")
    receipt = await public.post(
        "/reports", json={"text": "Kotak suara dibawa pulang petugas KPPS di Diwek"}
    )
    assert receipt.status_code == 201, receipt.text

    async def queued() -> str:
        for _ in range(100):
            queue = await console.get("/cases")
            if 'href="/cases/' in queue.text:
                return queue.text.split('href="/cases/')[1].split('"')[0]
            await asyncio.sleep(0.1)
        raise AssertionError("the report never became a case")

    case = "/cases/" + await queued()
    back = {"referer": "http://console" + case}
    for action, data in (
        ("triage", {"urgency": "normal"}),
        ("assign", {"assignee": "penulis"}),
        ("evidence", {"kind": "official_statement", "source": "KPU Kabupaten Jombang"}),
        ("verdict", {"rating": "salah"}),
    ):
        done = await console.post(f"{case}/{action}", data=data, headers=back)
        assert done.status_code == 303
        assert "flash-ok" in (await console.get(case)).text, action

    await console.post(f"{case}/approve", headers=back)
    refused = (await console.get(case)).text
    assert "flash-error" in refused and 'id="approve"' in refused

    as_verifier(console, settings, "penyetuju")
    await console.post(f"{case}/approve", headers=back)
    page = (await console.get(case)).text
    assert "Putusan disetujui." in page and 'id="publish-form"' in page

    await console.post(
        f"{case}/publish",
        data={
            "title_id": "Tidak benar kotak suara dibawa pulang",
            "title_en": "Ballot boxes were not taken home",
            "summary_id": "KPU memastikan kotak suara disimpan di gudang.",
            "summary_en": "KPU confirms the boxes are kept in the warehouse.",
            "body_id": "Penjelasan lengkap KPU Kabupaten Jombang tentang penyimpanan.",
            "body_en": "The full explanation by KPU Jombang about the storage.",
        },
        headers=back,
    )
    page = (await console.get(case)).text
    assert "Klarifikasi diterbitkan." in page and 'id="amplify-form"' in page
    assert "Belum ada amplifikasi." in page

    accounts = "0193a000-0000-7000-8000-0000000000a1, 0193a000-0000-7000-8000-0000000000a2"
    asked = await console.post(
        "/clarifications/" + page.split('action="/clarifications/')[1].split("/")[0] + "/campaigns",
        data={"segment": "OPD", "account_ids": accounts},
        headers=back,
    )
    assert asked.status_code == 303
    campaign = asked.headers["location"]
    progress = (await console.get(campaign)).text
    assert "0 dari 2 akun sudah membagikan" in progress

    listed = (await console.get(case)).text
    assert 'id="campaign-list"' in listed and f'href="{campaign}"' in listed
    assert "0 dari 2 akun sudah membagikan" in listed
