from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from sinergi_kit.settings import ServiceSettings


class FactcheckSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SINERGI_FACTCHECK_", extra="ignore")

    service_name: str = "factcheck"
    http_port: int = 8104
