"""Sample data for template previews, from the setting: a Kopilaborasi at the Pendopo."""

from __future__ import annotations

from typing import Any

_EVENT: dict[str, Any] = {
    "id": "0193a000-0000-7000-8000-000000000001",
    "version": 2,
    "sequence": 1,
    "calendar_uid": "kopilaborasi-2026@sinergi.jombangkab.go.id",
    "kind": "kopilaborasi",
    "status": "published",
    "title": {"id": "Kopilaborasi 2026", "en": "Kopilaborasi 2026"},
    "theme": {
        "id": "Bersama melawan hoaks menjelang pemilu",
        "en": "Together against hoaxes before the election",
    },
    "description": "",
    "venue": {"name": "Pendopo Kabupaten Jombang", "address": "Jl. KH. Wahid Hasyim, Jombang"},
    "starts_at": "2026-11-28T02:00:00+00:00",
    "ends_at": "2026-11-28T06:00:00+00:00",
    "timezone": "Asia/Jakarta",
    "capacity": 120,
    "rsvp_deadline": None,
    "organizer_name": "Diskominfo Kabupaten Jombang",
    "organizer_email": "diskominfo@jombangkab.go.id",
}
_INVITATION: dict[str, Any] = {
    "event": _EVENT,
    "invitation_id": "0193a000-0000-7000-8000-000000000002",
    "rsvp_url": "http://127.0.0.1:8102/rsvp/contoh-token",
    "role": "participant",
    "response": "accepted",
    "seat": "confirmed",
}
_CAMPAIGN: dict[str, Any] = {
    "campaign": {
        "id": "0193a000-0000-7000-8000-000000000003",
        "title": "Hoaks: surat suara sudah dicoblos sebelum hari pemungutan",
        "clarification_url": "https://sinergi.jombangkab.go.id/klarifikasi/contoh",
        "deadline": "2026-11-23T10:00:00+00:00",
        "share_kit": {"instagram": "Cek faktanya sebelum membagikan."},
    },
    "tasks": [
        {
            "id": "0193a000-0000-7000-8000-000000000004",
            "account_id": "0193a000-0000-7000-8000-000000000005",
            "segment": "@kecamatan.diwek",
            "confirm_url": "https://sinergi.jombangkab.go.id/share/contoh",
        }
    ],
}

_CLARIFICATION: dict[str, Any] = {
    "id": "0193a000-0000-7000-8000-000000000006",
    "case_id": "0193a000-0000-7000-8000-000000000007",
    "version": 1,
    "status": "published",
    "label": "HOAKS",
    "rating": "salah",
    "title_id": "Surat suara sudah dicoblos sebelum hari pemungutan",
    "title_en": "Ballots marked before polling day",
    "summary_id": "Foto itu berasal dari simulasi KPU tahun 2019.",
    "summary_en": "The photo comes from a 2019 KPU simulation.",
    "url": "https://sinergi.jombangkab.go.id/klarifikasi/contoh",
    "published_at": "2026-11-22T03:00:00+00:00",
    "updated_at": "2026-11-22T03:00:00+00:00",
}

SAMPLES: dict[str, dict[str, Any]] = {
    "invitation": _INVITATION,
    "rsvp_confirmation": _INVITATION,
    "waitlist_offer": {**_INVITATION, "offer_expires_at": "2026-11-26T10:00:00+00:00"},
    "waitlist_offer_expired": {
        **_INVITATION,
        "offered_at": "2026-11-25T10:00:00+00:00",
        "offer_expired_at": "2026-11-26T10:00:00+00:00",
    },
    "invitation_revoked": _INVITATION,
    "reminder": {**_INVITATION, "audience": "accepted", "offset_minutes": 1440},
    "event_rescheduled": {
        **_INVITATION,
        "previous_starts_at": "2026-11-21T02:00:00+00:00",
        "previous_ends_at": "2026-11-21T06:00:00+00:00",
        "previous_venue": {"name": "Gedung Bung Tomo", "address": "Jombang"},
    },
    "event_cancelled": {
        **_INVITATION,
        "reason": {"id": "Cuaca buruk.", "en": "Severe weather."},
    },
    "share_request": _CAMPAIGN,
    "digest": {"items": [_CAMPAIGN]},
    "verdict": {"clarification": _CLARIFICATION},
    "verdict_changed": {
        "clarification": {**_CLARIFICATION, "version": 2, "status": "corrected"},
        "change": {
            "kind": "corrected",
            "note_id": "Tahun simulasi yang benar adalah 2018.",
            "note_en": "The simulation took place in 2018.",
        },
    },
    "referral": {
        "referral": {
            "id": "0193a000-0000-7000-8000-000000000008",
            "case_id": "0193a000-0000-7000-8000-000000000007",
            "version": 1,
            "partner": "bawaslu",
            "organization_id": None,
            "reason": "Dugaan pelanggaran kampanye",
            "status": "sent",
            "deadline": "2026-11-25T09:00:00+00:00",
            "evidence_bundle_sha256": "9f2c" + "0" * 60,
            "sent_at": "2026-11-22T03:00:00+00:00",
            "responded_at": None,
        }
    },
    "case_overdue": {
        "case": {
            "id": "0193a000-0000-7000-8000-000000000007",
            "status": "investigating",
            "claim": "KPU menghapus pemilih yang tidak mencoblos dari DPT",
            "urgency": "high",
            "flags": {"election": True, "hate_speech": False, "potentially_criminal": False},
            "assignee": "verifikator-kpu",
            "due_at": "2026-11-22T15:00:00+00:00",
            "opened_at": "2026-11-22T03:00:00+00:00",
        },
        "hours": 12.0,
    },
    "account_verified": {
        "account": {
            "platform": "instagram",
            "handle": "diskominfo.jombang",
            "display_name": "Diskominfo Jombang",
        }
    },
}


def sample_context(key: str) -> dict[str, Any]:
    return {
        "recipient_name": "Ahmad Fauzi",
        "unsubscribe_url": "http://127.0.0.1:8103/unsubscribe?token=contoh",
        **SAMPLES.get(key, {}),
    }
