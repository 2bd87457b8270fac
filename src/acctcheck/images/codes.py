"""Finding QR codes and barcodes in a prepared grayscale picture with zxing-cpp.

Two passes, measured (bench/image_bench.py): dark-on-light first, and the inverted picture only when nothing
was found (light-on-dark codes). 2-D detectors find any angle by themselves, so zxing-cpp's rotation retries
(needed for 1-D barcodes only) are asked for only when a 1-D format is wanted: half the time of its
all-options mode, with the same detection on the generated set. zxing-cpp's own downscaled pyramid stays on
(large codes in large pictures).
"""

from __future__ import annotations

import atexit
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import zxingcpp
from PIL import ImageOps

from acctcheck.images.decode import Prepared
from acctcheck.images.model import Box

MAX_CODES = 16  # per image: enough for any honest image, bounds the work a crafted one causes
MAX_PAYLOAD_CHARS = 4096  # a QR code holds at most 7089 digits; the text checks see the first 4096 chars
MATRIX = frozenset({"QRCode", "MicroQRCode", "RMQRCode", "Aztec", "DataMatrix", "PDF417", "MaxiCode"})


@dataclass(frozen=True, slots=True)
class FoundCode:
    payload: str
    box: Box
    format: str


@lru_cache(maxsize=32)
def _formats(names: frozenset[str]) -> zxingcpp.BarcodeFormats:
    return zxingcpp.barcode_formats_from_str(",".join(sorted(names)))


# zxing-cpp objects still alive when the interpreter shuts down make nanobind print "leaked …" lines on
# stderr (acctcheck lint scans the images of pack examples): drop the cached ones first
atexit.register(_formats.cache_clear)


def find_codes(picture: Prepared, formats: Iterable[str]) -> list[FoundCode]:
    """Every distinct code of the given formats, with its box in the original image's pixels."""
    names = frozenset(formats)
    if not names:
        return []
    fmts = _formats(names)
    rotate = not names <= MATRIX
    results = zxingcpp.read_barcodes(picture.gray, formats=fmts, try_rotate=rotate, try_downscale=True,
                                     try_invert=False)
    if not results:
        results = zxingcpp.read_barcodes(ImageOps.invert(picture.gray), formats=fmts, try_rotate=rotate,
                                         try_downscale=True, try_invert=False)
    out: list[FoundCode] = []
    seen: set[tuple[str, str, Box]] = set()
    for r in results:
        if not r.valid or not r.text:
            continue
        box = _box(r.position, picture)
        key = (r.format.name, r.text, box)
        if key in seen:
            continue
        seen.add(key)
        out.append(FoundCode(r.text[:MAX_PAYLOAD_CHARS], box, r.format.name))
        if len(out) >= MAX_CODES:
            break
    return out


def _box(position: zxingcpp.Position, picture: Prepared) -> Box:
    """Axis-aligned bounding box of the code's four corners, scaled back and clamped to the image."""
    pts = (position.top_left, position.top_right, position.bottom_right, position.bottom_left)
    s = picture.scale
    x0 = max(0, min(picture.width, int(min(p.x for p in pts) * s)))
    y0 = max(0, min(picture.height, int(min(p.y for p in pts) * s)))
    x1 = max(0, min(picture.width, round((max(p.x for p in pts) + 1) * s)))
    y1 = max(0, min(picture.height, round((max(p.y for p in pts) + 1) * s)))
    return (x0, y0, max(0, x1 - x0), max(0, y1 - y0))
