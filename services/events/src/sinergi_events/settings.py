from __future__ import annotations

import secrets

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from sinergi_kit.settings import VAR_DIR, ServiceSettings


class EventsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SINERGI_EVENTS_", extra="ignore")

    service_name: str = "events"
    http_port: int = 8102

    signing_keys: dict[str, str] = Field(
        default_factory=dict,
        description="Named HMAC keys for RSVP links and check-in passes; empty: one key "
        "generated under var/. Every key verifies; signing_key_id signs.",
    )
    signing_key_id: str = ""
    scheduler_interval_s: float = Field(
        default=5.0, gt=0, description="How often offers expire and due reminders go out"
    )
    reminder_batch_size: int = Field(default=5_000, ge=1)

    def resolved_signing_keys(self) -> tuple[dict[str, str], str]:
        if self.signing_keys:
            return self.signing_keys, self.signing_key_id or sorted(self.signing_keys)[-1]
        key_file = VAR_DIR / "events-signing.key"
        if not key_file.exists():
            VAR_DIR.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        return {"local": key_file.read_text().strip()}, "local"
