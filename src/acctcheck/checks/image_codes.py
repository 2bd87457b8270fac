"""Codes found in images (rule kind `image_code`, Article 8(6) names QR codes first). Pure: the caller
decodes the images (acctcheck.images) and hands the codes over in CheckContext.image_codes.

A code is a finding of every `image_code` rule that covers its field and format. Its payload is also checked
like text — as the rule's `payload_as` field, by the term and contact checks — so a WeChat ID, a URL or an
official name inside the code is reported too, with the image field, the code's box and the whole payload as
`text` (`matched` says what matched inside it).
"""

from __future__ import annotations

from acctcheck.checks import contact, terms
from acctcheck.checks.base import Check, CheckContext, RawFinding
from acctcheck.images.model import ImageCode
from acctcheck.match.nesting import drop_nested
from acctcheck.packs.schema import ImageCodeRule
from acctcheck.packs.snapshot import CompiledRule, Snapshot, of_kind

PAYLOAD_CHECKS: tuple[Check, ...] = (terms.run, contact.run)  # the text checks a payload goes through
DEFAULT_PAYLOAD_FIELD = "bio"


def image_rules(snapshot: Snapshot) -> list[CompiledRule[ImageCodeRule]]:
    return [r for r in snapshot.rules if of_kind(r, ImageCodeRule)]


def image_formats(snapshot: Snapshot) -> frozenset[str]:
    """The code formats any rule of the snapshot reports: the only ones worth decoding."""
    return frozenset(f for r in image_rules(snapshot) for f in r.rule.formats)


def run(ctx: CheckContext) -> list[RawFinding]:
    codes = ctx.image_codes
    if not codes:
        return []
    account_type = ctx.request.account_type
    out: list[RawFinding] = []
    rules = image_rules(ctx.snapshot)
    for code in codes:
        payload_fields: set[str] = set()
        for compiled in rules:
            rule = compiled.rule
            if code.field not in rule.fields or account_type not in rule.account_types:
                continue
            if code.format not in rule.formats:
                continue
            out.append(RawFinding(compiled, code.field, None, code.payload, code.format, "qr_code", box=code.box))
            payload_fields.add(rule.payload_as)
        for as_field in sorted(payload_fields or {DEFAULT_PAYLOAD_FIELD}):
            out.extend(_payload_findings(ctx, code, as_field))
    return out


def _payload_findings(ctx: CheckContext, code: ImageCode, as_field: str) -> list[RawFinding]:
    """Run the text checks over the payload as if it were `as_field`, then move the hits into the image. Once
    spans are gone a nested hit cannot be told apart, so nested hits are dropped here, as the engine does for
    text fields."""
    views = ctx.snapshot.normalizer.views(code.payload)
    sub = CheckContext(ctx.snapshot, ctx.request, [(as_field, views)])
    found = [raw for check in PAYLOAD_CHECKS for raw in check(sub)]
    raws = drop_nested(found, [r.span for r in found], [r.rule.rule.category for r in found])
    out: list[RawFinding] = []
    seen: set[tuple[int, str]] = set()
    for raw in raws:
        key = (raw.rule.index, raw.matched)
        if key in seen:
            continue
        seen.add(key)
        out.append(RawFinding(raw.rule, code.field, None, code.payload, raw.matched, raw.method, raw.syllables,
                              box=code.box))
    return out

