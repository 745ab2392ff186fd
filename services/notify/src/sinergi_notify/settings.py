from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from sinergi_kit.settings import ServiceSettings


class NotifySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SINERGI_NOTIFY_", extra="ignore")

    service_name: str = "notify"
    http_port: int = 8103
