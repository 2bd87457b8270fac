"""Professional titles (Articles 7 and 11): a title in the account information must belong to a profession
the platform verified. A verified title in a regulated field (medical, legal, finance, education) adds the
domain label the platform shows as its 专门标识; an unverified or wrong one is a finding."""

from __future__ import annotations

from collections import defaultdict

from acctcheck.checks.base import CheckContext, RawFinding
from acctcheck.checks.mentions import mention_cap
from acctcheck.checks.term_hits import TermHit
from acctcheck.contract import ACTION_RANK, Action
from acctcheck.match.nesting import drop_nested
from acctcheck.normalize.chars import CharFolder, Kind
from acctcheck.packs.schema import ProfessionRule, ProfessionServicePolicy
from acctcheck.packs.snapshot import CompiledRule, of_kind


def _named_job(service: ProfessionServicePolicy, folder: CharFolder, field: str, value: str, span: tuple[int, int],
               group: list[tuple[TermHit, CompiledRule[ProfessionRule]]]) -> bool:
    """A title that only names the person's job (policy profession_service): typed as it is written, in a field
    where that informs, not the police's or the press's, not a rank claimed in a name, not followed by a verb
    that makes the account a content account (李医生说健康)."""
    title = value[span[0]:span[1]]
    return (field in service.fields
            # written as listed: 李醫生, 律-师, a joke or letters for the title (叫兽, lvshi, lv师, 王cpa, ＣＰＡ)
            # and an invisible character anywhere in the field are evasions, and an evaded title is meant
            and all(h.method == "exact" and not _evaded(title, h.canonical) for h, _ in group)
            and not any(folder(c).kind == Kind.INVISIBLE for c in value)
            and not any(c.rule.code in service.always_codes for _, c in group)
            and not (field in service.ranked_fields and any(r in title for r in service.ranked))
            and not value[span[1]:].lstrip().startswith(tuple(service.speaking)))


def _evaded(title: str, canonical: str) -> bool:
    """A title written as something other than its listed name: letters for it (lvshi, lv师, 王cpa, ＣＰＡ) or a joke
    homophone (叫兽 for 教授, 大状 for 律师). A longer form holding the name (二级心理咨询师) is the name, and an
    abbreviation as the profession writes it (CPA, CFA) is how it is named."""
    return title != canonical and canonical not in title and not (title.isascii() and title.isupper())


def _entitled(rule: ProfessionRule, verified: set[str]) -> bool:
    return rule.code in verified or not verified.isdisjoint(rule.satisfied_by)


def run(ctx: CheckContext) -> list[RawFinding]:
    verified = set(ctx.request.verified.professions) if ctx.request.verified else set()
    rules = ctx.snapshot.rules
    mention = ctx.snapshot.policy.mention
    service = ctx.snapshot.policy.profession_service
    uncued: Action | None = None
    asked = False  # whether `uncued` was decided: only a request with a title pays for the cue scan
    out: list[RawFinding] = []
    for name, views in ctx.fields:
        hits = [(h, c) for h in ctx.term_hits(name, views) if of_kind(c := rules[h.rule], ProfessionRule)]
        if not hits:
            continue  # the usual field: no title in it
        by_span: dict[tuple[int, int], list[tuple[TermHit, CompiledRule[ProfessionRule]]]] = defaultdict(list)
        # a title inside a longer title is part of it (医师 in 兽医师, 医生 in 牙科医生): the longer one decides,
        # whatever its code, so a verified veterinarian is not asked for a physician's licence
        for hit, compiled in drop_nested(hits, [(h.start, h.end) for h, _ in hits]):
            by_span[(hit.start, hit.end)].append((hit, compiled))
        for span, group in by_span.items():
            entitled = [c for _, c in group if _entitled(c.rule, verified)]
            if entitled:  # one title listed under several codes: any verified one covers it
                ctx.labels.extend(c.rule.domain for c in entitled if c.rule.regulated and not c.shadow)
                continue
            # a claimed title keeps its own action (review: the platform asks for the credential)
            cap: Action | None = None
            if mention is not None and mention.covers("profession_unverified", name):
                cap, _ = mention_cap(mention, views.value, span[0], span[1])  # 老公是人民警察, 周末去看医生
            if not asked:  # no service offered anywhere in the information: a named job informs
                asked = True
                uncued = (service.uncued_action if service is not None and not verified
                          and not service.offered([v.value for _, v in ctx.fields]) else None)
            if uncued is not None and (cap is None or ACTION_RANK[cap] > ACTION_RANK[uncued]) and _named_job(
                    service, ctx.snapshot.normalizer.folder, name, views.value, span, group):  # type: ignore[arg-type]
                cap = uncued
            for hit, compiled in group:
                out.append(RawFinding(compiled, name, span, views.value[span[0]:span[1]], hit.canonical,
                                      hit.method, hit.syllables, cap=cap))
    return out
