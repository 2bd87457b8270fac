"""Codes found in images → raw findings, for the engine. Pure: no imaging library is imported here.

A code is a finding of every `image_code` rule that covers its field and format (Article 8(6) names QR codes
first). Its payload is also checked like text — as the rule's `payload_as` field, by the term and contact
families — so a WeChat ID, a URL or an official name inside the code is reported too, with the image field,
the code's box and the whole payload as `text` (`matched` says what matched inside it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from acctcheck.checks.base import CheckContext, RawFinding
from acctcheck.images.model import Box, ImageCode
from acctcheck.packs.schema import ImageCodeRule
from acctcheck.packs.snapshot import CompiledRule, Snapshot

PAYLOAD_FAMILIES = ("terms", "contact")  # the text families a payload goes through (registry names)
DEFAULT_PAYLOAD_FIELD = "bio"


@dataclass(frozen=True, slots=True)
class ImageRawFinding(RawFinding):
    """A raw finding located in an image: `span` is None, `box` says where the code is."""

    box: Box | None = None


def image_rules(snapshot: Snapshot) -> list[CompiledRule]:
    return [r for r in snapshot.rules if isinstance(r.rule, ImageCodeRule)]


def image_formats(snapshot: Snapshot) -> frozenset[str]:
    """The code formats any rule of the snapshot reports: the only ones worth decoding."""
    return frozenset(f for r in image_rules(snapshot) for f in r.rule.formats)


def code_findings(ctx: CheckContext, codes: Sequence[ImageCode]) -> list[RawFinding]:
    if not codes:
        return []
    from acctcheck.checks.registry import (
        CHECKS,  # late: the registry may one day list this module
    )

    families = [check for name, check in CHECKS if name in PAYLOAD_FAMILIES]
    account_type = ctx.request.account_type
    out: list[RawFinding] = []
    rules = image_rules(ctx.snapshot)
    for code in codes:
        payload_fields: set[str] = set()
        for compiled in rules:
            rule: ImageCodeRule = compiled.rule
            if code.field not in rule.fields or account_type not in rule.account_types:
                continue
            if code.format not in rule.formats:
                continue
            out.append(ImageRawFinding(compiled, code.field, None, code.payload, code.format, "qr_code",
                                       box=code.box))
            payload_fields.add(rule.payload_as)
        for as_field in sorted(payload_fields or {DEFAULT_PAYLOAD_FIELD}):
            out.extend(_payload_findings(ctx, code, as_field, families))
    return out


def _payload_findings(ctx: CheckContext, code: ImageCode, as_field: str, families: list) -> list[RawFinding]:
    """Run the text families over the payload as if it were `as_field`, then move the hits into the image."""
    views = ctx.snapshot.normalizer.views(code.payload)
    sub = CheckContext(ctx.snapshot, ctx.request, [(as_field, views)])
    raws = _outermost([raw for check in families for raw in check(sub)])
    out: list[RawFinding] = []
    seen: set[tuple[int, str]] = set()
    for raw in raws:
        key = (raw.rule.index, raw.matched)
        if key in seen:
            continue
        seen.add(key)
        out.append(ImageRawFinding(raw.rule, code.field, None, code.payload, raw.matched, raw.method,
                                   raw.syllables, box=code.box))
    return out


def _outermost(raws: list[RawFinding]) -> list[RawFinding]:
    """Once spans are gone a nested hit cannot be told apart: drop hits inside a longer one of its category
    (外交部 inside 中华人民共和国外交部), as the engine does for text fields."""
    def inside(f: RawFinding, k: RawFinding) -> bool:
        return (f.span is not None and k.span is not None and k is not f and k.span != f.span
                and k.rule.rule.category == f.rule.rule.category and k.span[0] <= f.span[0] and f.span[1] <= k.span[1])

    return [f for f in raws if not any(inside(f, k) for k in raws)]
