"""What the image layer hands the engine: decoded codes, already located. Pure data, no imaging imports."""

from __future__ import annotations

from dataclasses import dataclass

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
    """Per-image limits (from Settings): checked before the work they protect."""

    max_bytes: int  # decoded file size
    max_pixels: int  # width * height from the header
    decode_side: int  # the longer side is reduced to this before scanning
