"""Dates and times as a person reads them, in Indonesian or English."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

_DAYS = {
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    "id": (
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
_ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def format_local(value: datetime, tz: ZoneInfo, locale: str) -> str:
    """``Sabtu, 28 November 2026 09.00 WIB`` / ``Saturday, 28 November 2026 09:00 WIB``."""
    lang = "en" if locale == "en" else "id"
    local = value.astimezone(tz)
    zone = _ZONE_NAMES.get(str(tz.key), local.strftime("%Z") or str(tz.key))
    separator = ":" if lang == "en" else "."
    return (
        f"{_DAYS[lang][local.weekday()]}, {local.day} {_MONTHS[lang][local.month - 1]} "
        f"{local.year} {local.hour:02d}{separator}{local.minute:02d} {zone}"
    )
