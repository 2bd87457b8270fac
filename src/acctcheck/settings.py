"""Service settings (environment variables prefixed ACCTCHECK_, or CLI flags). Defaults serve the bundled
rules and the embedded IP database."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def bundled_rules_dir() -> Path:
    """The repository's rules/ (a source checkout) — the default when ACCTCHECK_RULES_DIR is unset."""
    return Path(__file__).resolve().parents[2] / "rules"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ACCTCHECK_", extra="ignore")

    rules_dir: Path = Field(default_factory=bundled_rules_dir)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    max_field_chars: int = Field(default=512, ge=1)
    body_timeout_s: float = Field(default=10.0, gt=0, description="a request body must arrive within this")
    geoip_main_db: Path | None = None
    geoip_domestic_db: Path | None = None
    admin_token: str | None = Field(default=None, description="bearer token for /admin/*; unset = disabled")
    reload_poll_s: float = Field(default=5.0, ge=0.2, description="content-hash poll interval (fallback)")
    reload_debounce_ms: int = Field(default=300, ge=0)
    watch: bool = True
    max_batch_items: int = Field(default=1000, ge=1)
