from __future__ import annotations

import hashlib

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from sinergi_kit.settings import ServiceSettings
from sinergi_notify.domain.model import Category, Channel


class NotifySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SINERGI_NOTIFY_", extra="ignore")

    service_name: str = "notify"
    http_port: int = 8103
    public_base_url: str = "http://127.0.0.1:8103"
    events_public_base_url: str = Field(
        default="http://127.0.0.1:8102", description="Joined with RSVP paths in messages"
    )

    channels: list[Channel] = Field(
        default_factory=lambda: list[Channel](["email"]), description="Channels switched on"
    )
    ladder: list[Channel] = Field(
        default_factory=lambda: list[Channel](["email", "whatsapp", "telegram", "sms", "webhook"]),
        description="Default channel order; a recipient may set their own",
    )
    default_timezone: str = "Asia/Jakarta"
    quiet_start: str = "21:00"
    quiet_end: str = "06:00"
    urgent_categories: list[Category] = Field(default_factory=list)
    digest_hour: int = Field(default=8, ge=0, le=23)
    default_ttl_days: float = Field(default=7.0, gt=0, description="Expiry when none is given")
    unsubscribe_secret: str = Field(default="", description="Empty: derived from the JWT key")

    sender_enabled: bool = True
    sender_batch_size: int = Field(default=200, ge=1, le=5_000)
    sender_poll_interval_s: float = Field(default=0.25, gt=0)
    sender_concurrency: int = Field(default=16, ge=1, le=256)
    awaiting_recipient_retry_s: float = Field(
        default=5.0, gt=0, description="How often a message looks again for its recipient"
    )
    shutdown_grace_s: float = Field(
        default=10.0, gt=0, description="Time for the batch in flight to finish at shutdown"
    )
    lease_s: float = Field(default=60.0, gt=0, description="A crashed sender's claim expires")
    retry_max_attempts: int = Field(default=6, ge=1)
    retry_base_s: float = Field(default=30.0, gt=0)
    retry_max_s: float = Field(default=3_600.0, gt=0)
    rate_per_s: dict[str, float] = Field(
        default_factory=lambda: {"email": 0.0, "whatsapp": 50.0, "telegram": 25.0, "sms": 10.0},
        description="Per-channel sends per second across every replica; 0: unlimited",
    )
    rate_burst: dict[str, float] = Field(default_factory=dict)

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_use_tls: bool = False
    smtp_timeout_s: float = 15.0
    smtp_connections: int = Field(default=4, ge=1, le=64)
    mail_from: str = "Diskominfo Jombang <notifikasi@jombangkab.go.id>"
    message_id_domain: str = "notify.sinergi.jombangkab.go.id"

    http_timeout_s: float = 10.0
    webhook_secret: str = ""
    telegram_base_url: str = "https://api.telegram.org"
    telegram_bot_token: str = ""
    whatsapp_base_url: str = "https://graph.facebook.com/v21.0"
    whatsapp_token: str = ""
    whatsapp_phone_number_id: str = ""
    whatsapp_app_secret: str = Field(default="", description="Signs delivery-status webhooks")
    whatsapp_verify_token: str = Field(default="", description="Webhook subscription check")
    sms_base_url: str = ""
    sms_token: str = ""
    sms_sender: str = "JOMBANGKAB"

    def unsubscribe_key(self) -> bytes:
        if self.unsubscribe_secret:
            return self.unsubscribe_secret.encode()
        return hashlib.sha256(b"notify-unsubscribe:" + self.resolved_jwt_secret().encode()).digest()
