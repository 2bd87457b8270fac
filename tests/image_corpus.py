"""A generated image set for the QR tests and bench/image_bench.py: avatars and covers with codes (sizes,
angles, colours, inversion, tiny and multiple codes, several file formats) and images without any code
(photo-like noise, gradients, stripes, checkerboards, rendered text). Deterministic: seeded, no files."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field

import qrcode
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

PAYLOADS = (
    "https://u.wechat.com/EJ5mB3xQ9kT2",
    "vx: abc_12345",
    "http://shop123.com/item?id=42",
    "加我微信 lucky_girl88 送福利",
    "13800138000",
    "外交部官方客服",
    "weixin://contacts/profile/wxid_k2j3h4",
    "www.example.cn",
)


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes  # encoded file
    payloads: frozenset[str] = field(default_factory=frozenset)  # codes that must be found; empty = none
    size: tuple[int, int] = (0, 0)


def qr_image(payload: str, module_px: int = 8, fg: str | tuple = "black", bg: str | tuple = "white",
             border: int = 4) -> Image.Image:
    q = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=module_px, border=border)
    q.add_data(payload)
    q.make(fit=True)
    return q.make_image(fill_color=fg, back_color=bg).get_image().convert("RGB")


def photo(size: tuple[int, int], rng: random.Random) -> Image.Image:
    """Photo-like: blurred colour noise over a gradient with a few soft shapes, drawn small and enlarged (fast),
    plus full-resolution grain."""
    w, h = size
    small = (max(8, w // 4), max(8, h // 4))
    channels = [Image.effect_noise((max(4, w // 64), max(4, h // 64)), rng.uniform(30, 70)).resize(
        small, Image.Resampling.BICUBIC) for _ in range(3)]
    img = Image.blend(Image.merge("RGB", channels), Image.linear_gradient("L").resize(small).convert("RGB"), 0.35)
    draw = ImageDraw.Draw(img)
    sw, sh = small
    for _ in range(6):
        x, y = rng.randrange(sw), rng.randrange(sh)
        r = rng.randrange(max(2, min(sw, sh) // 12), max(4, min(sw, sh) // 4))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    img = img.filter(ImageFilter.GaussianBlur(1)).resize(size, Image.Resampling.BICUBIC)
    grain = Image.effect_noise(size, 12).convert("RGB")
    return Image.blend(img, grain, 0.08)


def paste_code(canvas: Image.Image, code: Image.Image, side: int, angle: float, at: tuple[int, int]) -> None:
    code = code.resize((side, side), Image.Resampling.NEAREST)
    if angle:
        mask = Image.new("L", code.size, 255).rotate(angle, expand=True, resample=Image.Resampling.BILINEAR)
        code = code.rotate(angle, expand=True, resample=Image.Resampling.BILINEAR, fillcolor="white")
        canvas.paste(code, at, mask)
    else:
        canvas.paste(code, at)


def encode(img: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    if fmt == "JPEG":
        img.convert("RGB").save(buf, "JPEG", quality=82)
    elif fmt == "WEBP":
        img.save(buf, "WEBP", quality=85)
    elif fmt == "GIF":
        img.convert("P", palette=Image.Palette.ADAPTIVE, colors=64).save(buf, "GIF")
    else:
        img.save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def _with_code(name: str, size: tuple[int, int], payload: str, code_side: int, angle: float, fmt: str,
               rng: random.Random, **qr_kw: object) -> Case:
    canvas = photo(size, rng)
    code = qr_image(payload, **qr_kw)  # type: ignore[arg-type]
    room_w = max(1, size[0] - int(code_side * 1.5))
    room_h = max(1, size[1] - int(code_side * 1.5))
    at = (rng.randrange(room_w), rng.randrange(room_h))
    paste_code(canvas, code, code_side, angle, at)
    return Case(name, encode(canvas, fmt), frozenset({payload}), size)


def positives(seed: int = 7) -> list[Case]:
    rng = random.Random(seed)
    out: list[Case] = []
    formats = ("PNG", "JPEG", "WEBP", "GIF")
    # sizes 128..2000, the code filling a good part of an avatar
    for i, side in enumerate((128, 256, 512, 1080, 2000)):
        for j, angle in enumerate((0, 15, 45, 90)):
            payload = PAYLOADS[(i + j) % len(PAYLOADS)]
            fmt = formats[(i + j) % len(formats)]
            out.append(_with_code(f"avatar{side}-rot{angle}-{fmt.lower()}", (side, side), payload,
                                  int(side * 0.7), angle, fmt, rng))
    # small codes: ~60 px inside a 1080 image, ~120 px inside a 2000 cover
    for k, payload in enumerate(PAYLOADS[:4]):
        out.append(_with_code(f"small60-in-1080-{k}", (1080, 1080), payload, 60 + 4 * k, 0, "PNG", rng))
        out.append(_with_code(f"small120-in-2000x1125-{k}", (2000, 1125), payload, 120, 0, "JPEG", rng))
    # inverted (light modules on dark) and coloured codes
    for k, side in enumerate((256, 1080)):
        out.append(_with_code(f"inverted-{side}", (side, side), PAYLOADS[k], int(side * 0.6), 0, "PNG", rng,
                              fg="white", bg="black"))
        out.append(_with_code(f"colour-{side}", (side, side), PAYLOADS[k + 2], int(side * 0.6), 0, "JPEG", rng,
                              fg=(20, 40, 120), bg=(250, 230, 120)))
        out.append(_with_code(f"inverted-rot30-{side}", (side, side), PAYLOADS[k + 4], int(side * 0.6), 30,
                              "PNG", rng, fg=(240, 240, 240), bg=(30, 30, 30)))
    # two codes in one image
    for side in (512, 1080, 2000):
        canvas = photo((side, side), rng)
        a, b = PAYLOADS[1], PAYLOADS[2]
        paste_code(canvas, qr_image(a), int(side * 0.4), 0, (side // 20, side // 20))
        paste_code(canvas, qr_image(b), int(side * 0.4), 10, (side // 2, side // 2))
        out.append(Case(f"two-codes-{side}", encode(canvas, "PNG"), frozenset({a, b}), (side, side)))
    # a code on a transparent background (PNG with alpha)
    rgba = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    code = qr_image(PAYLOADS[0]).convert("L")
    code = code.resize((300, 300), Image.Resampling.NEAREST)
    dark = ImageOps.invert(code)  # dark modules become opaque
    black = Image.new("RGBA", (300, 300), (0, 0, 0, 255))
    rgba.paste(black, (50, 50), dark)
    out.append(Case("transparent-png", encode(rgba, "PNG"), frozenset({PAYLOADS[0]}), (400, 400)))
    return out


def negatives(seed: int = 11) -> list[Case]:
    rng = random.Random(seed)
    out: list[Case] = []
    for side in (128, 256, 1080, 2000):
        out.append(Case(f"photo-{side}", encode(photo((side, side), rng), "JPEG"), size=(side, side)))
    out.append(Case("photo-cover-1920x1080", encode(photo((1920, 1080), rng), "WEBP"), size=(1920, 1080)))
    for side in (256, 1080):
        grad = Image.linear_gradient("L").resize((side, side))
        out.append(Case(f"gradient-{side}", encode(grad, "PNG"), size=(side, side)))
        radial = Image.radial_gradient("L").resize((side, side))
        out.append(Case(f"radial-{side}", encode(radial, "GIF"), size=(side, side)))
        for period in (4, 8, 16):
            stripes = Image.new("L", (side, side), 255)
            d = ImageDraw.Draw(stripes)
            for x in range(0, side, period):
                d.rectangle((x, 0, x + period // 2 - 1, side), fill=0)
            out.append(Case(f"stripes{period}-{side}", encode(stripes, "PNG"), size=(side, side)))
        check = Image.new("L", (side, side), 255)
        d = ImageDraw.Draw(check)
        cell = max(4, side // 32)
        for y in range(0, side, cell):
            for x in range(0, side, cell):
                if (x // cell + y // cell) % 2:
                    d.rectangle((x, y, x + cell - 1, y + cell - 1), fill=0)
        out.append(Case(f"checker-{side}", encode(check, "PNG"), size=(side, side)))
        noise = Image.effect_noise((side, side), 120).point(lambda v: 255 if v > 128 else 0)
        out.append(Case(f"binary-noise-{side}", encode(noise, "PNG"), size=(side, side)))
    for k, words in enumerate(("vx abc_12345", "http://shop123.com", "13800138000", "HELLO WORLD 2024")):
        img = photo((1080, 1080), rng)
        d = ImageDraw.Draw(img)
        d.text((60, 400), words, fill="black", font=ImageFont.load_default(size=90))
        out.append(Case(f"text-{k}", encode(img, "PNG"), size=(1080, 1080)))
    return out
