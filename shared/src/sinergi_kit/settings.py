"""Settings shared by every service; each service subclasses with its own env prefix."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, PrivateAttr
from pydantic_settings import BaseSettings, SettingsConfigDict

VAR_DIR = Path(os.environ.get("SINERGI_VAR_DIR", "var"))
"""Where the embedded default keeps its files; the dev stack points every process at one."""


class ServiceSettings(BaseSettings):
    """Base settings. A service sets ``model_config`` with ``env_prefix="SINERGI_<NAME>_"``."""

    model_config = SettingsConfigDict(extra="ignore")

    service_name: str = "sinergi"
    database_url: str = ""
    nats_url: str = "nats://127.0.0.1:4223"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: str = "INFO"
    public_base_url: str = ""

    jwt_secret: str = Field(default="", description="Shared HS256 key; empty: var/jwt.key")
    jwt_issuer: str = "sinergi"
    jwt_audience: str = "sinergi"
    jwks_url: str = Field(default="", description="An OIDC provider's JWKS (RS256) instead")
    cors_origins: list[str] = Field(
        default_factory=lambda: ["http://127.0.0.1:8100", "http://localhost:8100"]
    )

    provision_topology_on_start: bool = True
    outbox_relay: Literal["in_process", "own_process"] = Field(
        default="in_process",
        description="Where the outbox relay runs: in the service's process, or in a process "
        "of its own started with the service's `relay` command (PostgreSQL only)",
    )
    outbox_poll_interval_s: float = Field(default=1.0, gt=0)
    outbox_relay_process_poll_s: float = Field(
        default=0.05, gt=0, description="How often a relay in a process of its own looks"
    )
    outbox_relay_process_idle_poll_s: float = Field(
        default=1.0,
        gt=0,
        description="How far its wait grows while the outbox stays empty (doubling)",
    )
    outbox_relay_process_niceness: int = Field(
        default=10, ge=0, le=19, description="How far a relay of its own yields the CPU"
    )
    outbox_relay_process_heartbeat: str = Field(
        default="",
        description="A file a relay of its own touches while it works, for a health check",
    )
    outbox_relay_process_metrics_port: int = Field(
        default=0,
        ge=0,
        le=65_535,
        description="Where a relay of its own serves /metrics (on http_host); 0: nowhere",
    )
    outbox_batch_size: int = Field(default=256, ge=1, le=10_000)
    outbox_retention_days: int = Field(default=7, ge=0)
    outbox_max_backoff_s: float = Field(default=15.0, gt=0)
    readiness_max_outbox_lag_s: float = Field(default=60.0, gt=0)

    consumer_batch_size: int = Field(default=256, ge=1, le=10_000)
    consumer_max_deliveries: int = Field(default=5, ge=1)
    consumer_retry_base_s: float = Field(default=1.0, gt=0)
    consumer_retry_max_s: float = Field(default=60.0, gt=0)

    _generated_jwt_secret: str | None = PrivateAttr(default=None)

    def resolved_jwt_secret(self) -> str:
        """The configured key, or one generated once under ``var/`` and shared by every
        service of the embedded platform."""
        if self.jwt_secret:
            return self.jwt_secret
        if self._generated_jwt_secret is None:  # read once: tokens are checked on every request
            key_file = VAR_DIR / "jwt.key"
            if not key_file.exists():
                VAR_DIR.mkdir(parents=True, exist_ok=True)
                key_file.write_text(secrets.token_urlsafe(48))
                key_file.chmod(0o600)
            self._generated_jwt_secret = key_file.read_text().strip()
        return self._generated_jwt_secret

    def resolved_database_url(self) -> str:
        """The configured URL, or the embedded SQLite file under ``var/``."""
        if self.database_url:
            return self.database_url
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        return f"sqlite+aiosqlite:///{VAR_DIR / (self.service_name + '.db')}"
