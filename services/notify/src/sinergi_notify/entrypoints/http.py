"""The notify service's HTTP API: delivery status, resend, dead letters, unsubscribe,
preferences, suppressions, templates and previews."""

from __future__ import annotations

import hashlib
import hmac
import html
import json
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import delete, func, select

from sinergi_kit.auth import Reader, Writer
from sinergi_kit.clock import utcnow
from sinergi_kit.http.problems import PROBLEM_RESPONSES, ProblemError
from sinergi_kit.i18n import Lang, register_messages, translate
from sinergi_kit.runtime import request_runtime
from sinergi_notify.adapters.rendering import Renderer, RenderError
from sinergi_notify.adapters.repository import active_templates
from sinergi_notify.adapters.samples import sample_context
from sinergi_notify.adapters.tables import (
    attempts,
    notifications,
    preferences,
    recipients,
    suppressions,
    templates,
)
from sinergi_notify.domain.model import CHANNELS, State
from sinergi_notify.domain.templates import TemplateSource, pick
from sinergi_notify.domain.unsubscribe import InvalidTokenError, verify
from sinergi_notify.entrypoints.schemas import (
    AttemptView,
    DeliverySummary,
    NotificationDetail,
    NotificationPage,
    NotificationView,
    PreferencesBody,
    PreviewRequest,
    PreviewView,
    RecipientView,
    ResendRequest,
    ResendResult,
    SuppressionView,
    TemplateBody,
    TemplateView,
)
from sinergi_notify.service_layer import admin
from sinergi_notify.service_layer import templates as template_cases
from sinergi_notify.service_layer.receipts import apply_receipts
from sinergi_notify.settings import NotifySettings

register_messages(
    {
        "notify.notification_not_found": {
            "id": "Notifikasi tidak ditemukan.",
            "en": "Notification not found.",
        },
        "notify.not_resendable": {
            "id": "Notifikasi ini belum selesai atau tanpa alamat; tidak dapat dikirim ulang.",
            "en": "This notification is not finished or has no address; it cannot be resent.",
        },
        "notify.recipient_not_found": {
            "id": "Penerima tidak ditemukan.",
            "en": "Recipient not found.",
        },
        "notify.template_not_found": {
            "id": "Templat tidak ditemukan.",
            "en": "Template not found.",
        },
        "notify.template_invalid": {
            "id": "Templat tidak dapat diproses: {error}",
            "en": "The template cannot be rendered: {error}",
        },
        "notify.invalid_timezone": {
            "id": "Zona waktu '{timezone}' tidak dikenal.",
            "en": "Unknown time zone '{timezone}'.",
        },
        "notify.invalid_token": {
            "id": "Tautan berhenti berlangganan tidak valid.",
            "en": "The unsubscribe link is not valid.",
        },
        "notify.unsubscribe_confirm": {
            "id": "Berhenti menerima pesan jenis ini melalui saluran ini?",
            "en": "Stop receiving this kind of message on this channel?",
        },
        "notify.bad_receipt_signature": {
            "id": "Tanda tangan pemberitahuan status tidak valid.",
            "en": "The status notification's signature is not valid.",
        },
        "notify.bad_receipt": {
            "id": "Pemberitahuan status tidak dapat dibaca.",
            "en": "The status notification cannot be read.",
        },
        "notify.unsubscribe_button": {"id": "Berhenti berlangganan", "en": "Unsubscribe"},
        "notify.unsubscribed": {
            "id": "Anda tidak akan menerima pesan jenis ini lagi melalui saluran ini.",
            "en": "You will not receive this kind of message on this channel again.",
        },
    }
)

router = APIRouter(tags=["notifications"], responses=PROBLEM_RESPONSES)
_renderer = Renderer()


def _settings(request: Request) -> NotifySettings:
    settings = request_runtime(request).settings
    assert isinstance(settings, NotifySettings)
    return settings


def _now(request: Request) -> datetime:
    """The app's clock: real time unless a test set ``app.state.clock``."""
    clock: Callable[[], datetime] = getattr(request.app.state, "clock", utcnow)
    return clock()


def _view(row: Any) -> NotificationView:
    return NotificationView.model_validate(dict(row._mapping))


# -- delivery status ------------------------------------------------------------------------


@router.get("/notifications", response_model=NotificationPage, summary="Delivery status")
async def list_notifications(
    request: Request,
    _principal: Reader,
    source_event_id: UUID | None = None,
    recipient_id: UUID | None = None,
    event_id: Annotated[UUID | None, Query(description="An events-service event")] = None,
    state: State | None = None,
    cursor: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> NotificationPage:
    n = notifications.c
    conditions = []
    if source_event_id is not None:
        conditions.append(n.source_event_id == source_event_id)
    if recipient_id is not None:
        conditions.append(n.recipient_id == recipient_id)
    if event_id is not None:
        conditions.append(n.group_key == f"event:{event_id}")
    if state is not None:
        conditions.append(n.state == state)
    if cursor is not None:
        conditions.append(n.id > cursor)
    query = select(notifications).where(*conditions).order_by(n.id).limit(limit + 1)
    async with request_runtime(request).db.read() as session:
        rows = (await session.execute(query)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return NotificationPage(
        items=[_view(r) for r in rows], next_cursor=str(rows[-1].id) if more and rows else None
    )


@router.get(
    "/notifications/summary", response_model=DeliverySummary, summary="Counts by delivery state"
)
async def summary(
    request: Request,
    _principal: Reader,
    source_event_id: UUID | None = None,
    recipient_id: UUID | None = None,
    event_id: UUID | None = None,
) -> DeliverySummary:
    n = notifications.c
    conditions = []
    if source_event_id is not None:
        conditions.append(n.source_event_id == source_event_id)
    if recipient_id is not None:
        conditions.append(n.recipient_id == recipient_id)
    if event_id is not None:
        conditions.append(n.group_key == f"event:{event_id}")
    query = select(n.state, func.count()).where(*conditions).group_by(n.state)
    async with request_runtime(request).db.read() as session:
        counts = {state: int(count) for state, count in (await session.execute(query)).all()}
    return DeliverySummary(total=sum(counts.values()), by_state=counts)


@router.get("/notifications/{notification_id}", response_model=NotificationDetail)
async def get_notification(
    notification_id: UUID, request: Request, _principal: Reader
) -> NotificationDetail:
    async with request_runtime(request).db.read() as session:
        row = (
            await session.execute(
                select(notifications).where(notifications.c.id == notification_id)
            )
        ).first()
        if row is None:
            raise ProblemError(
                404, "notification_not_found", detail_key="notify.notification_not_found"
            )
        log = (
            await session.execute(
                select(attempts)
                .where(attempts.c.notification_id == notification_id)
                .order_by(attempts.c.started_at, attempts.c.number)
            )
        ).all()
    return NotificationDetail(
        **_view(row).model_dump(),
        attempt_log=[AttemptView.model_validate(dict(a._mapping)) for a in log],
    )


@router.post(
    "/notifications/{notification_id}/resend",
    response_model=ResendResult,
    status_code=202,
    summary="Send a finished notification again",
)
async def resend_one(notification_id: UUID, request: Request, _principal: Writer) -> ResendResult:
    runtime = request_runtime(request)
    resent = await admin.resend(runtime.db, [notification_id], _now(request))
    if not resent:
        async with runtime.db.read() as session:
            exists = (
                await session.execute(
                    select(notifications.c.id).where(notifications.c.id == notification_id)
                )
            ).first()
        if exists is None:
            raise ProblemError(
                404, "notification_not_found", detail_key="notify.notification_not_found"
            )
        raise ProblemError(409, "not_resendable", detail_key="notify.not_resendable")
    return ResendResult(resent=resent)


# -- dead letters ---------------------------------------------------------------------------


@router.get(
    "/dead-letters/notifications",
    response_model=NotificationPage,
    tags=["dead letters"],
    summary="Notifications that ran out of channels and retries",
)
async def list_dead(
    request: Request,
    principal: Reader,
    cursor: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> NotificationPage:
    return await list_notifications(request, principal, state="dead", cursor=cursor, limit=limit)


@router.post(
    "/dead-letters/notifications/resend",
    response_model=ResendResult,
    status_code=202,
    tags=["dead letters"],
)
async def resend_dead(body: ResendRequest, request: Request, _principal: Writer) -> ResendResult:
    runtime = request_runtime(request)
    ids = body.ids if body.ids is not None else await admin.dead_ids(runtime.db, limit=1_000)
    return ResendResult(resent=await admin.resend(runtime.db, ids, _now(request)))


# -- unsubscribe ----------------------------------------------------------------------------


def _page(lang: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html lang="{lang}"><meta charset="utf-8">'
        f"<title>Sinergi</title><body><main>{body}</main></body></html>",
        headers={"Content-Language": lang},
    )


def _scope(request: Request, token: str) -> Any:
    try:
        return verify(_settings(request).unsubscribe_key(), token)
    except InvalidTokenError as exc:
        raise ProblemError(400, "invalid_token", detail_key="notify.invalid_token") from exc


@router.get("/unsubscribe", response_class=HTMLResponse, tags=["unsubscribe"])
async def unsubscribe_page(request: Request, token: str) -> HTMLResponse:
    """Asks first: link scanners open links, only a person presses the button."""
    scope = _scope(request, token)
    lang: Lang = "en" if scope.locale == "en" else "id"
    return _page(
        lang,
        f"<p>{html.escape(translate('notify.unsubscribe_confirm', lang))}</p>"
        f'<form method="post"><input type="hidden" name="token" value="{html.escape(token)}">'
        f"<button>{html.escape(translate('notify.unsubscribe_button', lang))}</button></form>",
    )


@router.post("/unsubscribe", response_class=HTMLResponse, tags=["unsubscribe"])
async def unsubscribe_now(request: Request, token: str) -> HTMLResponse:
    """RFC 8058 one-click unsubscribe (List-Unsubscribe-Post) and the page's button."""
    scope = _scope(request, token)
    if not await admin.unsubscribe(request_runtime(request).db, scope, _now(request)):
        raise ProblemError(404, "recipient_not_found", detail_key="notify.recipient_not_found")
    lang: Lang = "en" if scope.locale == "en" else "id"
    return _page(lang, f"<p>{html.escape(translate('notify.unsubscribed', lang))}</p>")


# -- delivery receipts ----------------------------------------------------------------------


@router.get("/receipts/whatsapp", tags=["receipts"], response_class=Response)
async def whatsapp_subscription(
    request: Request,
    mode: Annotated[str, Query(alias="hub.mode")],
    verify_token: Annotated[str, Query(alias="hub.verify_token")],
    challenge: Annotated[str, Query(alias="hub.challenge")],
) -> Response:
    """The provider's subscription handshake."""
    expected = _settings(request).whatsapp_verify_token
    if mode != "subscribe" or not expected or not hmac.compare_digest(verify_token, expected):
        raise ProblemError(403, "forbidden", detail_key="notify.bad_receipt_signature")
    return Response(challenge, media_type="text/plain")


@router.post("/receipts/whatsapp", tags=["receipts"], status_code=204, response_class=Response)
async def whatsapp_receipts(request: Request) -> Response:
    """WhatsApp Cloud API status webhooks (delivered, read, failed), signed with the app
    secret (X-Hub-Signature-256)."""
    settings = _settings(request)
    body = await request.body()
    secret = settings.whatsapp_app_secret.encode()
    signature = request.headers.get("x-hub-signature-256", "").removeprefix("sha256=")
    expected = hmac.new(secret, body, hashlib.sha256).hexdigest()
    if not secret or not hmac.compare_digest(signature, expected):
        raise ProblemError(403, "forbidden", detail_key="notify.bad_receipt_signature")
    try:
        payload = json.loads(body)
        statuses = [
            (
                str(status["id"]),
                str(status["status"]),
                json.dumps(status.get("errors", []))[:500],
            )
            for entry in payload.get("entry", [])
            for change in entry.get("changes", [])
            for status in change.get("value", {}).get("statuses", [])
        ]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ProblemError(422, "validation_failed", detail_key="notify.bad_receipt") from exc
    await apply_receipts(
        request_runtime(request).uow, settings, "whatsapp", statuses, _now(request)
    )
    return Response(status_code=204)


# -- recipients and suppressions ------------------------------------------------------------


@router.get("/recipients/{recipient_id}", response_model=RecipientView, tags=["recipients"])
async def get_recipient(recipient_id: UUID, request: Request, _principal: Reader) -> RecipientView:
    async with request_runtime(request).db.read() as session:
        row = (
            await session.execute(select(recipients).where(recipients.c.id == recipient_id))
        ).first()
        prefs = (
            await session.execute(
                select(preferences).where(preferences.c.recipient_id == recipient_id)
            )
        ).first()
    if row is None:
        raise ProblemError(404, "recipient_not_found", detail_key="notify.recipient_not_found")
    body = PreferencesBody()
    if prefs is not None:
        body = PreferencesBody(
            opted_out=[tuple(p) for p in prefs.opted_out],
            ladder=prefs.ladder,
            quiet_start=prefs.quiet_start,
            quiet_end=prefs.quiet_end,
            timezone=prefs.timezone,
            webhook_url=prefs.webhook_url,
        )
    return RecipientView(
        id=row.id,
        kind=row.kind,
        name=row.name,
        language=row.language,
        channels=[c for c in CHANNELS if c != "webhook" and getattr(row, c)],
        erased=row.erased,
        preferences=body,
    )


@router.put(
    "/recipients/{recipient_id}/preferences", response_model=PreferencesBody, tags=["recipients"]
)
async def put_preferences(
    recipient_id: UUID, body: PreferencesBody, request: Request, _principal: Writer
) -> PreferencesBody:
    if body.timezone is not None:
        try:
            ZoneInfo(body.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ProblemError(
                422,
                "invalid_timezone",
                detail_key="notify.invalid_timezone",
                timezone=body.timezone,
            ) from exc
    values = body.model_dump()
    values["opted_out"] = [list(p) for p in body.opted_out]
    if not await admin.save_preferences(
        request_runtime(request).db, recipient_id, values, _now(request)
    ):
        raise ProblemError(404, "recipient_not_found", detail_key="notify.recipient_not_found")
    return body


@router.get("/suppressions", response_model=list[SuppressionView], tags=["recipients"])
async def list_suppressions(
    request: Request, _principal: Reader, limit: Annotated[int, Query(ge=1, le=1_000)] = 200
) -> list[SuppressionView]:
    async with request_runtime(request).db.read() as session:
        rows = (
            await session.execute(
                select(suppressions).order_by(suppressions.c.created_at.desc()).limit(limit)
            )
        ).all()
    return [SuppressionView.model_validate(dict(r._mapping)) for r in rows]


@router.delete("/suppressions/{channel}/{address}", status_code=204, tags=["recipients"])
async def lift_suppression(
    channel: str, address: str, request: Request, _principal: Writer
) -> Response:
    async with request_runtime(request).db.sessions() as session, session.begin():
        await session.execute(
            delete(suppressions).where(
                suppressions.c.channel == channel, suppressions.c.address == address
            )
        )
    return Response(status_code=204)


# -- templates ------------------------------------------------------------------------------


def _template_view(row: Any) -> TemplateView:
    return TemplateView.model_validate(dict(row._mapping))


@router.get("/templates", response_model=list[TemplateView], tags=["templates"])
async def list_templates(
    request: Request,
    _principal: Reader,
    key: str | None = None,
    channel: str | None = None,
    locale: str | None = None,
) -> list[TemplateView]:
    t = templates.c
    conditions = []
    for column, value in ((t.key, key), (t.channel, channel), (t.locale, locale)):
        if value is not None:
            conditions.append(column == value)
    query = select(templates).where(*conditions).order_by(t.key, t.channel, t.locale, t.version)
    async with request_runtime(request).db.read() as session:
        return [_template_view(r) for r in (await session.execute(query)).all()]


@router.get("/templates/{template_id}", response_model=TemplateView, tags=["templates"])
async def get_template(template_id: UUID, request: Request, _principal: Reader) -> TemplateView:
    async with request_runtime(request).db.read() as session:
        row = (
            await session.execute(select(templates).where(templates.c.id == template_id))
        ).first()
    if row is None:
        raise ProblemError(404, "template_not_found", detail_key="notify.template_not_found")
    return _template_view(row)


@router.post(
    "/templates",
    response_model=TemplateView,
    status_code=201,
    tags=["templates"],
    summary="Add a new version of a template (it becomes the one in use)",
)
async def create_template(
    body: TemplateBody, request: Request, response: Response, principal: Writer
) -> TemplateView:
    try:
        _renderer.check(body.subject, body.body_text, body.body_html)
    except RenderError as exc:
        raise ProblemError(
            422, "template_invalid", detail_key="notify.template_invalid", error=str(exc)
        ) from exc
    row = await template_cases.add_version(
        request_runtime(request).db,
        key=body.key,
        channel=body.channel,
        locale=body.locale,
        subject=body.subject,
        body_text=body.body_text,
        body_html=body.body_html,
        author=principal.subject,
        now=_now(request),
    )
    response.headers["Location"] = f"/templates/{row['id']}"
    return TemplateView.model_validate(row)


async def _switch(request: Request, template_id: UUID, active: bool) -> TemplateView:
    row = await template_cases.set_active(request_runtime(request).db, template_id, active)
    if row is None:
        raise ProblemError(404, "template_not_found", detail_key="notify.template_not_found")
    return TemplateView.model_validate(row)


@router.post("/templates/{template_id}/activate", response_model=TemplateView, tags=["templates"])
async def activate_template(
    template_id: UUID, request: Request, _principal: Writer
) -> TemplateView:
    return await _switch(request, template_id, True)


@router.delete(
    "/templates/{template_id}",
    response_model=TemplateView,
    tags=["templates"],
    summary="Switch a version off (kept for history); the newest active version is used",
)
async def deactivate_template(
    template_id: UUID, request: Request, _principal: Writer
) -> TemplateView:
    return await _switch(request, template_id, False)


@router.post("/templates/preview", response_model=PreviewView, tags=["templates"])
async def preview(body: PreviewRequest, request: Request, _principal: Reader) -> PreviewView:
    """Render a stored template (with the English fallback) or an unsaved draft."""
    try:
        ZoneInfo(body.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ProblemError(
            422, "invalid_timezone", detail_key="notify.invalid_timezone", timezone=body.timezone
        ) from exc
    source: TemplateSource | None
    if body.body_text is not None:
        source = TemplateSource(
            id=uuid4(),
            key=body.key,
            channel=body.channel,
            locale=body.locale,
            version=0,
            subject=body.subject or "",
            body_text=body.body_text,
            body_html=body.body_html,
        )
    else:
        async with request_runtime(request).db.read() as session:
            found = await active_templates(session, [(body.key, body.channel)])
        source = pick(found[(body.key, body.channel)], body.locale)
    if source is None:
        raise ProblemError(404, "template_not_found", detail_key="notify.template_not_found")
    context = body.context if body.context is not None else sample_context(body.key)
    try:
        rendered = (Renderer() if body.body_text is not None else _renderer).render(
            source, context, timezone=body.timezone
        )
    except RenderError as exc:
        raise ProblemError(
            422, "template_invalid", detail_key="notify.template_invalid", error=str(exc)
        ) from exc
    return PreviewView(
        template_id=None if body.body_text is not None else source.id,
        version=None if body.body_text is not None else source.version,
        locale=rendered.locale,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
    )
