"""The HTTP API: dead letters and resend, unsubscribe links, template CRUD with the English
fallback, previews, delivery status; problem details and roles."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import httpx
import pytest

from sinergi_kit.auth import Principal, Role
from sinergi_kit.runtime import create_app
from sinergi_notify.adapters.rendering import default_templates
from sinergi_notify.app import definition
from sinergi_notify.mailcatcher import MailCatcher
from sinergi_notify.testing import EVENT_ID, Notify, Receiver, invitation_issued

if TYPE_CHECKING:
    from conftest import NotifyFactory


@pytest.fixture
async def api(notify_factory: NotifyFactory, receiver: Receiver) -> AsyncIterator[Api]:
    notify = await notify_factory(receiver, retry_max_attempts=1)
    app = create_app(definition(notify.settings))
    app.state.clock = notify.clock
    verifier = app.state.token_verifier
    operator = verifier.issue(Principal("operator@diskominfo", frozenset({Role.OPERATOR})))
    viewer = verifier.issue(Principal("viewer@kkd", frozenset({Role.VIEWER})))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://notify.test") as client:
        yield Api(
            notify,
            client,
            {"Authorization": f"Bearer {operator}"},
            {"Authorization": f"Bearer {viewer}"},
        )
    await app.state.runtime.db.dispose()


class Api:
    def __init__(
        self,
        notify: Notify,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        viewer: dict[str, str],
    ) -> None:
        self.notify, self.client, self.operator, self.viewer = notify, client, operator, viewer


async def test_dead_notifications_are_listed_and_resent_with_a_new_idempotency_key(
    api: Api, receiver: Receiver
) -> None:
    notify = api.notify
    notify.settings.ladder = ["sms"]
    person = await notify.person(whatsapp="+6281234567893")
    receiver.answer((500, {}))
    await notify.deliver(invitation_issued(person))
    await notify.sender().drain()

    dead = (await api.client.get("/dead-letters/notifications", headers=api.viewer)).json()
    [item] = dead["items"]
    assert item["state"] == "dead" and item["last_error"].startswith("HTTP 500")
    forbidden = await api.client.post(
        "/dead-letters/notifications/resend", json={}, headers=api.viewer
    )
    assert forbidden.status_code == 403
    assert forbidden.headers["content-type"] == "application/problem+json"
    resent = await api.client.post(
        "/dead-letters/notifications/resend", json={}, headers=api.operator
    )
    assert resent.status_code == 202 and resent.json() == {"resent": [item["id"]]}
    await notify.sender().drain()

    detail = (await api.client.get(f"/notifications/{item['id']}", headers=api.viewer)).json()
    assert (detail["state"], detail["generation"]) == ("sent", 1)
    assert [a["outcome"] for a in detail["attempt_log"]] == ["temporary", "sent"]
    keys = [r["headers"]["idempotency-key"] for r in receiver.requests]
    assert keys == [item["id"], f"{item['id']}.1"]
    again = await api.client.post(f"/notifications/{item['id']}/resend", headers=api.operator)
    assert again.status_code == 202
    unknown = await api.client.post(
        "/notifications/0193a000-0000-7000-8000-00000000ffff/resend", headers=api.operator
    )
    assert unknown.status_code == 404 and unknown.json()["code"] == "notification_not_found"


async def test_the_unsubscribe_link_asks_then_opts_out(api: Api, smtp: MailCatcher) -> None:
    notify = api.notify
    person = await notify.person(email="berhenti@example.id")
    await notify.deliver(invitation_issued(person))
    await notify.sender().drain()
    email = smtp.store.messages()[0].parsed()
    link = re.sub(r"\s", "", str(email["List-Unsubscribe"])).strip("<>")
    path = link.removeprefix("http://notify.test")

    page = await api.client.get(path)
    assert page.status_code == 200 and "Berhenti berlangganan" in page.text
    done = await api.client.post(
        path,
        content="List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert done.status_code == 200 and "tidak akan menerima" in done.text
    recipient = (await api.client.get(f"/recipients/{person.id}", headers=api.viewer)).json()
    assert recipient["preferences"]["opted_out"] == [["invitation", "email"]]

    tampered = await api.client.post(path[:-3] + "abc")
    assert tampered.status_code == 400 and tampered.json()["code"] == "invalid_token"
    english = await api.client.post(path[:-3] + "abc", headers={"Accept-Language": "en"})
    assert english.json()["detail"] == "The unsubscribe link is not valid."


async def test_without_an_indonesian_template_the_english_one_is_used(
    api: Api, smtp: MailCatcher
) -> None:
    listed = await api.client.get(
        "/templates",
        params={"key": "invitation", "channel": "email", "locale": "id"},
        headers=api.viewer,
    )
    [indonesian] = listed.json()
    assert (await api.client.get("/templates")).status_code == 401
    off = await api.client.delete(f"/templates/{indonesian['id']}", headers=api.operator)
    assert off.status_code == 200 and off.json()["active"] is False

    preview = await api.client.post(
        "/templates/preview", json={"key": "invitation", "locale": "id"}, headers=api.viewer
    )
    assert preview.status_code == 200
    assert preview.json()["subject"] == "Invitation: Kopilaborasi 2026"
    assert preview.json()["locale"] == "en"

    notify = api.notify
    person = await notify.person(email="bahasa@example.id", language="id")
    await notify.deliver(invitation_issued(person))
    await notify.sender().drain()
    assert smtp.store.messages()[0].parsed()["Subject"] == "Invitation: Kopilaborasi 2026"

    on = await api.client.post(f"/templates/{indonesian['id']}/activate", headers=api.operator)
    assert on.status_code == 200 and on.json()["active"] is True
    again = await api.client.post(
        "/templates/preview", json={"key": "invitation", "locale": "id"}, headers=api.viewer
    )
    assert (again.json()["locale"], again.json()["template_id"]) == ("id", indonesian["id"])


async def test_a_new_template_version_is_used_and_bad_templates_are_refused(
    api: Api, smtp: MailCatcher
) -> None:
    body = {
        "key": "invitation",
        "channel": "email",
        "locale": "id",
        "subject": "Undangan {{ event.title.id }} untuk {{ recipient_name }}",
        "body_text": "Hadir? {{ rsvp_url }}",
        "body_html": "<p>{{ recipient_name }}</p>",
    }
    created = await api.client.post("/templates", json=body, headers=api.operator)
    assert created.status_code == 201 and created.json()["version"] == 2
    broken = await api.client.post(
        "/templates", json={**body, "body_text": "{% if %}"}, headers=api.operator
    )
    assert broken.status_code == 422 and broken.json()["code"] == "template_invalid"
    draft = await api.client.post(
        "/templates/preview",
        json={"key": "invitation", "subject": "x", "body_text": "{{ tidak_ada }}"},
        headers=api.viewer,
    )
    assert draft.status_code == 422

    notify = api.notify
    person = await notify.person(email="versi@example.id")
    await notify.deliver(invitation_issued(person))
    await notify.sender().drain()
    email = smtp.store.messages()[0].parsed()
    assert email["Subject"] == "Undangan Kopilaborasi 2026 untuk Ahmad Fauzi"
    assert email.get_body(("html",)).get_content().strip() == "<p>Ahmad Fauzi</p>"


async def test_delivery_status_per_event_and_recipient(api: Api, smtp: MailCatcher) -> None:
    notify = api.notify
    first = await notify.person(email="satu@example.id")
    second = await notify.person(email="bounce@example.id")
    for person in (first, second):
        await notify.deliver(invitation_issued(person))
    await notify.sender().drain()
    summary = await api.client.get(
        "/notifications/summary", params={"event_id": str(EVENT_ID)}, headers=api.viewer
    )
    assert summary.json()["total"] == 2
    assert summary.json()["by_state"]["sent"] == 1
    mine = await api.client.get(
        "/notifications", params={"recipient_id": str(second.id)}, headers=api.viewer
    )
    [item] = mine.json()["items"]
    assert item["channel"] == "email" and item["state"] in ("dead", "failed")
    source = item["source_event_id"]
    per_source = await api.client.get(
        "/notifications/summary", params={"source_event_id": source}, headers=api.viewer
    )
    assert per_source.json()["total"] == 1
    listed = await api.client.get(
        "/notifications", params={"source_event_id": source}, headers=api.viewer
    )
    assert [i["recipient_id"] for i in listed.json()["items"]] == [str(second.id)]
    suppressions = (await api.client.get("/suppressions", headers=api.viewer)).json()
    assert [s["address"] for s in suppressions] == ["bounce@example.id"]


def signed(secret: str, payload: dict[str, object]) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return body, {"X-Hub-Signature-256": f"sha256={digest}", "content-type": "application/json"}


def statuses(*pairs: tuple[str, str]) -> dict[str, object]:
    return {
        "entry": [
            {"changes": [{"value": {"statuses": [{"id": i, "status": s} for i, s in pairs]}}]}
        ]
    }


async def test_whatsapp_receipts_mark_delivery_and_a_failure_falls_back_to_email(
    api: Api, receiver: Receiver, smtp: MailCatcher
) -> None:
    notify = api.notify
    notify.settings.ladder = ["whatsapp", "email"]
    notify.settings.whatsapp_app_secret = "rahasia-aplikasi"
    first = await notify.person(whatsapp="+6281234567894", email="satu@example.id")
    second = await notify.person(whatsapp="+6281234567895", email="dua@example.id")
    for person in (first, second):
        await notify.deliver(invitation_issued(person))
    await notify.sender().drain()
    assert smtp.store.received == 0
    ids = {r.recipient_id: r.provider_id for r in await notify.rows()}

    body, headers = signed("kunci-salah", statuses((ids[first.id], "delivered")))
    refused = await api.client.post("/receipts/whatsapp", content=body, headers=headers)
    assert refused.status_code == 403
    body, headers = signed(
        "rahasia-aplikasi",
        statuses((ids[first.id], "delivered"), (ids[first.id], "read"), (ids[second.id], "failed")),
    )
    accepted = await api.client.post("/receipts/whatsapp", content=body, headers=headers)
    assert accepted.status_code == 204
    [read] = await notify.rows(first.id)
    assert read.state == "read" and read.delivered_at is not None
    await notify.sender().drain()
    failed, email = await notify.rows(second.id)
    assert (failed.state, failed.reason) == ("failed", "provider_failed")
    assert (email.channel, email.state, email.escalated_from) == ("email", "sent", failed.id)
    assert smtp.store.messages()[0].rcpt_tos == ("dua@example.id",)


async def test_every_shipped_template_previews_with_its_sample_data(api: Api) -> None:
    shipped = default_templates()
    assert {s.key for s in shipped} >= {"verdict", "verdict_changed", "invitation", "digest"}
    for source in shipped:
        response = await api.client.post(
            "/templates/preview",
            json={"key": source.key, "channel": source.channel, "locale": source.locale},
            headers=api.viewer,
        )
        assert response.status_code == 200, (source.key, source.channel, response.text)
        preview = response.json()
        assert (preview["locale"], preview["template_id"]) == (source.locale, str(source.id))
        assert preview["text"].strip() and "{{" not in preview["text"]
