"""Service settings (environment variables prefixed ACCTCHECK_, or CLI flags). Defaults serve the bundled
rules and the embedded IP database."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from acctcheck import bundled_rules_dir


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
    reload_settle_s: float = Field(default=1.0, ge=0, description="a file is used once unchanged for this long")
    reload_max_defer_s: float = Field(default=5.0, gt=0, description="while files keep changing, a revision of "
                                      "their latest complete versions is built at least this often")
    watch: bool = True
    log_decisions: bool = Field(default=True, description="one JSON log line per decision (ids and categories only)")
    max_batch_items: int = Field(default=1000, ge=1)
    max_batch_body_bytes: int = Field(default=8 * 1024 * 1024, ge=1024, description="POST /validate/batch body limit")
    max_image_bytes: int = Field(default=2 * 1024 * 1024, ge=1024, description="per image, after base64 decoding")
    max_image_pixels: int = Field(default=25_000_000, ge=1024, description="width*height; refused before decoding")
    image_decode_side: int = Field(default=2400, ge=256,
                                   description="longer images are reduced by whole factors to at most this")
    image_workers: int = Field(default=2, ge=1, le=64, description="requests decoding images at once (threads)")
    image_wait_s: float = Field(default=5.0, gt=0, description="a request waits this long for a decoding slot, "
                                "then gets 503 images_busy")
    max_image_side: int = Field(default=10_000, ge=256, description="either side, from the header")
    max_image_aspect: float = Field(default=12.0, ge=1, description="longer side / shorter side, from the header")
    max_image_decode_mb: int = Field(default=48, ge=8, description="estimated memory of decoding one frame")
    max_image_frames: int = Field(default=64, ge=1, description="frames of an animation, every one scanned")
    max_image_total_pixels: int = Field(default=16_000_000, ge=1024,
                                        description="width*height*frames of an animation")
    max_batch_work: int = Field(default=60_000, ge=1000, description="POST /validate/batch budget in "
                                "characters of text, an image counting as batch_image_work")
    batch_image_work: int = Field(default=15_000, ge=1, description="what one image costs of max_batch_work")
    header_timeout_s: float = Field(default=10.0, gt=0, description="request line and headers must arrive "
                                    "within this (acctcheck serve)")
    console: Literal["auto", "on", "off", "token"] = Field(
        default="auto", description="/console: auto = loopback clients only (no proxy headers), on = anyone who "
        "reaches the port, token = its data endpoints need the admin token, off = not served (docs/console.md)")
