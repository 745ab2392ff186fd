from __future__ import annotations

from uuid import UUID

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from sinergi_kit.settings import ServiceSettings


class FactcheckSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SINERGI_FACTCHECK_", extra="ignore")

    service_name: str = "factcheck"
    http_port: int = 8104

    publisher_name: str = "Komite Komunikasi Digital Kabupaten Jombang"
    publisher_url: str = "https://kkd.jombangkab.go.id"
    kkd_organization_id: UUID | None = Field(
        default=None,
        description="Verifiers of this organisation (or of none) see every case; partner "
        "verifiers see the cases assigned to their organisation.",
    )

    intake_per_minute_per_client: float = Field(default=6.0, gt=0)
    intake_burst_per_client: float = Field(default=20.0, ge=1)
    intake_per_minute_per_contact: float = Field(default=1.0, gt=0)
    intake_burst_per_contact: float = Field(default=5.0, ge=1)
    intake_max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    intake_max_image_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    trust_forwarded_for: bool = Field(
        default=False, description="Take the client address from X-Forwarded-For (behind a proxy)."
    )
    match_suggest_threshold: float = Field(default=70.0, ge=0, le=100)
    match_merge_threshold: float = Field(default=88.0, ge=0, le=100)
    share_deadline_hours: int = Field(default=24, ge=1)
    share_confirmations_per_minute_per_link: float = Field(
        default=1.0,
        gt=0,
        description="How often one share link may confirm again once its burst is spent. The "
        "link's token is the credential, so confirmations do not spend the public intake's "
        "per-client reports: many account managers behind one office address each confirm.",
    )
    share_confirmation_burst_per_link: float = Field(default=5.0, ge=1)
    overdue_check_interval_s: float = Field(
        default=60.0, gt=0, description="How often open cases are checked against their limit."
    )
