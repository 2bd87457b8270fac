"""What the image layer hands the engine: decoded codes, already located. Pure data, no imaging imports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from acctcheck.settings import Settings

Box = tuple[int, int, int, int]  # x, y, w, h in the original image's pixels


@dataclass(frozen=True, slots=True)
class ImageCode:
    """One machine-readable code found in an account image."""

    field: str  # "avatar" | "cover"
    payload: str  # the decoded text
    box: Box
    format: str  # zxing-cpp format name, e.g. "QRCode"


@dataclass(frozen=True, slots=True)
class ImageLimits:
    """Per-image limits (from Settings), each checked from the header before the work it protects.

    Pixels alone do not bound the cost of a decode: a 1 x 25,000,000 PNG is under any pixel limit yet needs
    more than a gigabyte (a row pointer and a line buffer per row in every intermediate image), and a PNG or
    WebP is decoded at full size where a JPEG is decoded at reduced scale. Hence the side and aspect limits,
    and a memory estimate per format (images/cost.py) held to `max_decode_bytes`."""

    max_bytes: int  # decoded file size
    max_pixels: int  # width * height from the header
    decode_side: int  # the longer side is reduced to this before scanning
    max_side: int = 10_000  # either side, from the header
    max_aspect: float = 12.0  # longer side / shorter side
    max_decode_bytes: int = 48 << 20  # estimated peak memory of decoding one frame (images/cost.py)
    max_frames: int = 64  # frames of an animation that are decoded and scanned
    max_total_pixels: int = 16_000_000  # width * height * frames: every frame of an animation is decoded

    @classmethod
    def from_settings(cls, settings: Settings) -> ImageLimits:
        """The service's limits: requests, batches and pack examples all scan with these."""
        return cls(settings.max_image_bytes, settings.max_image_pixels, settings.image_decode_side,
                   max_side=settings.max_image_side, max_aspect=settings.max_image_aspect,
                   max_decode_bytes=settings.max_image_decode_mb << 20, max_frames=settings.max_image_frames,
                   max_total_pixels=settings.max_image_total_pixels)
