"""Safe image decoding: base64 → bytes → the grayscale pictures (one per distinct frame) to scan.

Every limit is checked before the work it protects: the encoded length before base64 decoding, the byte size
before parsing, and from the header alone (Pillow's `Image.open` is lazy) the sides, the aspect ratio,
width × height, the frame count and the estimated memory of the decode (images/cost.py) before a single
pixel is decompressed. Only JPEG, PNG (and APNG), WebP and GIF are opened; anything else is a client error,
never a 500. Every frame of an animation is decoded, since a code can sit on any of them; a frame identical to
one already seen is not scanned again.
"""

from __future__ import annotations

import binascii
import hashlib
import io
import math
import struct
from collections.abc import Iterator
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from acctcheck.images.cost import ALPHA, decode_cost, jpeg_draft_size
from acctcheck.images.model import ImageLimits

FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
_WHITESPACE = {ord(c): None for c in " \t\r\n"}
_DATA_URL = "data:"
_READ_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, MemoryError)
MB = 1 << 20


class ImageError(Exception):
    """A client error about one image; the API turns it into 413 (too large) or 422 (anything else)."""

    def __init__(self, status: int, error: str, message: str) -> None:
        self.status = status
        self.error = error
        self.message = message
        super().__init__(message)


def _too_large(message: str) -> ImageError:
    return ImageError(413, "image_too_large", message)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A picture to scan and how to map its coordinates back to the image the user uploaded."""

    gray: Image.Image
    width: int  # original size
    height: int
    scale: float  # original pixels per scanned pixel (≥ 1)
    frame: int = 0  # index in an animation


def decode_base64(data: str, max_bytes: int) -> bytes:
    """Standard base64 (line breaks allowed, a `data:image/...;base64,` prefix tolerated)."""
    bound = 4 * math.ceil(max_bytes / 3)
    if len(data) > 2 * bound + 1024:  # far too long even with line breaks: refuse without touching it
        raise _too_large(f"image is larger than {max_bytes} bytes")
    if data.startswith(_DATA_URL):
        head, sep, rest = data.partition(",")
        if not sep or not head.endswith(";base64"):
            raise ImageError(422, "invalid_base64", "a data URL must be data:<type>;base64,<data>")
        data = rest
    compact = data.translate(_WHITESPACE)
    if len(compact) > bound:
        raise _too_large(f"image is larger than {max_bytes} bytes")
    try:
        raw = binascii.a2b_base64(compact, strict_mode=True)
    except (binascii.Error, ValueError) as exc:
        raise ImageError(422, "invalid_base64", f"not valid base64: {exc}") from None
    if len(raw) > max_bytes:
        raise _too_large(f"image is larger than {max_bytes} bytes")
    if not raw:
        raise ImageError(422, "invalid_image", "image is empty")
    return raw


def configure(max_pixels: int) -> None:
    """Pillow's own bomb guard as a second line of defence (it is process-wide; ours is checked first).
    Set to twice our limit: Pillow warns between its limit and twice it, and an image we refuse anyway
    should not leave a warning behind."""
    Image.MAX_IMAGE_PIXELS = max_pixels * 2


def prepare(raw: bytes, limits: ImageLimits) -> Prepared:
    """The first frame only (what a still image is); `frames` gives every distinct frame."""
    return next(frames(raw, limits))


def frames(raw: bytes, limits: ImageLimits) -> Iterator[Prepared]:
    """Open lazily, check the header against every limit, then decode frame after frame to grayscale,
    skipping frames identical to an earlier one. Raises ImageError (413/422) before any pixel work when a
    limit is exceeded."""
    try:
        img = Image.open(io.BytesIO(raw), formats=FORMATS)
    except UnidentifiedImageError:
        raise ImageError(422, "unsupported_image", "not a JPEG, PNG, WebP or GIF image") from None
    except Image.DecompressionBombError:
        raise _too_large(f"image has more than {limits.max_pixels} pixels") from None
    except _READ_ERRORS as exc:
        raise ImageError(422, "invalid_image", f"image cannot be read: {exc}") from None
    with img:
        count = check_header(img, limits)
        seen: set[bytes] = set()
        for index in range(count):
            try:
                if index:
                    img.seek(index)
                picture = _decode(img, limits.decode_side, index)
                if index == count - 1:
                    img.close()  # the full-size bitmap is not needed while the last frame is scanned
            except Image.DecompressionBombError:
                raise _too_large(f"image has more than {limits.max_pixels} pixels") from None
            except _READ_ERRORS as exc:
                raise ImageError(422, "invalid_image", f"image is truncated or corrupt: {exc}") from None
            if count > 1:
                digest = hashlib.blake2b(picture.gray.tobytes(), digest_size=16).digest()
                if digest in seen:
                    continue
                seen.add(digest)
            yield picture


def check_header(img: Image.Image, limits: ImageLimits) -> int:
    """Every limit that the header alone decides; returns the number of frames to decode."""
    width, height = img.size
    if width <= 0 or height <= 0:
        raise ImageError(422, "invalid_image", "image has no pixels")
    if max(width, height) > limits.max_side:
        raise _too_large(f"image is {width}x{height}; a side may be at most {limits.max_side} pixels")
    if max(width, height) / min(width, height) > limits.max_aspect:
        raise _too_large(f"image is {width}x{height}; the longer side may be at most {limits.max_aspect:g} "
                         "times the shorter")
    if width * height > limits.max_pixels:
        raise _too_large(f"image is {width}x{height}, more than {limits.max_pixels} pixels")
    try:
        count = max(1, int(getattr(img, "n_frames", 1)))
    except _READ_ERRORS as exc:
        raise ImageError(422, "invalid_image", f"image cannot be read: {exc}") from None
    if count > limits.max_frames:
        raise _too_large(f"animation has {count} frames, more than {limits.max_frames}")
    if count > 1 and count * width * height > limits.max_total_pixels:
        raise _too_large(f"animation is {count} frames of {width}x{height}, more than "
                         f"{limits.max_total_pixels} pixels in all")
    need = decode_cost(img, limits.decode_side)
    if need > limits.max_decode_bytes:
        raise _too_large(f"decoding this {width}x{height} {img.format} needs about {math.ceil(need / MB)} MB, "
                         f"more than {limits.max_decode_bytes // MB} MB; send a smaller image or a baseline JPEG")
    return count


def _decode(img: Image.Image, side: int, index: int) -> Prepared:
    """Reduce by whole factors (box averaging, cheap) until the longer side is at most `side`: a fractional
    resample of a 16 MP picture costs more than decoding it."""
    width, height = img.size
    if img.format == "JPEG" and index == 0:
        # libjpeg decodes straight to grayscale, and with DCT scaling at 1/2, 1/4 or 1/8 when that still
        # leaves the requested size: the full-size colour bitmap is never built
        img.draft("L", jpeg_draft_size(width, height, side))
    img.load()
    gray = _gray(img)
    factor = math.ceil(max(gray.size) / side)
    if factor > 1:
        gray = gray.reduce(factor)
    return Prepared(gray, width, height, width / gray.width, index)


def _gray(img: Image.Image) -> Image.Image:
    """A new grayscale image; transparent pixels become white (a code drawn on a transparent background stays
    visible). Built from 1-byte planes: compositing in RGBA would add three 4-byte copies of the picture."""
    has_alpha = img.mode in ALPHA or (img.mode in ("P", "L", "RGB") and "transparency" in img.info)
    if not has_alpha:
        return img.convert("L")
    src = img if img.mode in ("RGBA", "LA") else img.convert("RGBA")
    gray = src.convert("L")
    alpha = src.getchannel("A")
    del src
    gray.paste(255, mask=ImageOps.invert(alpha))  # white where transparent, in proportion
    return gray
