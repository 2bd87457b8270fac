"""QR codes and barcodes in avatar/cover images (Article 8(6)): safe decoding and its limits, detection on a
generated image set, findings through the engine, and the HTTP contract on a real uvicorn server."""

from __future__ import annotations

import base64
import io
import random
import shutil
import struct
import subprocess
import sys
import textwrap
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageFile

from acctcheck.checks.image_codes import image_formats
from acctcheck.contract import ValidateRequest
from acctcheck.engine import validate
from acctcheck.images.decode import ImageError, decode_base64, prepare
from acctcheck.images.model import ImageLimits
from acctcheck.images.scan import FieldImageError, scan_images
from tests.conftest import RULES, Server, store_artifact
from tests.image_corpus import PAYLOADS, encode, negatives, photo, positives, qr_image

LIMITS = ImageLimits(max_bytes=2 << 20, max_pixels=25_000_000, decode_side=2400)
CORPUS_LIMITS = ImageLimits(max_bytes=8 << 20, max_pixels=25_000_000, decode_side=2400,  # big noisy PNGs,
                              max_decode_bytes=256 << 20)  # and a 2000² WebP: detection, not limits, is tested
# official-bodies (61M terms) is left out: it tripled every build here; the one test that needs an official
# name uses the session's build of all the bundled packs (`snapshot`)
PACKS = ("images.yaml", "contact.yaml", "policy.yaml")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def png_header_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A 100-byte PNG whose header claims width x height 1-bit pixels (IDAT deliberately short)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = chunk(b"IDAT", zlib.compress(b"\x00" * 64))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + idat + chunk(b"IEND", b"")


def real_bomb() -> bytes:
    """A genuine bomb: 36 million 1-bit pixels in a few kilobytes of PNG."""
    buf = io.BytesIO()
    Image.new("1", (6000, 6000), 1).save(buf, "PNG", optimize=True)
    return buf.getvalue()


def png(img: Image.Image) -> bytes:
    return encode(img, "PNG")


@pytest.fixture(scope="module")
def rules_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled images and contact packs and the policy (real files), independent of packs in progress."""
    root = tmp_path_factory.mktemp("rules")
    for name in PACKS:
        src = RULES / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, root / name)
    return root


@pytest.fixture(scope="module")
def snap(rules_dir: Path):
    """rules_dir built in this process, and stored as the artifact the `http` server loads instead of compiling
    the same packs again."""
    from acctcheck.ruleset import build_snapshot

    built = build_snapshot(rules_dir)
    store_artifact(rules_dir, built)
    return built


# --- decoding and limits -------------------------------------------------------------------------------------

def _err(fn, *args) -> ImageError:
    with pytest.raises(ImageError) as info:
        fn(*args)
    return info.value


@pytest.mark.parametrize("text", ["not base64!", "QUJ", "Q=UJD", "QUJDRA===", "Zm9v\x00", "中文", "data:image/png,abc"])
def test_malformed_base64_is_422(text: str) -> None:
    err = _err(decode_base64, text, LIMITS.max_bytes)
    assert (err.status, err.error) == (422, "invalid_base64")


def test_base64_with_line_breaks_and_data_url_prefix() -> None:
    raw = png(qr_image("x"))
    wrapped = "\n".join(textwrap.wrap(b64(raw), 76))
    assert decode_base64(wrapped, LIMITS.max_bytes) == raw
    assert decode_base64("data:image/png;base64," + b64(raw), LIMITS.max_bytes) == raw


def test_too_many_bytes_is_413_before_decoding() -> None:
    raw = b"\x00" * 5000
    assert _err(decode_base64, b64(raw), 4096).status == 413
    assert _err(decode_base64, "A" * 10_000_000, 4096).status == 413


@pytest.mark.parametrize("fmt", ["BMP", "TIFF", "ICO"])
def test_other_formats_are_422(fmt: str) -> None:
    buf = io.BytesIO()
    qr_image("x").save(buf, fmt)
    err = _err(prepare, buf.getvalue(), LIMITS)
    assert (err.status, err.error) == (422, "unsupported_image")


def test_garbage_is_422() -> None:
    assert _err(prepare, b"hello, not an image", LIMITS).status == 422


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF"])
def test_truncated_images_are_422(fmt: str) -> None:

    data = encode(photo((300, 300), random.Random(1)), fmt)
    err = _err(prepare, data[: len(data) // 2], LIMITS)
    assert err.status == 422, err.message


@pytest.mark.parametrize("make", [png_header_bomb, real_bomb])
def test_decompression_bombs_are_refused_before_decoding(make, monkeypatch: pytest.MonkeyPatch) -> None:
    """Refused from the header: no pixel is loaded (what that saves is measured by `bench/image_bench.py
    --bombs`, not asserted here)."""
    data = make()
    loads: list[str] = []
    for cls in (Image.Image, ImageFile.ImageFile):
        original = cls.load

        def spy(img: Image.Image, _original=original) -> object:
            loads.append(f"{img.format} {img.size}")
            return _original(img)

        monkeypatch.setattr(cls, "load", spy)
    err = _err(prepare, data, LIMITS)
    assert (err.status, err.error) == (413, "image_too_large")
    assert loads == []
    prepare(png(photo((300, 300), random.Random(1))), LIMITS)  # the spy does see an ordinary decode
    assert loads


def test_gif_first_frame_and_alpha() -> None:
    frames = [qr_image(PAYLOADS[0]).convert("P"), Image.new("P", qr_image(PAYLOADS[0]).size, 255)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=100)
    codes = scan_images([("avatar", b64(buf.getvalue()))], LIMITS, ["QRCode"])
    assert [c.payload for c in codes] == [PAYLOADS[0]]


def test_bad_image_names_its_field() -> None:
    good = b64(png(qr_image("x")))
    with pytest.raises(FieldImageError) as info:
        scan_images([("avatar", good), ("cover", "@@@")], LIMITS, ["QRCode"])
    assert info.value.field == "cover" and info.value.status == 422


# --- detection on the generated set --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def corpus() -> tuple[list, list]:
    return positives(), negatives()


@pytest.mark.slow
def test_every_generated_code_is_found(corpus, snap) -> None:
    formats = image_formats(snap)
    missed = []
    for case in corpus[0]:
        got = {c.payload for c in scan_images([("avatar", b64(case.data))], CORPUS_LIMITS, formats)}
        if got != case.payloads:
            missed.append((case.name, sorted(case.payloads), sorted(got)))
    assert not missed, missed


@pytest.mark.slow
def test_images_without_codes_produce_nothing(corpus, snap) -> None:
    formats = image_formats(snap)
    found = []
    for case in corpus[1]:
        codes = scan_images([("cover", b64(case.data))], CORPUS_LIMITS, formats)
        if codes:
            found.append((case.name, codes))
    assert not found, found


def test_box_locates_the_code() -> None:
    canvas = Image.new("RGB", (1000, 600), (200, 180, 160))
    code = qr_image(PAYLOADS[2]).resize((240, 240), Image.Resampling.NEAREST)
    canvas.paste(code, (600, 200))
    [found] = scan_images([("cover", b64(png(canvas)))], LIMITS, ["QRCode"])
    x, y, w, h = found.box
    inner = 4 * 8 * 240 / qr_image(PAYLOADS[2]).width  # the 4-module quiet zone, in pasted pixels
    assert abs(x - (600 + inner)) <= 6 and abs(y - (200 + inner)) <= 6
    assert abs(w - (240 - 2 * inner)) <= 8 and abs(h - w) <= 4


def test_downscaled_image_reports_box_in_original_pixels() -> None:
    canvas = Image.new("L", (4000, 3000), 230)
    canvas.paste(qr_image(PAYLOADS[0]).convert("L").resize((800, 800), Image.Resampling.NEAREST), (2400, 1600))
    limits = ImageLimits(8 << 20, 25_000_000, 1000)
    [found] = scan_images([("cover", b64(encode(canvas, "JPEG")))], limits, ["QRCode"])
    x, y, w, h = found.box
    assert 2400 <= x <= 2520 and 1600 <= y <= 1720 and 560 <= w <= 800 and 560 <= h <= 800


# --- findings through the engine -----------------------------------------------------------------------------

def _verdict(snap, avatar: bytes | None = None, cover: bytes | None = None, **extra):
    images = {k: b64(v) for k, v in (("avatar", avatar), ("cover", cover)) if v is not None}
    req = ValidateRequest.model_validate({"fields": {"nickname": "小美"}, "images": images, **extra})
    codes = scan_images(req.images.items(), LIMITS, image_formats(snap))
    return validate(snap, req, image_codes=codes)


def test_wechat_qr_in_avatar_is_rejected_with_payload(snap) -> None:
    payload = "加我微信 lucky_girl88 送福利"
    v = _verdict(snap, avatar=png(qr_image(payload)))
    assert v.decision == "reject"
    by_rule = {(f.pack, f.rule_id): f for f in v.findings}
    code = by_rule[("images", "qr-code")]
    assert (code.field, code.method, code.span, code.text, code.matched) == ("avatar", "qr_code", None, payload,
                                                                            "QRCode")
    assert code.category == "contact_smuggling" and code.article == "第八条第（六）项" and code.box is not None
    wechat = by_rule[("contact", "wechat")]
    assert (wechat.field, wechat.text, wechat.matched, wechat.box) == ("avatar", payload, "lucky_girl88", code.box)


def test_url_and_official_name_in_cover_code(snapshot) -> None:
    v = _verdict(snapshot, cover=png(qr_image("http://shop123.com/x 外交部官方客服")))
    found = {(f.field, f.category, f.matched) for f in v.findings}
    assert ("cover", "contact_smuggling", "QRCode") in found
    assert any(f == "cover" and c == "contact_smuggling" and "shop123.com" in m for f, c, m in found)
    assert ("cover", "official_impersonation", "外交部") in found


def test_plain_code_without_contact_is_still_a_finding(snap) -> None:
    v = _verdict(snap, avatar=png(qr_image("hello")))
    assert [(f.rule_id, f.text) for f in v.findings] == [("qr-code", "hello")]
    assert v.decision == "reject"


def test_two_images_two_codes(snap) -> None:
    v = _verdict(snap, avatar=png(qr_image("a1")), cover=png(qr_image("b2")))
    assert sorted((f.field, f.text) for f in v.findings if f.rule_id == "qr-code") == [("avatar", "a1"),
                                                                                     ("cover", "b2")]


def test_clean_avatar_passes(snap) -> None:

    v = _verdict(snap, avatar=encode(photo((512, 512), random.Random(3)), "JPEG"))
    assert v.decision == "pass" and v.findings == []


def test_text_findings_keep_span_and_no_box(snap) -> None:
    req = ValidateRequest.model_validate({"fields": {"nickname": "小美", "bio": "vx: abc_12345"}})
    [f] = validate(snap, req).findings
    assert f.span is not None and f.box is None


# --- HTTP: a real uvicorn server on loopback -----------------------------------------------------------------

@pytest.fixture(scope="module")
def http(rules_dir: Path, snap) -> Iterator[httpx.Client]:
    srv = Server(rules_dir, env={"ACCTCHECK_MAX_IMAGE_BYTES": str(512 * 1024), "ACCTCHECK_WATCH": "false"})
    try:
        srv.wait_ready()
        with httpx.Client(base_url=srv.url, timeout=30) as client:
            yield client
    finally:
        srv.stop()


def _post(client: httpx.Client, images: object, **fields: str) -> httpx.Response:
    return client.post("/validate", json={"fields": {"nickname": "小美", **fields}, "images": images})


@pytest.mark.slow
def test_http_qr_avatar_rejected(http: httpx.Client) -> None:
    r = _post(http, {"avatar": b64(png(qr_image(PAYLOADS[0])))})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["decision"] == "reject"
    code = next(f for f in body["findings"] if f["rule_id"] == "qr-code")
    assert code["field"] == "avatar" and code["text"] == PAYLOADS[0] and code["span"] is None
    assert len(code["box"]) == 4 and code["method"] == "qr_code"
    assert any(f["pack"] == "contact" and f["field"] == "avatar" for f in body["findings"])


@pytest.mark.slow
def test_http_clean_avatar_and_text_only(http: httpx.Client) -> None:

    r = _post(http, {"avatar": b64(encode(photo((400, 400), random.Random(5)), "JPEG"))})
    assert r.status_code == 200 and r.json()["decision"] == "pass"
    r = http.post("/validate", json={"fields": {"nickname": "小美"}})
    assert r.status_code == 200 and r.json()["decision"] == "pass"


def _error(r: httpx.Response, status: int, loc: list) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error", "message", "details"}
    assert body["details"][0]["loc"] == loc
    return body


@pytest.mark.slow
def test_http_bad_images_are_4xx_naming_the_field(http: httpx.Client) -> None:

    truncated = png(photo((300, 300), random.Random(2)))[:5000]
    big = encode(Image.effect_noise((800, 800), 100), "PNG")  # incompressible: ~640 kB > 512 KiB
    assert len(big) > 512 * 1024
    cases = [
        ({"avatar": "%%% not base64"}, 422, "invalid_base64", ["body", "images", "avatar"]),
        ({"cover": b64(truncated)}, 422, "invalid_image", ["body", "images", "cover"]),
        ({"avatar": b64(b"GIF89a but not really")}, 422, "unsupported_image", ["body", "images", "avatar"]),
        ({"avatar": b64(b"%PDF-1.7 hello")}, 422, "unsupported_image", ["body", "images", "avatar"]),
        ({"avatar": b64(png_header_bomb())}, 413, "image_too_large", ["body", "images", "avatar"]),
        ({"cover": b64(real_bomb())}, 413, "image_too_large", ["body", "images", "cover"]),
        ({"avatar": b64(big)}, 413, "image_too_large", ["body", "images", "avatar"]),
    ]
    for images, status, error, loc in cases:
        body = _error(_post(http, images), status, loc)
        assert body["error"] == error, (images.keys(), body)


@pytest.mark.slow
def test_http_image_shape_errors(http: httpx.Client) -> None:
    assert _post(http, {"avatar": 12}).status_code == 422
    assert _post(http, {"photo": "QUJD"}).status_code == 422  # unknown image key
    assert _post(http, ["QUJD"]).status_code == 422


@pytest.mark.slow
def test_http_text_only_body_keeps_its_limit(http: httpx.Client) -> None:
    r = http.post("/validate", json={"fields": {"nickname": "小美"}, "ip": None, "pad": "x" * 100_000})
    assert r.status_code == 413
    # a big body is only allowed for images
    r = http.post("/validate", json={"fields": {"nickname": "小美", "bio": "x" * 100_000}, "images": {}})
    assert r.status_code == 413


@pytest.mark.slow
def test_text_only_requests_never_load_imaging(rules_dir: Path, tmp_path: Path) -> None:
    """In a fresh interpreter, a text-only /validate neither imports Pillow/zxing-cpp nor starts image threads.
    (A rule set whose pack examples carry images loads them while it builds: the bundled images pack's examples
    are dropped from this copy.)"""
    import re

    shutil.copytree(rules_dir, tmp_path / "rules")
    rules_dir = tmp_path / "rules"
    pack = rules_dir / "images.yaml"
    pack.write_text(re.sub(r"\nexamples:\n.*?\n\.\.\.\n", "\n...\n", pack.read_text(encoding="utf-8"), flags=re.S),
                    encoding="utf-8")
    assert "images:" not in pack.read_text(encoding="utf-8")
    code = f"""
import sys, threading
from fastapi.testclient import TestClient
from acctcheck.service import create_app
from acctcheck.settings import Settings
with TestClient(create_app(Settings(rules_dir={str(rules_dir)!r}, watch=False))) as c:
    r = c.post("/validate", json={{"fields": {{"nickname": "小美", "bio": "vx: abc_12345"}}}})
    assert r.status_code == 200 and r.json()["decision"] == "reject", r.text
    assert "PIL" not in sys.modules and "zxingcpp" not in sys.modules, "imaging loaded"
    assert not [t for t in threading.enumerate() if t.name.startswith("acctcheck-image")]
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


def test_barcode_rule_drives_decoding_formats(tmp_path: Path) -> None:
    """1-D barcodes are only decoded when a pack lists their format; then they are found at 90° too."""
    import zxingcpp

    from acctcheck.ruleset import build_snapshot
    from tests.conftest import MINI_POLICY

    (tmp_path / "images.yaml").write_text(textwrap.dedent("""\
        schema_version: 1
        name: images
        version: "1"
        description: test
        rules:
          - {id: qr, kind: image_code, category: contact_smuggling, article: 第八条第（六）项, action: reject,
             message: "二维码：{text}", formats: [QRCode]}
          - {id: barcode, kind: image_code, category: contact_smuggling, article: 第八条第（六）项,
             action: inform, message: "条码：{text}", formats: [EAN13], fields: [cover]}
        ...
        """), encoding="utf-8")
    (tmp_path / "policy.yaml").write_text(MINI_POLICY, encoding="utf-8")
    snap = build_snapshot(tmp_path)
    assert image_formats(snap) == {"QRCode", "EAN13"}
    view = memoryview(zxingcpp.create_barcode("6901234567892", zxingcpp.BarcodeFormat.EAN13).to_image(scale=3))
    bar = Image.frombytes("L", (view.shape[1], view.shape[0]), view.tobytes()).rotate(90, expand=True)
    canvas = Image.new("L", (600, 600), 255)
    canvas.paste(bar, (200, 100))
    data = b64(png(canvas))
    assert scan_images([("cover", data)], LIMITS, ["QRCode"]) == []
    req = ValidateRequest.model_validate({"fields": {"nickname": "小美"}, "images": {"cover": data, "avatar": data}})
    v = validate(snap, req, image_codes=scan_images(req.images.items(), LIMITS, image_formats(snap)))
    assert [(f.rule_id, f.field, f.text, f.action) for f in v.findings] == [
        ("barcode", "cover", "6901234567892", "inform")]
    assert v.decision == "pass"


# --- bounded cost: header limits, animations, the decoding gate (issue 14) -------------------------------------

def png_header(width: int, height: int, color_type: int = 6, depth: int = 8) -> bytes:
    """A PNG whose IHDR claims width x height (RGBA by default) with a tiny, short IDAT: what an attacker
    sends to make a decoder allocate. A limit that holds refuses it from the header, before decoding."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 0)
    idat = chunk(b"IDAT", zlib.compress(b"\x00" * 64))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + idat + chunk(b"IEND", b"")


def test_strips_are_refused_from_the_header() -> None:
    """1 x 2,000,000 is far under the pixel limit, but a row per pixel costs more than the pixels (the issue's
    1 x 25,000,000 PNG took +430 MB): refused by the aspect ratio before decoding."""
    err = _err(prepare, png(Image.new("L", (1, 9000), 255)), LIMITS)
    assert err.status == 413 and "times the shorter" in err.message
    for w, h in [(1, 2_000_000), (12_000, 2_000)]:
        err = _err(prepare, png_header(w, h, 0), LIMITS)
        assert err.status == 413 and "at most 10000 pixels" in err.message


def test_decode_memory_is_estimated_from_the_header() -> None:
    """5000 x 5000 RGBA is exactly the pixel limit, but decoding it needs ~190 MB: refused before a pixel is
    decompressed (the IDAT is a few bytes, so a decoder that started would say 'truncated' instead)."""
    err = _err(prepare, png_header(5000, 5000), LIMITS)
    assert err.status == 413 and "needs about" in err.message and "MB" in err.message
    # a grayscale picture of the same size costs ~2 bytes a pixel: over the default budget too, under a larger
    err = _err(prepare, png_header(5000, 5000, 0), LIMITS)
    assert err.status == 413
    err = _err(prepare, png_header(5000, 5000, 0), ImageLimits(2 << 20, 25_000_000, 2400, max_decode_bytes=64 << 20))
    assert err.status == 422 and err.error == "invalid_image"  # it got as far as decoding: the IDAT is short


@pytest.mark.slow
def test_the_estimate_allows_ordinary_images() -> None:
    """What platforms send: 2400² RGBA PNG, 1080² avatars in every format, a 4000 x 3000 baseline JPEG."""

    rng = random.Random(3)
    for img, fmt in [(Image.new("RGBA", (2400, 2400), (0, 0, 0, 0)), "PNG"),
                     (photo((1080, 1080), rng), "PNG"), (photo((1080, 1080), rng), "WEBP"),
                     (photo((1080, 1080), rng), "GIF"), (photo((4000, 3000), rng), "JPEG")]:
        assert prepare(encode(img, fmt), LIMITS).gray.size[0] > 0, fmt


def _animation(fmt: str, frames: list[Image.Image], **extra) -> bytes:
    buf = io.BytesIO()
    frames[0].save(buf, fmt, save_all=True, append_images=frames[1:], duration=100, loop=0, **extra)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["GIF", "PNG", "WEBP"])
def test_codes_on_later_frames_are_found(fmt: str) -> None:
    """A blank first frame, the code on the third (GIF, APNG, animated WebP)."""
    code = qr_image(PAYLOADS[0]).convert("RGB")
    blank = Image.new("RGB", code.size, "white")
    grey = Image.new("RGB", code.size, (200, 200, 200))
    data = _animation(fmt, [blank, grey, code], **({"lossless": True} if fmt == "WEBP" else {}))
    assert Image.open(io.BytesIO(data)).n_frames == 3
    assert scan_images([("avatar", b64(data))], LIMITS, ["QRCode"])[0].payload == PAYLOADS[0]


def test_repeated_frames_are_scanned_once() -> None:
    from acctcheck.images.decode import frames

    a, b = Image.new("L", (300, 300), 255), Image.new("L", (300, 300), 0)
    data = _animation("GIF", [a, b, a, b, a, b])
    assert Image.open(io.BytesIO(data)).n_frames == 6
    assert [p.frame for p in frames(data, LIMITS)] == [0, 1]


def test_animation_budget() -> None:
    """Every frame is decoded, so frames x pixels is bounded; beyond it the image is refused, never passed
    with frames nobody looked at."""
    frames_ = [Image.new("L", (1000, 1000), 255 - i) for i in range(50)]
    err = _err(prepare, _animation("GIF", frames_), LIMITS)
    assert err.status == 413 and "50 frames" in err.message
    many = [Image.new("L", (20, 20), i) for i in range(70)]
    err = _err(prepare, _animation("GIF", many), LIMITS)
    assert err.status == 413 and "more than 64" in err.message


def test_the_gate_bounds_decoding_and_says_busy() -> None:
    """Requests beyond `workers` wait for a slot at most `wait_s`, then get ImagesBusy (a 503 in the API)."""
    import asyncio

    from acctcheck.images.scan import ImagesBusy, _gate, scan_images_async

    data = b64(png(qr_image(PAYLOADS[0])))

    async def main() -> None:
        gate = _gate(1)
        await gate.acquire()  # another request is decoding
        with pytest.raises(ImagesBusy):
            await scan_images_async([("avatar", data)], LIMITS, ["QRCode"], workers=1, wait_s=0.05)
        gate.release()
        codes = await scan_images_async([("avatar", data)], LIMITS, ["QRCode"], workers=1, wait_s=0.05)
        assert [c.payload for c in codes] == [PAYLOADS[0]]
        assert not gate.locked()

    asyncio.run(main())


@pytest.mark.slow
def test_http_image_room_is_only_for_images(http: httpx.Client) -> None:
    """A body may exceed max_body_bytes by the images' size, not by padding elsewhere."""
    avatar = b64(png(qr_image(PAYLOADS[0])))
    body = '{"fields": {"nickname": "小美"}, "images": {"avatar": "' + avatar + '"}' + " " * 200_000 + "}"
    r = http.post("/validate", content=body.encode(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and "without its images" in r.json()["message"], r.text
    escaped, wrapped = avatar.replace("/", "\\/"), "\\n".join(avatar[i:i + 76] for i in range(0, len(avatar), 76))
    pretty = '{"fields": {"nickname": "小美"}, "images": {"avatar": "' + escaped + '", "cover": "' + wrapped + '"}}'
    r = http.post("/validate", content=pretty.encode(), headers={"content-type": "application/json"})
    assert r.status_code == 200 and r.json()["decision"] == "reject", r.text  # escapes count as image bytes


@pytest.mark.slow
def test_http_later_frame_code_and_strip(http: httpx.Client) -> None:
    code = qr_image(PAYLOADS[0]).convert("RGB")
    data = _animation("GIF", [Image.new("RGB", code.size, "white"), code])
    r = _post(http, {"cover": b64(data)})
    assert r.status_code == 200 and r.json()["decision"] == "reject", r.text
    r = _post(http, {"avatar": b64(png(Image.new("1", (1, 400_000), 1)))})
    assert r.status_code == 413 and r.json()["error"] == "image_too_large"


def test_a_busy_gate_is_a_503_with_retry_after(snap) -> None:
    """The API's answer when no slot frees up in time: 503 images_busy + Retry-After (the client library counts
    a 503 as unavailable, so on_unavailable applies), not a queue without end."""
    import asyncio
    from types import SimpleNamespace

    from acctcheck.api.errors import ApiError
    from acctcheck.api.validate import scan_request_images
    from acctcheck.images.scan import _gate
    from acctcheck.settings import Settings

    settings = Settings(image_workers=1, image_wait_s=0.05, watch=False)
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(settings=settings)))
    req = ValidateRequest.model_validate({"fields": {"nickname": "小美"},
                                          "images": {"avatar": b64(png(qr_image(PAYLOADS[0])))}})

    async def main() -> ApiError:
        gate = _gate(1)
        await gate.acquire()
        try:
            with pytest.raises(ApiError) as info:
                await scan_request_images(request, req, snap)
        finally:
            gate.release()
        assert [c.payload for c in await scan_request_images(request, req, snap)] == [PAYLOADS[0]]
        return info.value

    err = asyncio.run(main())
    assert err.status == 503 and err.error == "images_busy" and err.headers == {"Retry-After": "1"}


@pytest.mark.slow
def test_pack_examples_carry_images(rules_dir: Path, tmp_path: Path) -> None:
    """A pack example may hold images, scanned as a request's are: the bundled images pack's QR example is
    judged on the code in the picture, so an example that expects the picture to pass refuses the pack. (With
    this module's packs: the contact pack judges the code; all of rules/ compiled twice as long.)"""
    from acctcheck.packs.errors import PackSetError
    from acctcheck.ruleset import build_snapshot

    rules = tmp_path / "rules"
    shutil.copytree(rules_dir, rules)
    pack = (rules / "images.yaml").read_text(encoding="utf-8")
    assert "images: {avatar:" in pack
    (rules / "images.yaml").write_text(pack.replace("    expect: [contact_smuggling]\n    note: a QR code",
                                                    "    expect: pass\n    note: a QR code", 1), encoding="utf-8")
    with pytest.raises(PackSetError) as err:
        build_snapshot(rules)
    assert any(i.file == "images.yaml" and i.field == "examples.0" for i in err.value.issues)
