"""The memory a decode will need, estimated from the header alone (Pillow's `Image.open` reads no pixels).

Bytes per full-size pixel, from how Pillow and the codecs store a picture and how `decode._gray` turns it
into the grayscale picture that is scanned. Pillow keeps every multi-band mode (RGB, RGBA, LA, CMYK…) at
4 bytes a pixel and 1, L and P at 1; `_gray` then builds at most three 1-byte planes (gray, alpha,
inverted alpha) beside it. zxing-cpp needs about SCAN_BYTES per scanned (reduced) pixel: its binarised copy,
its downscaled pyramid and the inverted picture of the second pass. A still image's bitmap is released
before the scan; an animation's canvas is kept for the next frame. Peaks measured one image at a time
(bench/worst_case_bench.py) stay under these estimates.

- JPEG is decoded at reduced scale (DCT scaling, `draft`), straight to grayscale when it is YCbCr or L;
  a progressive JPEG also holds every DCT coefficient of the full image (2 bytes each, per component at its
  sampling) until the last scan.
- PNG, GIF and WebP are decoded at full size; an animated GIF or PNG keeps the previous canvas beside the
  current one (disposal), and libwebp's animation decoder keeps its own RGBA canvas.
"""

from __future__ import annotations

import math

from PIL import Image, JpegImagePlugin

SINGLE_BAND = frozenset({"1", "L", "P"})
ALPHA = frozenset({"RGBA", "LA", "PA", "La", "RGBa"})
SCAN_BYTES = 4
ROW_OVERHEAD = 64  # bytes per row and intermediate image: row pointers, line buffers (a 1 x N strip's cost)


def bytes_per_pixel(img: Image.Image) -> float:
    """Estimated peak bytes per full-size pixel of decoding any one frame of `img` to grayscale."""
    animated = is_animated(img)
    if img.format == "WEBP":
        return 4 + 4 + 4 + 3 + 1  # libwebp's canvas, the frame as bytes, Pillow's RGBA, gray planes, margin
    if img.mode in SINGLE_BAND and not animated:
        transparent = img.mode == "P" and "transparency" in img.info
        return 1 + (4 + 3 if transparent else 1) + 0.25  # a transparent palette goes through RGBA
    alpha = img.mode in ALPHA or "transparency" in img.info
    bpp = 4 + (3 if alpha or animated else 1) + 0.5  # a 4-byte bitmap and the gray planes, with some margin
    if animated:
        bpp += 4  # the previous canvas (GIF frames after the first are RGB/RGBA in Pillow)
    return bpp


def is_animated(img: Image.Image) -> bool:
    return getattr(img, "n_frames", 1) > 1


def jpeg_draft_size(width: int, height: int, side: int) -> tuple[int, int]:
    """The size libjpeg decodes at when asked for at most `side` (Pillow's `draft` picks 1/1…1/8 so that the
    result is still at least the requested size); decode._decode asks for exactly this."""
    k = math.ceil(max(width, height) / side)
    want_w, want_h = math.ceil(width / k), math.ceil(height / k)
    scale = min(width // want_w, height // want_h)
    s = next(s for s in (8, 4, 2, 1) if scale >= s)
    return math.ceil(width / s), math.ceil(height / s)


def jpeg_cost(img: JpegImagePlugin.JpegImageFile, side: int) -> int:
    width, height = img.size
    dw, dh = jpeg_draft_size(width, height, side)
    gray_direct = img.mode in ("L", "RGB", "YCbCr")
    scanned = dw * dh  # reduced further only when still longer than `side`
    cost = max(scanned * (1 if gray_direct else 4 + 1), scanned * SCAN_BYTES)
    if img.info.get("progressive") or img.info.get("progression"):
        # coefficient buffers at full size: luma (or each CMYK plane) at 1, chroma at its sampling
        components = img.layers
        sampling = JpegImagePlugin.get_sampling(img)  # 0 = 4:4:4, 1 = 4:2:2, 2 = 4:2:0, -1 unknown
        chroma = {0: 1.0, 1: 0.5, 2: 0.25}.get(sampling, 1.0) if components == 3 else 1.0
        planes = 1 + (components - 1) * chroma
        cost += int(width * height * planes * 2)
    return cost + dh * ROW_OVERHEAD


def decode_cost(img: Image.Image, side: int) -> int:
    """Estimated peak bytes of decoding one frame of the lazily opened `img` and reducing it to `side`."""
    if img.format == "JPEG" and isinstance(img, JpegImagePlugin.JpegImageFile):  # an MPO is one too
        return jpeg_cost(img, side)
    width, height = img.size
    factor = math.ceil(max(width, height) / side)
    scanned = math.ceil(width / factor) * math.ceil(height / factor)
    decoding = width * height * bytes_per_pixel(img)
    scanning = scanned * SCAN_BYTES + (width * height * 8 if is_animated(img) else 0)  # canvases stay
    return int(max(decoding, scanning)) + height * ROW_OVERHEAD * 4
