"""Names a bio introduces (policy `name_slots`): 欢迎关注国际生态文明协会, 本号为上杭路派出所唯一官方账号, 由X主办.
The free-text rules find listed names only; the stretch a cue presents as the account's name is read again with
the nickname's rules (shapes, frames, one-edit spellings) and its hits are reported in the bio, at the rule's
own action, as the same name in the nickname would be."""

from __future__ import annotations

import dataclasses
import re

from acctcheck.checks import frames, terms
from acctcheck.checks.base import CheckContext, RawFinding
from acctcheck.normalize.bidi import CONTROLS

_AS = "nickname"  # the field whose rules read a presented name
_CONTROLS = re.compile("[" + CONTROLS + "]")


def run(ctx: CheckContext) -> list[RawFinding]:
    policy = ctx.snapshot.policy.name_slots
    if policy is None:
        return []
    out: list[RawFinding] = []
    normalizer = ctx.snapshot.normalizer
    for name, views in ctx.fields:
        if name not in policy.fields:
            continue
        value = views.value
        slots = policy.slots(value)
        if slots and _CONTROLS.search(value):
            continue  # reordered text: its own views judge it
        for s, e in slots:
            sub = CheckContext(ctx.snapshot, ctx.request, [(_AS, normalizer.views(value[s:e]))])
            for raw in (*terms.run(sub), *frames.run(sub)):
                if raw.rule.rule.category not in policy.categories:
                    continue
                assert raw.span is not None  # text findings have spans
                # a name the free-text rules found too is one finding: the engine keeps the stronger action
                out.append(dataclasses.replace(raw, field=name, span=(raw.span[0] + s, raw.span[1] + s), named=True))
    return out
