"""Contact points: WhatsApp numbers in E.164 (Indonesian numbers by default), e-mail
addresses and Telegram usernames in one canonical form each."""

from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email

DEFAULT_REGION = "ID"
_TELEGRAM = re.compile(r"^([a-z][a-z0-9_]{4,31}|-?[0-9]{5,20})$")


class InvalidContactError(ValueError):
    def __init__(self, field: str, value: str) -> None:
        super().__init__(f"{field}: {value}")
        self.field = field
        self.value = value


def normalise_phone(raw: str, field: str = "whatsapp") -> str:
    """``0812-3456-7890``, ``62812…``, ``+62 812…`` → ``+6281234567890``."""
    value = raw.strip()
    digits = re.sub(r"[^0-9+]", "", value)
    if digits.startswith("62") and not digits.startswith("+"):
        digits = "+" + digits
    try:
        number = phonenumbers.parse(digits, DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise InvalidContactError(field, raw) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidContactError(field, raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(raw: str) -> str:
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidContactError("email", raw) from exc
    return result.normalized.lower()


def normalise_telegram(raw: str) -> str:
    value = raw.strip().removeprefix("https://").removeprefix("t.me/").lstrip("@").lower()
    if not _TELEGRAM.match(value):
        raise InvalidContactError("telegram", raw)
    return value
