"""Term families (official bodies, media, states, places, strict terms, misleading claims): every term and
compose rule, whatever its category, becomes a finding unless a verified institution is entitled to it."""

from __future__ import annotations

from acctcheck.checks.base import CheckContext, RawFinding
from acctcheck.checks.mentions import claim_floor, mention_cap
from acctcheck.checks.term_hits import TermHit
from acctcheck.contract import Action
from acctcheck.packs.schema import ComposeRule, TermsRule


def run(ctx: CheckContext) -> list[RawFinding]:
    out: list[RawFinding] = []
    rules = ctx.snapshot.rules
    mention = ctx.snapshot.policy.mention
    everyday = ctx.snapshot.policy.everyday_names
    for name, views in ctx.fields:
        hits = ctx.term_hits(name, views)
        if not hits:
            continue  # the usual field
        mentioned_until = -1  # end of the last name this field mentions
        for hit in sorted(hits, key=_start):
            rule = rules[hit.rule]
            if not isinstance(rule.rule, (TermsRule, ComposeRule)):
                continue
            if ctx.exempt(rule, hit.canonical, hit.key, head=hit.head):
                continue
            cap: Action | None = None
            floor: Action | None = None
            if mention is not None and mention.covers(rule.rule.category, name):
                value = views.value
                listed = 0 <= mentioned_until <= hit.start and not value[mentioned_until:hit.start].strip(
                    mention.list_joiners)
                cap, floor = ((mention.mention_action, None) if listed
                              else mention_cap(mention, value, hit.start, hit.end))
                if cap == mention.mention_action:
                    mentioned_until = max(mentioned_until, hit.end)
            elif mention is not None and name in mention.claim_fields and rule.rule.category in mention.categories:
                floor = claim_floor(mention, views.value, hit.start, hit.end)
            if everyday is not None and floor is None:
                cap = everyday.cap(name, rule.rule.id, views.value, (hit.start, hit.end)) or cap
            out.append(RawFinding(rule, name, (hit.start, hit.end), views.value[hit.start:hit.end],
                                  hit.name or hit.canonical, hit.method, hit.syllables, hit.certainty, cap,
                                  floor))
    return out


def _start(hit: TermHit) -> int:
    return hit.start
