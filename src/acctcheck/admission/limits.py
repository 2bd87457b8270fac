"""The size and text limits a request must fit before it is judged, and the refusals that name what broke them.

One set for every caller: POST /validate (both lanes), each item of /validate/batch, `acctcheck scan` and
`acctcheck check`, so that no path judges text another would refuse."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from acctcheck.admission.refusal import Refusal, where
from acctcheck.contract import ValidateRequest

if TYPE_CHECKING:
    from acctcheck.settings import Settings

Loc = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class AdmissionLimits:
    """ACCTCHECK_MAX_BODY_BYTES, ACCTCHECK_MAX_IMAGE_BYTES and ACCTCHECK_MAX_FIELD_CHARS, as admission uses them."""

    max_body_bytes: int = 64 * 1024
    max_image_bytes: int = 2 * 1024 * 1024
    max_field_chars: int = 512

    @classmethod
    def from_settings(cls, settings: Settings) -> AdmissionLimits:
        return cls(settings.max_body_bytes, settings.max_image_bytes, settings.max_field_chars)

    @property
    def body_with_images(self) -> int:
        """A body without images keeps max_body_bytes; one with images may add two base64 images to it."""
        return self.max_body_bytes + 2 * (4 * -(-self.max_image_bytes // 3) + 4096)

    @property
    def too_large_message(self) -> str:
        return (f"request body exceeds {self.max_body_bytes} bytes (not counting avatar and cover, each up to "
                f"{self.max_image_bytes} bytes before base64)")


def check_body_size(body: bytes, limits: AdmissionLimits) -> None:
    """Before parsing: a body beyond max_body_bytes must at least hold images to be read on."""
    if len(body) > limits.max_body_bytes and b'"images"' not in body:
        raise Refusal(413, "body_too_large", limits.too_large_message)


# an image value as it stands in the body: key, colon, and the whole JSON string (escapes included)
_IMAGE_VALUE = re.compile(rb'"(?:avatar|cover)"\s*:\s*"[^"\\]*(?:\\.[^"\\]*)*"')


def check_text_size(body: bytes, max_body_bytes: int) -> None:
    """The room a body gets for images is for the images: everything else (fields, whitespace, escapes) must
    fit max_body_bytes. Image values are measured in the body's own bytes (whatever escaping the client's
    encoder used); keys are unique and unknown keys are refused, so only the real images match."""
    if len(body) <= max_body_bytes:
        return
    images = sum(m.end() - m.start() for m in _IMAGE_VALUE.finditer(body))
    if len(body) - images > max_body_bytes:
        raise Refusal(413, "body_too_large", f"request body exceeds {max_body_bytes} bytes without its images")


def check_text(value: str, loc: list[str | int], max_chars: int) -> None:
    """Field limits and text a platform could never store: unpaired surrogates (also what undecodable bytes
    become when read with surrogateescape, from a file or a command-line argument)."""
    if len(value) > max_chars:
        raise Refusal(422, "field_too_long", f"{where(loc)} is longer than {max_chars} characters",
                      [{"loc": loc, "msg": f"at most {max_chars} characters", "type": "string_too_long"}])
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise Refusal(422, "invalid_text", f"{where(loc)} contains an unpaired surrogate",
                      [{"loc": loc, "msg": "unpaired surrogate", "type": "string_unicode"}]) from None


def check_request_text(req: ValidateRequest, max_chars: int, prefix: Loc) -> None:
    """Every free-text string of the request: the account fields and the verified professions (the verified
    name is checked by the institution check, the IP by its parser, images by base64)."""
    for name, value in req.fields.items():
        check_text(value, [*prefix, "fields", name], max_chars)
    if req.verified is not None:
        for i, code in enumerate(req.verified.professions):
            check_text(code, [*prefix, "verified", "professions", i], max_chars)
