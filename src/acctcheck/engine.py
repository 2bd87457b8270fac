"""The engine: runs every check of a snapshot over one request and combines the findings into a decision.

Pure and synchronous, no HTTP: the API, the CLI, pack examples and bulk scans all call `validate`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import cast

from acctcheck.checks.base import CheckContext, RawFinding
from acctcheck.checks.registry import CHECKS
from acctcheck.contract import ACTION_RANK, Action, Decision, Finding, ValidateRequest, Verdict, construct_trusted
from acctcheck.geo.region import IpRegion
from acctcheck.images.model import ImageCode
from acctcheck.match.nesting import drop_nested
from acctcheck.packs.schema import Policy
from acctcheck.packs.snapshot import Snapshot

_RANK = ACTION_RANK
_DECISION: dict[int, Decision] = {0: "pass", 1: "review", 2: "reject"}


class _RandomPool:
    """Random bytes drawn from the OS 4 KiB at a time: one getrandom(2) call per request cost ~8% of the
    engine's time inside the service. Reset in a forked child, so two processes never share bytes."""

    def __init__(self) -> None:
        self._buf = b""
        self._pos = 0
        os.register_at_fork(after_in_child=self.reset)

    def reset(self) -> None:
        self._buf, self._pos = b"", 0

    def take(self, n: int) -> bytes:
        if self._pos + n > len(self._buf):
            self._buf, self._pos = os.urandom(4096), 0
        chunk = self._buf[self._pos:self._pos + n]
        self._pos += n
        return chunk


_POOL = _RandomPool()


# byte -> one base32 character (a-z, 2-7) from its low five bits: 256 is a multiple of 32, so uniform
_B32 = bytes(ord("abcdefghijklmnopqrstuvwxyz234567"[b & 31]) for b in range(256))


def new_decision_id() -> str:
    """16 lower-case base32 characters (a-z, 2-7) carrying 80 random bits: no '0', '1', '8' or '9', so a
    decision id can never look like a phone or ID number in logs that must not carry such numbers. Built with
    one bytes.translate: base64.b32encode is Python code and cost more than the rest of a clean request's
    bookkeeping."""
    return _POOL.take(16).translate(_B32).decode("ascii")


def effective_action(policy: Policy, raw: RawFinding, named: bool = False) -> Action:
    """The rule's action, overridden per category by the policy, and lowered to review when the method that
    found it is less certain than the policy requires for a reject (long homophones keep it). `named`: the
    field holds nothing but this hit (fills_field), so its field action does not apply."""
    rule = raw.rule.rule
    by_field = cast(dict[str, Action], rule.field_actions)  # image fields have no entry: the rule's action
    action = policy.category_actions.get(rule.category) or (rule.action if named else
                                                            by_field.get(raw.field, rule.action))
    if raw.floor is not None and _RANK[raw.floor] > _RANK[action]:
        action = raw.floor
    if action == "reject":
        certainty = raw.certainty
        if certainty is None:
            certainty = policy.method_certainty.get(raw.method, 1.0)
        if certainty < policy.reject_min_certainty:
            long_sound = (raw.certainty is None and raw.method in ("homophone", "pinyin")
                          and raw.syllables >= policy.sound_reject_min_syllables)  # a weak one (near sounds) is not
            if not long_sound:
                action = "review"
    if raw.cap is not None and _RANK[action] > _RANK[raw.cap]:
        action = raw.cap
    return action


def fills_field(value: str, span: tuple[int, int], slack: int) -> bool:
    """`value` holds little besides value[span]: at most `slack` letters, digits or Han characters around it
    (a bio that is only 湘西头条, or 湘西头条！)."""
    rest = 0
    for part in (value[:span[0]], value[span[1]:]):
        rest += sum(1 for c in part if c.isalnum())
        if rest > slack:
            return False
    return True


def _finding(raw: RawFinding, action: Action) -> Finding:
    rule = raw.rule.rule
    return Finding(
        category=rule.category,
        rule_id=rule.id,
        pack=raw.rule.pack,
        field=raw.field,
        span=raw.span,
        text=raw.text,
        matched=raw.matched,
        method=raw.method,
        article=rule.article,
        action=action,
        message=rule.message.format(matched=raw.matched, text=raw.text),
        box=raw.box,
    )


def _twin(out: list[Finding], raw: RawFinding) -> int:
    """Index of the finding of `raw`'s rule at its field and span, or -1. Findings are made in start order, so
    those at one span are the last ones made."""
    if raw.span is None:
        return -1
    for i in range(len(out) - 1, -1, -1):
        f = out[i]
        if f.span != raw.span:
            return -1
        if f.field == raw.field and f.rule_id == raw.rule.rule.id:
            return i
    return -1


def _start_order(raw: RawFinding) -> tuple[int, int]:
    """Findings in text order (longest first at equal starts); image findings, which have no span, first."""
    return (raw.span[0], -raw.span[1]) if raw.span is not None else (-1, 0)


def validate(
    snapshot: Snapshot,
    request: ValidateRequest,
    *,
    decision_id: str | None = None,
    ip_lookup: Callable[[str], IpRegion] | None = None,
    image_codes: Sequence[ImageCode] = (),
) -> Verdict:
    """`image_codes` are the codes the caller decoded from request.images (the engine never touches pixels)."""
    normalizer = snapshot.normalizer
    ctx = CheckContext(snapshot, request, [(name, normalizer.views(v)) for name, v in request.fields.items()],
                       image_codes)
    raws: list[RawFinding] = []
    for _, check in CHECKS:
        raws.extend(check(ctx))
    findings: list[Finding] = []
    shadow: list[Finding] = []
    raws.sort(key=_start_order)
    # a hit inside a longer hit of its field and category adds nothing (外交部 inside 中华人民共和国外交部)
    kept = drop_nested(raws, [r.span for r in raws], [(r.field, r.rule.rule.category) for r in raws])
    names = snapshot.policy.field_names
    for raw in kept:
        named = raw.named or (
            names is not None and raw.span is not None and raw.field in names.fields
            and raw.field in raw.rule.rule.field_actions and raw.rule.rule.category in names.categories
            and fills_field(getattr(request.fields, raw.field), raw.span, names.slack))
        action = effective_action(snapshot.policy, raw, named)
        out = shadow if raw.rule.shadow else findings
        twin = _twin(out, raw)
        if twin < 0:
            out.append(_finding(raw, action))
        elif _RANK[action] > _RANK[out[twin].action]:
            out[twin] = _finding(raw, action)  # one hit found twice (a bio's name read as a name): the stronger
    rank = max([_RANK[f.action] for f in findings]) if findings else 0
    region = ip_lookup(request.ip) if (ip_lookup is not None and request.ip) else None
    # Every value here is built by the engine from validated parts (Finding objects are validated as they
    # are made): construct without re-validating; the verdict is on every request's path.
    return construct_trusted(Verdict, {
        "decision": _DECISION[rank],
        "findings": findings,
        "shadow_findings": shadow,
        "labels": sorted(set(ctx.labels)),
        "ip_region": region,
        "rules_revision": snapshot.revision,
        "decision_id": decision_id or new_decision_id(),
        "degraded": False,
    })
