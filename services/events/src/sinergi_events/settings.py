from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from sinergi_kit.settings import ServiceSettings


class EventsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SINERGI_EVENTS_", extra="ignore")

    service_name: str = "events"
    http_port: int = 8102
