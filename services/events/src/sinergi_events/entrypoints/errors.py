"""Domain errors as RFC 9457 problems, with their messages in Indonesian and English."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from sinergi_events.domain.errors import DomainError
from sinergi_kit.http.direct import DirectRoute
from sinergi_kit.http.problems import ProblemError
from sinergi_kit.i18n import Lang, register_messages

_MESSAGES: dict[str, tuple[int, str, str]] = {
    "event_not_found": (404, "Acara tidak ditemukan.", "Event not found."),
    "invitation_not_found": (404, "Undangan tidak ditemukan.", "Invitation not found."),
    "person_not_found": (
        404,
        "Orang ini belum ada di direktori layanan acara.",
        "This person is not in the events service's directory yet.",
    ),
    "segment_not_found": (
        404,
        "Segmen tidak ditemukan di direktori layanan acara.",
        "The segment is not in the events service's directory.",
    ),
    "unknown_token": (
        404,
        "Tautan undangan tidak dikenali. Periksa kembali tautan di pesan Anda.",
        "The invitation link is not recognised. Check the link in your message.",
    ),
    "link_expired": (
        410,
        "Tautan undangan ini sudah tidak berlaku karena acara telah selesai.",
        "This invitation link has expired: the event is over.",
    ),
    "invitation_revoked": (
        410,
        "Undangan ini telah dibatalkan.",
        "This invitation has been withdrawn.",
    ),
    "invitation_erased": (410, "Undangan ini telah dihapus.", "This invitation was erased."),
    "rsvp_closed": (
        410,
        "Konfirmasi kehadiran sudah ditutup.",
        "Replies are closed for this event.",
    ),
    "offer_expired": (
        410,
        "Tawaran kursi sudah kedaluwarsa dan diberikan kepada peserta berikutnya.",
        "The seat offer has expired and passed to the next person.",
    ),
    "no_pass": (
        409,
        "Pass masuk hanya tersedia setelah Anda mengonfirmasi hadir dan mendapat kursi.",
        "A pass is available once you have accepted and hold a seat.",
    ),
    "pass_revoked": (
        410,
        "Pass masuk Anda telah dicabut. Hubungi panitia.",
        "Your pass has been revoked. Contact the organisers.",
    ),
    "already_invited": (
        409,
        "Orang ini sudah diundang ke acara ini.",
        "This person is already invited to this event.",
    ),
    "event_not_open": (
        409,
        "Undangan hanya dapat dikirim untuk acara yang sudah diumumkan (status: {status}).",
        "Invitations can only be sent for a published event (status: {status}).",
    ),
    "illegal_transition": (
        409,
        "Tindakan '{action}' tidak diizinkan saat status acara '{status}'.",
        "'{action}' is not allowed while the event is '{status}'.",
    ),
    "event_not_changeable": (
        409,
        "Acara dengan status '{status}' atau yang sudah dimulai tidak dapat diubah.",
        "An event that is '{status}' or has started cannot be changed.",
    ),
    "event_in_past": (
        422,
        "Waktu mulai acara harus di masa depan.",
        "The event must start in the future.",
    ),
    "naive_time": (
        422,
        "Waktu harus mencantumkan zona waktu (mis. +07:00).",
        "Times must carry a time zone offset (e.g. +07:00).",
    ),
    "ends_before_start": (
        422,
        "Waktu selesai harus setelah waktu mulai.",
        "The end must be after the start.",
    ),
    "deadline_after_start": (
        422,
        "Batas konfirmasi kehadiran tidak boleh setelah acara dimulai.",
        "The RSVP deadline cannot be after the start.",
    ),
    "invalid_capacity": (422, "Kapasitas tidak valid.", "The capacity is not valid."),
    "invalid_agenda_item": (
        422,
        "Setiap mata acara harus selesai setelah dimulai.",
        "Every agenda item must end after it starts.",
    ),
    "agenda_outside_event": (
        422,
        "Setiap mata acara harus berada di antara waktu mulai dan selesai acara.",
        "Every agenda item must lie between the event's start and end.",
    ),
    "too_early_to_start": (
        409,
        "Acara baru dapat dimulai saat jendela check-in dibuka.",
        "The event can be started once its check-in window opens.",
    ),
    "capacity_below_seats_held": (
        409,
        "Kapasitas tidak boleh kurang dari {held} kursi yang sudah terisi atau ditawarkan.",
        "The capacity cannot be below the {held} seats already held or offered.",
    ),
    "invalid_reminders": (
        422,
        "Setiap pengingat harus memiliki jarak waktu positif yang berbeda.",
        "Every reminder needs a different, positive offset.",
    ),
    "invalid_response": (422, "Jawaban tidak valid.", "The answer is not valid."),
    "door_closed": (
        409,
        "Pendaftaran di pintu hanya dibuka selama jendela check-in acara.",
        "Walk-ins are registered only during the event's check-in window.",
    ),
}

register_messages({f"events.{code}": {"id": i, "en": e} for code, (_, i, e) in _MESSAGES.items()})


def as_problem(error: DomainError) -> ProblemError:
    status = _MESSAGES[error.code][0] if error.code in _MESSAGES else 409
    problem = ProblemError(status, error.code, detail_key=f"events.{error.code}")
    problem.params = error.params
    return problem


class DomainRoute(APIRoute):
    """Routes whose domain errors become problem documents."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except DomainError as exc:
                raise as_problem(exc) from exc

        return route


class DirectDomainRoute(DomainRoute, DirectRoute):
    """A direct route (the door's hot path) whose domain errors become problem documents."""


SCAN_REASONS: dict[str, dict[Lang, str]] = {
    "accepted_entry": {"id": "Silakan masuk.", "en": "Welcome in."},
    "accepted_exit": {"id": "Keluar tercatat.", "en": "Exit recorded."},
    "unknown_pass": {"id": "Pass tidak dikenali.", "en": "Unknown pass."},
    "wrong_event": {"id": "Pass untuk acara lain.", "en": "This pass is for another event."},
    "revoked": {"id": "Pass atau undangan telah dicabut.", "en": "Pass or invitation revoked."},
    "not_accepted": {
        "id": "Belum mengonfirmasi hadir atau belum mendapat kursi.",
        "en": "Has not accepted or holds no seat.",
    },
    "outside_window": {
        "id": "Di luar waktu check-in acara.",
        "en": "Outside the event's check-in window.",
    },
    "already_inside": {"id": "Sudah berada di dalam.", "en": "Already inside."},
    "not_inside": {"id": "Belum tercatat masuk.", "en": "Not recorded as inside."},
}
register_messages({f"events.scan.{key}": texts for key, texts in SCAN_REASONS.items()})
