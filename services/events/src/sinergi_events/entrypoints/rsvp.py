"""The invitee's side: the RSVP link, the personal calendar file and the QR pass. No login:
the unguessable token in the link is the credential."""

from __future__ import annotations

import io

import segno
from fastapi import APIRouter, Response

from sinergi_events.domain.invitations import Invitation
from sinergi_events.entrypoints.deps import Context, Language
from sinergi_events.entrypoints.errors import DomainRoute
from sinergi_events.entrypoints.schemas import PassOut, RsvpView
from sinergi_events.service_layer import invitations
from sinergi_events.service_layer.commands import Answer
from sinergi_kit.clock import WIB
from sinergi_kit.http.problems import PROBLEM_RESPONSES
from sinergi_kit.i18n import Lang, register_messages, translate

router = APIRouter(
    prefix="/rsvp", tags=["rsvp"], responses=PROBLEM_RESPONSES, route_class=DomainRoute
)

register_messages(
    {
        "events.rsvp.pending": {
            "id": "Mohon konfirmasi kehadiran Anda.",
            "en": "Please let us know whether you will attend.",
        },
        "events.rsvp.confirmed": {
            "id": "Terima kasih, kehadiran Anda terkonfirmasi.",
            "en": "Thank you, your attendance is confirmed.",
        },
        "events.rsvp.waitlisted": {
            "id": "Kursi penuh. Anda berada di daftar tunggu nomor {position}.",
            "en": "The event is full. You are number {position} on the waiting list.",
        },
        "events.rsvp.offered": {
            "id": "Ada kursi untuk Anda! Konfirmasi hadir sebelum {until} WIB.",
            "en": "A seat is yours! Accept before {until} WIB.",
        },
        "events.rsvp.declined": {
            "id": "Terima kasih atas jawaban Anda. Semoga berjumpa di acara berikutnya.",
            "en": "Thank you for letting us know. We hope to see you next time.",
        },
        "events.rsvp.tentative": {
            "id": "Jawaban Anda: mungkin hadir. Anda dapat mengubahnya sebelum batas waktu.",
            "en": "Your answer: maybe. You can change it before the deadline.",
        },
        "events.rsvp.lapsed": {
            "id": "Tawaran kursi telah berakhir. Konfirmasi lagi untuk masuk daftar tunggu.",
            "en": "The seat offer lapsed. Accept again to rejoin the waiting list.",
        },
    }
)


def _message(invitation: Invitation, lang: Lang) -> str:
    if invitation.seat == "waitlisted":
        position = invitation.waitlist_position
        return translate("events.rsvp.waitlisted", lang, position=position)
    if invitation.seat == "offered" and invitation.offer_expires_at is not None:
        until = invitation.offer_expires_at.astimezone(WIB)
        return translate("events.rsvp.offered", lang, until=until.strftime("%d-%m-%Y %H:%M"))
    if invitation.response == "accepted":
        key = "confirmed" if invitation.has_seat else "lapsed"
        return translate(f"events.rsvp.{key}", lang)
    return translate(f"events.rsvp.{invitation.response}", lang)


@router.get("/{token}", response_model=RsvpView, summary="The invitation behind a link")
async def view(token: str, ctx: Context, lang: Language) -> RsvpView:
    invitation, event = await invitations.read_invitation(ctx, token)
    return RsvpView.of(event, invitation, token, _message(invitation, lang))


@router.post("/{token}", response_model=RsvpView, summary="Answer (changeable until the deadline)")
async def answer(token: str, command: Answer, ctx: Context, lang: Language) -> RsvpView:
    await invitations.answer(ctx, token, command.response)
    invitation, event = await invitations.read_invitation(ctx, token)
    return RsvpView.of(event, invitation, token, _message(invitation, lang))


@router.get(
    "/{token}/invitation.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
    summary="The personal calendar file (REQUEST with PARTSTAT; CANCEL once the event is "
    "cancelled or the invitation withdrawn)",
)
async def calendar(token: str, ctx: Context) -> Response:
    ics = await invitations.personal_calendar(ctx, token)
    return Response(
        ics,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="undangan.ics"'},
    )


@router.get("/{token}/pass", response_model=PassOut, summary="The check-in pass")
async def get_pass(token: str, ctx: Context) -> PassOut:
    code, invitation, event = await invitations.pass_code(ctx, token)
    return PassOut(
        code=code,
        invitation_id=invitation.id,
        event_id=event.id,
        qr_svg_path=f"/rsvp/{token}/pass.svg",
    )


@router.get(
    "/{token}/pass.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
    summary="The check-in pass as a QR code",
)
async def pass_qr(token: str, ctx: Context) -> Response:
    code, _, _ = await invitations.pass_code(ctx, token)
    buffer = io.BytesIO()
    segno.make(code, error="m").save(buffer, kind="svg", scale=6, border=2)
    return Response(buffer.getvalue(), media_type="image/svg+xml")
