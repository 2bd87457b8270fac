"""Institution names (Article 7): an institutional account's name must be its verified registered name, or
that name's brand core, and must not carry nature words (银行, 医院, 协会, 新闻…) its kind does not fit.

Both names are reduced to a core by stripping, from the end, what registered names carry and account names
drop (legal forms 有限公司, industry words 科技) or add (decorations 官方, 旗舰店), and leading region names
(北京, 深圳市); bracketed parts (（深圳）, （普通合伙）) are dropped first. The cores are scored with rapidfuzz.
Only runs when the platform verified the institution: without a registered name there is nothing to compare."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import fuzz

from acctcheck.checks.base import CheckContext, RawFinding
from acctcheck.contract import VerifiedInstitution
from acctcheck.match.nesting import drop_nested
from acctcheck.packs.schema import InstitutionNameRule, InstitutionNatureRule
from acctcheck.packs.snapshot import CompiledRule, InstitutionWords, of_kind

_BRACKETS = re.compile(r"[（(【\[][^（()）【】\[\]]*[)）】\]]")
_SUFFIX_ROLES = ("legal_form", "branch", "industry", "decoration")
Words = InstitutionWords  # role -> folded word -> folded canonical (compiled by packs/compiler.py)
_NONE: dict[str, str] = {}
_MAX_WORD = 24  # no listed word is longer (克孜勒苏柯尔克孜自治州 is 11): bounds the work per name


@dataclass(frozen=True, slots=True)
class Core:
    text: str
    regions: frozenset[str]  # canonical names of the leading regions stripped (北京市, 朝阳区)


def _longest(words: dict[str, str], text: str, *, prefix: bool, keep: int) -> int:
    """Length of the longest word that text starts (prefix) or ends with, leaving at least `keep` chars."""
    for n in range(min(len(text) - keep, _MAX_WORD), 0, -1):
        if (text[:n] if prefix else text[-n:]) in words:
            return n
    return 0


def name_core(fold: Callable[[str], str], value: str, words: Words, min_core: int) -> Core:
    """The brand core of a name: 北京字节跳动科技有限公司 → 字节跳动, 字节跳动官方旗舰店 → 字节跳动, but
    北京大学 stays whole (大学 alone is generic) and 深圳市腾讯计算机系统有限公司 → 腾讯."""
    text = fold(_BRACKETS.sub("", value)) or fold(value)
    regions: set[str] = set()
    region_words, generic = words.get("region", _NONE), words.get("generic", _NONE)
    while True:
        best, role = max((_longest(words.get(r, _NONE), text, prefix=False, keep=min_core), r) for r in _SUFFIX_ROLES)
        if best:
            text = text[:-best]
            if role == "branch" and (n := _longest(region_words, text, prefix=False, keep=min_core)):
                regions.add(region_words[text[-n:]])  # 中国工商银行股份有限公司北京分行: the branch's city
                text = text[:-n]
            continue
        n = _longest(region_words, text, prefix=True, keep=min_core)
        if not n or text[n:] in generic:
            return Core(text, frozenset(regions))
        regions.add(region_words[text[:n]])
        text = text[n:]


def _other_region(account: Core, registered: Core) -> bool:
    return bool(account.regions and registered.regions and account.regions.isdisjoint(registered.regions))


def similarity(account: Core, registered: Core, words: Words) -> float:
    """0-100. Two names of different regions are different institutions (上海交通大学, 西安交通大学). Otherwise
    the whole-core ratio, or partial_ratio when the shorter core is a real name rather than a bare region or
    generic word: 字节 ~ 字节跳动 and 腾讯视频 ~ 腾讯, but 中国 (left of 中国银行) is no evidence for 中国工商."""
    if _other_region(account, registered):
        return 0.0
    a, r = account.text, registered.text
    score = fuzz.ratio(a, r)
    shorter = min(a, r, key=len)
    if len(shorter) >= 2 and not any(shorter in w for w in words.values()):
        score = max(score, fuzz.partial_ratio(a, r))
    return score


def _brand_of(account: Core, registered: Core, registered_key: str, words: Words) -> bool:
    """The account core starts with a brand listed for a name the registered name contains (央视新闻: 央视 of
    中央广播电视总台; 工行 of 中国工商银行, so also of its 北京分行). Brands are operator data: they cannot be
    derived from the registered name."""
    if _other_region(account, registered):
        return False  # 工行上海分行 is not the 北京分行
    brands = words.get("brand", _NONE)
    text = account.text
    for n in range(min(len(text), _MAX_WORD), 1, -1):
        owner = brands.get(text[:n])
        if owner and owner in registered_key:
            return True
    return False


def _name_findings(ctx: CheckContext, compiled: CompiledRule[InstitutionNameRule], inst: VerifiedInstitution
                   ) -> list[RawFinding]:
    rule = compiled.rule
    if inst.kind not in rule.kinds:
        return []
    words = ctx.snapshot.institution_words.get(compiled.index, {})
    fold = ctx.snapshot.normalizer.folder.fold_text
    registered = name_core(fold, inst.name, words, rule.min_core)
    inst_key = fold(inst.name)
    out: list[RawFinding] = []
    for name, views in ctx.fields:
        if name not in rule.fields or not views.skeleton.text:
            continue
        account = name_core(fold, views.value, words, rule.min_core)
        if similarity(account, registered, words) < rule.threshold and not _brand_of(account, registered, inst_key,
                                                                                      words):
            out.append(RawFinding(compiled, name, (0, len(views.value)), views.value, inst.name, "fuzzy"))
    return out


def _nature_findings(ctx: CheckContext, inst: VerifiedInstitution) -> list[RawFinding]:
    """A nature word is fine if the verified kind is one of the rule's kinds, or the registered name contains
    the word itself or one of `registered_name_any` (字节跳动 has no 银行 in its registered name)."""
    rules = ctx.snapshot.rules
    fold = ctx.snapshot.normalizer.folder.fold_text
    registered = ctx.institution_skeleton
    out: list[RawFinding] = []
    for name, views in ctx.fields:
        hits = [(h, c) for h in ctx.term_hits(name, views) if of_kind(c := rules[h.rule], InstitutionNatureRule)]
        # 基金 inside 基金会: the longer word decides
        for hit, compiled in drop_nested(hits, [(h.start, h.end) for h, _ in hits]):
            rule = compiled.rule
            if inst.kind in rule.kinds:
                continue
            names = (hit.canonical, hit.key, *rule.registered_name_any)
            if any(k and fold(k) in registered for k in names):
                continue
            out.append(RawFinding(compiled, name, (hit.start, hit.end), views.value[hit.start:hit.end],
                                  hit.canonical, hit.method, hit.syllables))
    return out


def run(ctx: CheckContext) -> list[RawFinding]:
    request = ctx.request
    inst = request.verified.institution if request.verified else None
    if inst is None or request.account_type != "institution":
        return []
    out: list[RawFinding] = []
    for r_idx in ctx.snapshot.institution_words:
        compiled = ctx.snapshot.rules[r_idx]
        if of_kind(compiled, InstitutionNameRule) and request.account_type in compiled.rule.account_types:
            out.extend(_name_findings(ctx, compiled, inst))
    out.extend(_nature_findings(ctx, inst))
    return out
