"""Image bench: detection rate on the generated set (tests/image_corpus.py) and milliseconds per image by size.

    PYTHONPATH=src python bench/image_bench.py [--repeat 5] [--bombs]

Times are one thread, median of --repeat runs: `decode` = base64 + header checks + pixel decoding + grayscale +
downscale; `scan` = zxing-cpp over the formats of rules/images.yaml. The same function the API runs on its
image thread pool (acctcheck.images.scan.scan_one).
"""

from __future__ import annotations

import argparse
import base64
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.image_corpus

from PIL import Image  # noqa: E402
from tests.image_corpus import (  # noqa: E402
    PAYLOADS,
    encode,
    negatives,
    paste_code,
    photo,
    positives,
    qr_image,
)

from acctcheck.images.codes import find_codes  # noqa: E402
from acctcheck.images.decode import configure, decode_base64, prepare  # noqa: E402
from acctcheck.images.model import ImageLimits  # noqa: E402
from acctcheck.packs.loader import load_dir  # noqa: E402
from acctcheck.packs.schema import ImageCodeRule  # noqa: E402

BIG = 1 << 30  # bytes: the bench measures pixels, not the request limits (file size, decode memory)


def pack_formats() -> frozenset[str]:
    """Formats of the images pack, read from rules/images.yaml alone (other packs may be mid-edit)."""
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(ROOT / "rules" / "images.yaml", tmp)
        loaded = load_dir(Path(tmp))
    return frozenset(f for p in loaded.packs for r in p.pack.rules if isinstance(r, ImageCodeRule) for f in r.formats)


def timed(data: bytes, limits: ImageLimits, formats: frozenset[str], repeat: int) -> tuple[float, float, set[str]]:
    text = base64.b64encode(data).decode()
    dec, scan = [], []
    found: set[str] = set()
    for _ in range(repeat):
        t0 = time.perf_counter()
        picture = prepare(decode_base64(text, limits.max_bytes), limits)
        t1 = time.perf_counter()
        found = {c.payload for c in find_codes(picture, formats)}
        t2 = time.perf_counter()
        dec.append((t1 - t0) * 1000)
        scan.append((t2 - t1) * 1000)
    return statistics.median(dec), statistics.median(scan), found


def detection(formats: frozenset[str], side: int) -> None:
    limits = ImageLimits(BIG, 25_000_000, side, max_decode_bytes=BIG)
    pos, neg = positives(), negatives()
    hits = [c.name for c in pos if {x.payload for x in find_codes(prepare(c.data, limits), formats)} == c.payloads]
    false = [c.name for c in neg if find_codes(prepare(c.data, limits), formats)]
    missed = sorted({c.name for c in pos} - set(hits))
    print(f"detection (decode_side={side}): {len(hits)}/{len(pos)} images with codes fully decoded "
          f"({100 * len(hits) / len(pos):.1f}%), {len(false)}/{len(neg)} code-free images with a false code"
          + (f"; missed: {missed}" if missed else "") + (f"; false: {false}" if false else ""))


def by_size(formats: frozenset[str], repeat: int) -> None:
    rng = random.Random(5)
    all_formats = formats | {"EAN13", "EAN8", "UPCA", "UPCE", "Code128", "Code39", "Code93", "Codabar", "ITF"}
    print("\nms per image (median), one thread")
    print(f"{'image':34} {'bytes':>9} {'side':>6} {'decode':>8} {'scan':>8} {'total':>8}  found")
    for size, fmt in (((256, 256), "PNG"), ((256, 256), "JPEG"), ((1080, 1080), "PNG"), ((1080, 1080), "JPEG"),
                      ((4000, 4000), "JPEG")):
        for label, code_side in (("qr", size[0] // 3), ("no code", 0)):
            img = photo(size, rng)
            if code_side:
                paste_code(img, qr_image(PAYLOADS[0]), code_side, 0, (size[0] // 2, size[1] // 2))
            data = encode(img, fmt)
            sides = (1600, 2400, 100_000) if max(size) > 1600 else (2400,)
            for side in sides:
                limits = ImageLimits(BIG, 25_000_000, side, max_decode_bytes=BIG)
                d, s, found = timed(data, limits, formats, repeat)
                name = f"{size[0]}x{size[1]} {fmt} {label}"
                print(f"{name:34} {len(data):>9} {side if side < 100_000 else 'full':>6} {d:8.1f} {s:8.1f} "
                      f"{d + s:8.1f}  {len(found)}")
            if code_side == 0 and size[0] == 1080:
                _, s_all, _ = timed(data, ImageLimits(BIG, 25_000_000, 2400, max_decode_bytes=BIG), all_formats, repeat)
                print(f"{'  (same, + all 1-D formats)':34} {'':>9} {'':>6} {'':>8} {s_all:8.1f}")


def small_codes_in_big_images(formats: frozenset[str]) -> None:
    """Where downscaling costs detection: a small code in a 4000x3000 photo, by the code's side in pixels."""
    rng = random.Random(9)
    print("\nsmall code in a 4000x3000 JPEG: found at decode_side")
    sides = (1000, 1600, 2400, 100_000)
    print(f"{'code px':>8} " + " ".join(f"{s if s < 100_000 else 'full':>6}" for s in sides))
    base = photo((4000, 3000), rng)
    for code_px in (80, 120, 160, 240, 400):
        img = base.copy()
        paste_code(img, qr_image(PAYLOADS[2]), code_px, 0, (2500, 1800))
        data = encode(img, "JPEG")
        row = []
        for side in sides:
            found = find_codes(prepare(data, ImageLimits(BIG, 25_000_000, side, max_decode_bytes=BIG)), formats)
            row.append("yes" if any(c.payload == PAYLOADS[2] for c in found) else "no")
        print(f"{code_px:>8} " + " ".join(f"{r:>6}" for r in row))


def bombs(repeat: int) -> None:
    """Decompression bombs are refused from the header (tests/test_images.py checks that no pixel is loaded):
    what refusing one costs, as a ratio to decoding an ordinary 300x300 PNG photo measured in the same run."""
    import io
    import struct
    import zlib

    from acctcheck.images.decode import ImageError

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header_bomb = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 50_000, 50_000, 1, 0, 0, 0, 0))
                   + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))
    buf = io.BytesIO()
    Image.new("1", (6000, 6000), 1).save(buf, "PNG", optimize=True)
    limits = ImageLimits(2 << 20, 25_000_000, 2400)
    previous = Image.MAX_IMAGE_PIXELS
    configure(limits.max_pixels)  # as the service sets Pillow's own guard

    def median_ms(data: bytes, refused: bool) -> float:
        runs = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            try:
                prepare(data, limits)
                assert not refused
            except ImageError:
                assert refused
            runs.append((time.perf_counter() - t0) * 1000)
        return statistics.median(runs)

    baseline = median_ms(encode(photo((300, 300), random.Random(1)), "PNG"), refused=False)
    print(f"\nbombs refused (median ms; ratio to decoding a 300x300 PNG photo, {baseline:.2f} ms, this run)")
    for name, data in (("50000x50000 PNG header", header_bomb), ("6000x6000 1-bit PNG", buf.getvalue())):
        ms = median_ms(data, refused=True)
        print(f"  {name:28} {len(data):>7} bytes {ms:8.3f} ms  x{ms / baseline:.3f}")
    Image.MAX_IMAGE_PIXELS = previous


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--bombs", action="store_true", help="only the decompression-bomb refusal costs")
    args = ap.parse_args()
    configure(25_000_000)
    Image.MAX_IMAGE_PIXELS = 25_000_000
    if args.bombs:
        bombs(args.repeat)
        return
    formats = pack_formats()
    print(f"formats (rules/images.yaml): {', '.join(sorted(formats))}")
    for side in (1000, 1600, 2400):
        detection(formats, side)
    by_size(formats, args.repeat)
    small_codes_in_big_images(formats)
    bombs(args.repeat)


if __name__ == "__main__":
    main()
