"""Safe image decoding: base64 → bytes → a grayscale picture small enough to scan.

Every limit is checked before the work it protects: the encoded length before base64 decoding, the byte size
before parsing, the header's width × height before a single pixel is decompressed (decompression bombs).
Only JPEG, PNG, WebP and GIF (first frame) are opened; anything else is a client error, never a 500.
"""

from __future__ import annotations

import binascii
import io
import math
import struct
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from acctcheck.images.model import ImageLimits

FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
_WHITESPACE = {ord(c): None for c in " \t\r\n"}
_DATA_URL = "data:"


class ImageError(Exception):
    """A client error about one image; the API turns it into 413 (too large) or 422 (anything else)."""

    def __init__(self, status: int, error: str, message: str) -> None:
        self.status = status
        self.error = error
        self.message = message
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Prepared:
    """The picture to scan and how to map its coordinates back to the image the user uploaded."""

    gray: Image.Image
    width: int  # original size
    height: int
    scale: float  # original pixels per scanned pixel (≥ 1)


def decode_base64(data: str, max_bytes: int) -> bytes:
    """Standard base64 (line breaks allowed, a `data:image/...;base64,` prefix tolerated)."""
    bound = 4 * math.ceil(max_bytes / 3)
    if len(data) > 2 * bound + 1024:  # far too long even with line breaks: refuse without touching it
        raise ImageError(413, "image_too_large", f"image is larger than {max_bytes} bytes")
    if data.startswith(_DATA_URL):
        head, sep, rest = data.partition(",")
        if not sep or not head.endswith(";base64"):
            raise ImageError(422, "invalid_base64", "a data URL must be data:<type>;base64,<data>")
        data = rest
    compact = data.translate(_WHITESPACE)
    if len(compact) > bound:
        raise ImageError(413, "image_too_large", f"image is larger than {max_bytes} bytes")
    try:
        raw = binascii.a2b_base64(compact, strict_mode=True)
    except (binascii.Error, ValueError) as exc:
        raise ImageError(422, "invalid_base64", f"not valid base64: {exc}") from None
    if len(raw) > max_bytes:
        raise ImageError(413, "image_too_large", f"image is larger than {max_bytes} bytes")
    if not raw:
        raise ImageError(422, "invalid_image", "image is empty")
    return raw


def configure(max_pixels: int) -> None:
    """Pillow's own bomb guard as a second line of defence (it is process-wide; ours is checked first)."""
    Image.MAX_IMAGE_PIXELS = max_pixels


def prepare(raw: bytes, limits: ImageLimits) -> Prepared:
    """Open lazily, check the header's size, then decode (JPEG straight at reduced scale) to grayscale."""
    try:
        img = Image.open(io.BytesIO(raw), formats=FORMATS)
    except UnidentifiedImageError:
        raise ImageError(422, "unsupported_image", "not a JPEG, PNG, WebP or GIF image") from None
    except Image.DecompressionBombError:
        raise ImageError(413, "image_too_large", f"image has more than {limits.max_pixels} pixels") from None
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        raise ImageError(422, "invalid_image", f"image cannot be read: {exc}") from None
    with img:
        width, height = img.size
        if width <= 0 or height <= 0:
            raise ImageError(422, "invalid_image", "image has no pixels")
        if width * height > limits.max_pixels:
            raise ImageError(413, "image_too_large",
                             f"image is {width}x{height}, more than {limits.max_pixels} pixels")
        try:
            return _decode(img, width, height, limits.decode_side)
        except Image.DecompressionBombError:
            raise ImageError(413, "image_too_large", f"image has more than {limits.max_pixels} pixels") from None
        except (OSError, SyntaxError, ValueError, EOFError, struct.error, MemoryError) as exc:
            raise ImageError(422, "invalid_image", f"image is truncated or corrupt: {exc}") from None


def _decode(img: Image.Image, width: int, height: int, side: int) -> Prepared:
    """Reduce by whole factors (box averaging, cheap) until the longer side is at most `side`: a fractional
    resample of a 16 MP picture costs more than decoding it."""
    longest = max(width, height)
    if img.format == "JPEG":
        # libjpeg decodes straight to grayscale, and with DCT scaling at 1/2, 1/4 or 1/8 when that still
        # leaves the requested size: the full-size colour bitmap is never built
        k = math.ceil(longest / side)
        img.draft("L", (math.ceil(width / k), math.ceil(height / k)))
    img.load()
    gray = _flatten(img)
    factor = math.ceil(max(gray.size) / side)
    if factor > 1:
        gray = gray.reduce(factor)
    return Prepared(gray, width, height, width / gray.width)


def _flatten(img: Image.Image) -> Image.Image:
    """Grayscale; transparent pixels become white (a code drawn on a transparent background stays visible)."""
    has_alpha = img.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
        img.mode in ("P", "L", "RGB") and "transparency" in img.info
    )
    if not has_alpha:
        return img.convert("L")
    rgba = img.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, rgba).convert("L")
