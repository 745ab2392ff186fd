from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from sinergi_kit.settings import ServiceSettings


class RegistrySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SINERGI_REGISTRY_", extra="ignore")

    service_name: str = "registry"
    http_port: int = 8101
