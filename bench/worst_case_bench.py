"""Worst accepted requests: CPU seconds and peak-RSS increase of each, on a real `acctcheck serve` (1 worker).

    PYTHONPATH=src .venv/bin/python bench/worst_case_bench.py [--repeat 3] [--only NAME]

Targets (issue 14): no accepted request raises the server's peak RSS by more than 64 MB or takes more than 2 s
of CPU. Each case is built to be as expensive as the limits allow (default settings, bundled rules) and must
be ACCEPTED (200); a case the service refuses is printed as such and does not count. Per request: the server
process's CPU time (utime + stime, all threads, /proc/PID/stat) and its peak RSS above the RSS before the
request (VmHWM after resetting it through /proc/PID/clear_refs, minus VmRSS before). Requests run one at a
time, each case `--repeat` times (the maximum is printed), after a warm-up. The baseline row is a one-field
request; the ratio column is each case's CPU against it.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.image_corpus
from tests.image_corpus import qr_image  # noqa: E402
from tests.support.processes import free_port  # noqa: E402

from acctcheck.images.decode import check_header  # noqa: E402
from acctcheck.images.model import ImageLimits  # noqa: E402
from acctcheck.settings import Settings  # noqa: E402

SETTINGS = Settings()
LIMITS = ImageLimits.from_settings(SETTINGS)
TICK = os.sysconf("SC_CLK_TCK")
MB = 1 << 20


# --- measuring the server process ---------------------------------------------------------------------------

def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def measure(client: httpx.Client, pid: int, path: str, body: bytes) -> tuple[int, float, float]:
    """(status, CPU seconds, peak RSS increase in MB) of one request."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS
    rss0 = status_kb(pid, "VmRSS")
    c0 = cpu_s(pid)
    r = client.post(path, content=body, headers={"content-type": "application/json"})
    time.sleep(0.05)  # let the worker thread finish its accounting
    return r.status_code, cpu_s(pid) - c0, (status_kb(pid, "VmHWM") - rss0) / 1024


# --- building the worst requests ----------------------------------------------------------------------------

def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def tiled_noise(size: tuple[int, int], mode: str, seed: int, tile: int = 48) -> Image.Image:
    """Noise that zxing must work through (binarisation, finder search everywhere) yet compresses: a random
    tile repeated, so a picture of millions of pixels fits the 2 MiB file limit."""
    rng = random.Random(seed)
    bands = len(mode) if mode not in ("1", "P") else 1
    piece = Image.frombytes("L" if bands == 1 else mode, (tile, tile),
                            bytes(rng.choice((0, 255)) for _ in range(tile * tile * bands)))
    out = Image.new(piece.mode, size)
    for y in range(0, size[1], tile):
        for x in range(0, size[0], tile):
            out.paste(piece, (x, y))
    return out.convert(mode) if out.mode != mode else out


def encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def accepted_header(data: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(data)) as img:
            check_header(img, LIMITS)
        return len(data) <= LIMITS.max_bytes
    except Exception:
        return False


def largest(make: Callable[[int, bool], bytes], lo: int, hi: int) -> bytes:
    """The image of the largest parameter in [lo, hi] that the service accepts. `make(p, real)` builds it:
    the header limits are searched with plain pictures (fast to encode; the header does not depend on the
    pixels), then the real noisy picture is built and shrunk while it is over the byte limit."""
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if accepted_header(make(mid, False)):
            lo = mid
        else:
            hi = mid - 1
    data = make(lo, True)
    while not accepted_header(data) and lo > 16:
        lo = int(lo * 0.93)
        data = make(lo, True)
    return data


def picture(size: tuple[int, int], mode: str, seed: int, real: bool, tile: int = 48) -> Image.Image:
    return tiled_noise(size, mode, seed, tile) if real else Image.new(mode, size, seed % 256)


def png_square(mode: str) -> bytes:
    return largest(lambda s, real: encode(picture((s, s), mode, 1, real), "PNG"), 512, 8000)


def png_strip(mode: str) -> bytes:
    aspect = int(LIMITS.max_aspect)
    return largest(lambda s, real: encode(picture((s * aspect, s), mode, 2, real), "PNG"), 64, 2000)


def webp_square() -> bytes:
    return largest(lambda s, real: encode(picture((s, s), "RGBA", 3, real), "WEBP", lossless=True, quality=0),
                   512, 5000)


def jpeg_square(progressive: bool) -> bytes:
    def make(s: int, real: bool) -> bytes:
        img = picture((s, s), "L", 4, real, tile=256).convert("RGB")
        return encode(img, "JPEG", quality=30, progressive=progressive, subsampling=0)
    return largest(make, 512, 5000 if progressive else 10_000)


def animation(fmt: str, frames: int | None = None) -> bytes:
    """Distinct frames of the largest side the frame and total-pixel limits allow: as many as fit, or
    `frames` of them."""
    def make(side: int, real: bool) -> bytes:
        n = frames or max(2, min(LIMITS.max_frames, LIMITS.max_total_pixels // (side * side)))
        mode = "L" if fmt == "GIF" else "RGB"  # GIF: no palette quantisation of every frame (minutes)
        pics = [picture((side, side), mode, 10 + i, real) for i in range(n)]
        extra = {"lossless": True, "quality": 0} if fmt == "WEBP" else {}
        return encode(pics[0], fmt, save_all=True, append_images=pics[1:], duration=50, loop=0, **extra)
    return largest(make, 64, 3000)


def qr_sheet() -> bytes:
    """Many dense QR codes (more than the 16 reported) whose payloads are long official names: every payload
    also runs through the text checks."""
    payload = ("外交部国务院新华社" * 60)[:300]
    code = qr_image(payload, module_px=4, border=2)
    cols = 5
    sheet = Image.new("RGB", (cols * code.width, 4 * code.height), "white")
    for i in range(20):
        sheet.paste(code, ((i % cols) * code.width, (i // cols) * code.height))
    return encode(sheet, "PNG", optimize=True)


# --- worst text -----------------------------------------------------------------------------------------------

def texts(n: int) -> dict[str, str]:
    """Candidate worst field values of n characters: dense official names, contact numbers in every style,
    pinyin, separators between every character, lookalikes, and plain CJK."""
    rng = random.Random(7)
    cjk = "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(n))
    return {
        "official names": ("外交部国务院公安部新华社人民日报" * n)[:n],
        "separated names": ("外.交.部/国-务-院 " * n)[:n],
        "pinyin": ("waijiaobu guowuyuan " * n)[:n],
        "digits in styles": ("①③⑧⓪⓪①③⑧⓪⓪⓪ 壹叁捌零零 vx:abc_12345 " * n)[:n],
        "urls and mails": ("www.a1.com x@y.cn qq123456789 " * n)[:n],
        "random CJK": cjk,
    }


def validate_body(fields: dict[str, str], images: dict[str, str] | None = None, **extra) -> bytes:
    body: dict = {"fields": fields, **extra}
    if images:
        body["images"] = images
    return json.dumps(body, ensure_ascii=False).encode()


def cases() -> list[tuple[str, str, bytes]]:
    n = SETTINGS.max_field_chars
    out: list[tuple[str, str, bytes]] = [("baseline: one short field", "/validate",
                                          validate_body({"nickname": "小明"}))]
    for name, text in texts(n).items():
        fields = {"nickname": text, "bio": text, "signature": text, "certification": text}
        professions = [text] * 32
        body = validate_body(fields, verified={"professions": professions})
        if len(body) > SETTINGS.max_body_bytes:
            body = validate_body(fields)
        out.append((f"4 fields x {n}: {name}", "/validate", body))
    images = {
        "PNG RGBA square": png_square("RGBA"),
        "PNG RGB square": png_square("RGB"),
        "PNG L square": png_square("L"),
        f"PNG RGBA strip 1:{int(LIMITS.max_aspect)}": png_strip("RGBA"),
        "WebP RGBA square": webp_square(),
        "JPEG baseline square": jpeg_square(False),
        "JPEG progressive square": jpeg_square(True),
        "GIF animation": animation("GIF"),
        f"GIF animation, {LIMITS.max_frames} frames": animation("GIF", LIMITS.max_frames),
        "APNG animation": animation("PNG"),
        "WebP animation": animation("WEBP"),
        "sheet of 20 QR codes": qr_sheet(),
    }
    for name, data in images.items():
        with Image.open(io.BytesIO(data)) as img:
            shape = f"{img.size[0]}x{img.size[1]} x{getattr(img, 'n_frames', 1)} {len(data) // 1024} KiB"
        one = b64(data)
        out.append((f"image: {name} ({shape}) as avatar and cover", "/validate",
                    validate_body({"nickname": "小明"}, {"avatar": one, "cover": one})))
    # batches at the work budget: text only (worst text), and images
    per_item = 4 * n
    text = texts(n)["official names"]
    items = [{"fields": {"nickname": text, "bio": text, "signature": text, "certification": text}}
             for _ in range(SETTINGS.max_batch_work // per_item)]
    out.append((f"batch: {len(items)} items x 4 x {n} chars", "/validate/batch",
                json.dumps({"items": items}, ensure_ascii=False).encode()))
    many = [{"fields": {"nickname": text[:SETTINGS.max_batch_work // SETTINGS.max_batch_items]}}
            for _ in range(SETTINGS.max_batch_items)]
    out.append((f"batch: {len(many)} items x {len(many[0]['fields']['nickname'])} chars", "/validate/batch",
                json.dumps({"items": many}, ensure_ascii=False).encode()))
    worst_image = b64(images["PNG RGBA square"])
    k = min(SETTINGS.max_batch_work // SETTINGS.batch_image_work,
            2 * (SETTINGS.max_batch_body_bytes // len(worst_image)))
    image_items = [{"fields": {"nickname": "小明"}, "images": {"avatar": worst_image}} for _ in range(k - 1)]
    body = json.dumps({"items": image_items}).encode()
    out.append((f"batch: {len(image_items)} items with a worst PNG", "/validate/batch", body))
    return out


# --- the run ------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", help="run only cases whose name contains this")
    args = parser.parse_args()
    built = time.monotonic()
    todo = [c for c in cases() if not args.only or args.only in c[0] or c[0].startswith("baseline")]
    print(f"built {len(todo)} requests in {time.monotonic() - built:.1f} s", flush=True)
    port = free_port()
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([sys.executable, "-m", "acctcheck", "serve", "--port", str(port), "--log-level",
                             "warning"], env={**os.environ, "ACCTCHECK_WATCH": "false"}, stdout=subprocess.DEVNULL,
                            stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        with httpx.Client(base_url=url, timeout=120) as client:
            for _ in range(3):  # warm-up: imports, thread pools, the allocator's first arenas
                measure(client, proc.pid, "/validate", validate_body({"nickname": "小明"}, {"avatar": b64(qr_sheet())}))
            print(f"{'case':<80} {'status':>6} {'body KiB':>8} {'CPU s':>7} {'ratio':>7} {'+peak RSS MB':>13}")
            base_cpu = None
            worst_cpu = worst_rss = 0.0
            for name, path, body in todo:
                results = [measure(client, proc.pid, path, body) for _ in range(args.repeat)]
                status = results[0][0]
                cpu = max(r[1] for r in results)
                rss = max(r[2] for r in results)
                if base_cpu is None:
                    base_cpu = max(cpu, 1 / TICK)
                print(f"{name:<80} {status:>6} {len(body) // 1024:>8} {cpu:>7.2f} {cpu / base_cpu:>6.0f}x "
                      f"{rss:>13.1f}", flush=True)
                if status == 200:
                    worst_cpu, worst_rss = max(worst_cpu, cpu), max(worst_rss, rss)
        print(f"\nworst accepted request: {worst_cpu:.2f} s CPU (target ≤ 2), +{worst_rss:.1f} MB peak RSS "
              f"(target ≤ 64); server RSS now {status_kb(proc.pid, 'VmRSS') / 1024:.0f} MB")
        return 0 if worst_cpu <= 2 and worst_rss <= 64 else 1
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
