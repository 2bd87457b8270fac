"""Compilation of loaded packs into a Snapshot: every automaton and regex is built here, once."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import UTC, datetime

from acctcheck.match.automaton import TermAutomaton
from acctcheck.match.patterns import PatternError, compile_pattern
from acctcheck.normalize.normalizer import Normalizer
from acctcheck.packs.errors import PackIssue, PackSetError
from acctcheck.packs.loader import LoadedPack, LoadedSet
from acctcheck.packs.schema import ComposeRule, PatternRule, TermsRule
from acctcheck.packs.snapshot import ALLOW, CompiledRule, PackInfo, Snapshot, TermEntry

MAX_NAMES_PER_ENTRY = 64


class _Builder:
    def __init__(self, normalizer: Normalizer) -> None:
        self.n = normalizer
        self.skeleton: dict[str, list[TermEntry]] = defaultdict(list)
        self.pinyin: dict[str, list[TermEntry]] = defaultdict(list)
        self.issues: list[PackIssue] = []

    def add(self, entry_line: str, *, rule: int, pack: int, part: int, sound: bool, where: PackIssue) -> int:
        """Index one `canonical|alias…` line; returns how many names it holds."""
        names = [x.strip() for x in entry_line.split("|") if x.strip()][:MAX_NAMES_PER_ENTRY]
        if not names:
            return 0
        canonical = names[0]
        for name in names:
            view = self.n.skeleton(name)
            if not view.text:
                self.issues.append(PackIssue(where.file, where.rule, where.field,
                                             f"term {name!r} is empty after normalisation"))
                continue
            han = self.n.han_form(name)
            keys = self.n.pinyin.term_keys(han) if sound else []
            syllables = len(han) if keys else 0
            entry = TermEntry(rule, pack, part, canonical, view.flags, syllables)
            self.skeleton[view.text].append(entry)
            for k in keys:
                self.pinyin[k].append(entry)
        return len(names)


def _entries(lp: LoadedPack, inline: list[str] | None, ref: str | None) -> list[str]:
    out = list(inline or [])
    if ref:
        out.extend(lp.files.get(ref, []))
    return out


def compile_set(loaded: LoadedSet, normalizer: Normalizer) -> Snapshot:
    """Build the immutable snapshot, or raise PackSetError listing every problem."""
    b = _Builder(normalizer)
    rules: list[CompiledRule] = []
    packs: list[PackInfo] = []
    pattern_rules: list[int] = []
    total_terms = 0
    for p_idx, lp in enumerate(loaded.packs):
        pack = lp.pack
        pack_terms = 0
        for line in _entries(lp, pack.allow, pack.allow_file):
            b.add(line, rule=ALLOW, pack=p_idx, part=-1, sound=False,
                  where=PackIssue(lp.file, None, "allow", ""))
        for rule in pack.rules:
            r_idx = len(rules)
            where = PackIssue(lp.file, f"rule {rule.id}", None, "")
            sound = bool(getattr(rule, "homophone", False) or getattr(rule, "pinyin", False))
            if isinstance(rule, TermsRule):
                count = 0
                for line in _entries(lp, rule.terms, rule.terms_file):
                    count += b.add(line, rule=r_idx, pack=p_idx, part=-1, sound=sound, where=where)
                rules.append(CompiledRule(r_idx, pack.name, rule, 0))
                pack_terms += count
            elif isinstance(rule, ComposeRule):
                sizes = []
                for k, part in enumerate(rule.parts):
                    count = 0
                    for line in _entries(lp, part.values, part.file):
                        count += b.add(line, rule=r_idx, pack=p_idx, part=k, sound=sound, where=where)
                    sizes.append(count)
                rules.append(CompiledRule(r_idx, pack.name, rule, len(rule.parts)))
                pack_terms += math.prod(sizes)
            elif isinstance(rule, PatternRule):
                compiled = []
                for i, src in enumerate(rule.patterns):
                    try:
                        compiled.append(compile_pattern(src))
                    except PatternError as exc:
                        b.issues.append(PackIssue(lp.file, f"rule {rule.id}", f"patterns.{i}", str(exc)))
                rules.append(CompiledRule(r_idx, pack.name, rule, 0, tuple(compiled)))
                pattern_rules.append(r_idx)
        total_terms += pack_terms
        packs.append(PackInfo(pack.name, pack.version, lp.file, lp.digest, len(pack.rules), pack_terms))
    if b.issues:
        raise PackSetError(b.issues)
    return Snapshot(
        revision=loaded.revision,
        root=str(loaded.root),
        loaded_at=datetime.now(UTC),
        packs=tuple(packs),
        rules=tuple(rules),
        policy=loaded.policy,
        normalizer=normalizer,
        skeleton_terms=TermAutomaton(dict(b.skeleton)),
        pinyin_terms=TermAutomaton(dict(b.pinyin)),
        pattern_rules=tuple(pattern_rules),
        term_count=total_terms,
    )
