"""The console's settings (``SINERGI_CONSOLE_*``): where the four services answer."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SINERGI_CONSOLE_", extra="ignore")

    registry_url: str = "http://127.0.0.1:8101"
    events_url: str = "http://127.0.0.1:8102"
    notify_url: str = "http://127.0.0.1:8103"
    factcheck_url: str = "http://127.0.0.1:8104"
    http_host: str = "127.0.0.1"
    http_port: int = 8100
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: str = "INFO"
    secure_cookies: bool = Field(
        default=False, description="Mark the session cookie Secure (behind HTTPS)"
    )
    upstream_timeout_s: float = Field(default=15.0, gt=0)
