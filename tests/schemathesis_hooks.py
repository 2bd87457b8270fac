"""schemathesis hooks for tests/test_schemathesis.py (loaded through SCHEMATHESIS_HOOKS).

The two constraints of the contract that JSON Schema cannot state, so schema-valid generated data is valid:
- a 统一社会信用代码's 18th character is a check character (GB 32100, mod 31): a generated `uscc` that matches
  the documented pattern is given its correct check character;
- an avatar or cover is base64 of a JPEG, PNG, WebP or GIF file: a generated image string becomes a small
  real PNG (non-strings are left alone, so type errors are still sent).
Everything else is generated from the document as it stands.
"""

from __future__ import annotations

import base64
import io
import re
from typing import Any

import schemathesis

_USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$", re.IGNORECASE)


def with_check_character(code: str) -> str:
    from stdnum.cn.uscc import calc_check_digit

    head = code[:17].upper()
    return head + calc_check_digit(head)


def _png() -> str:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (16, 16), 255).save(buf, "PNG")
    return base64.b64encode(buf.getvalue()).decode()


PNG = _png()


def _fix(request: Any) -> None:
    images = request.get("images") if isinstance(request, dict) else None
    if isinstance(images, dict):
        for key in ("avatar", "cover"):
            if isinstance(images.get(key), str) and images[key]:
                images[key] = PNG
    verified = request.get("verified") if isinstance(request, dict) else None
    institution = verified.get("institution") if isinstance(verified, dict) else None
    uscc = institution.get("uscc") if isinstance(institution, dict) else None
    if isinstance(uscc, str) and _USCC.match(uscc):
        institution["uscc"] = with_check_character(uscc)


@schemathesis.hook
def map_body(context: Any, body: Any) -> Any:
    _fix(body)
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        for item in body["items"]:
            _fix(item)
    return body
