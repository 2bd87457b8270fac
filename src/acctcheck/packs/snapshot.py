"""The immutable compiled rule set. Reload builds a new one aside and swaps one reference; a request reads
the reference once, so it never sees two revisions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from acctcheck.match.automaton import TermAutomaton
from acctcheck.match.patterns import CompiledPattern
from acctcheck.normalize.normalizer import Normalizer
from acctcheck.packs.schema import Policy

ALLOW = -1


@dataclass(frozen=True, slots=True)
class CompiledRule:
    index: int
    pack: str
    rule: Any  # TermsRule | ComposeRule | PatternRule | family-specific rule (schema objects, frozen)
    parts: int  # 0 for a plain term rule, the number of parts for a compose rule
    patterns: tuple[CompiledPattern, ...] = ()

    @property
    def shadow(self) -> bool:
        return self.rule.mode == "shadow"


@dataclass(frozen=True, slots=True)
class TermEntry:
    """Payload of one automaton key: which rule (or allow-list) and which part of it the key stands for."""

    rule: int  # index into Snapshot.rules, or ALLOW
    pack: int  # index into Snapshot.packs
    part: int  # -1 for a whole term; k for part k of a compose rule
    canonical: str
    flags: tuple[int, ...]  # the term's own fold flags per position (so 第一 in a term is not "number_style")
    syllables: int
    name: str = ""  # the name (canonical or alias) this key was built from: what the finding reports
    capitals: bool = False  # a Latin acronym written in capitals in the pack (NATO): matches only in capitals
    covers: int = 1  # compose parts this key stands for (2 when a one-character head was merged with part 1)
    head: str = ""  # a completed compose chain: its first part's canonical name (京东 of 京东客服), for exemptions
    initials: bool = False  # the key is the name's pinyin initials (rmrb of 人民日报): reported as typed pinyin
    edited: bool = False  # a two-character compose part with one similar-shape substitution (友布 of 发布)
    typed_only: bool = False  # a pinyin key for the term typed in Latin only (pin gan of 平安: never a homophone)


# Classes of the payloads of one automaton key (TermAutomaton.groups), so _collect handles a group at a time:
WHOLE, FIRST, LATER, COMPLETE = 0, 1, 2, 3  # whole term or allow entry; a compose head that needs the next part;
ENTRY_CLASSES = 4                           # a later part; a head that already covers every part (美驻华使馆)
RULE_PARTS = "rule_parts"  # Snapshot.families key: every rule's number of compose parts, for entry_class


def entry_class(entry: TermEntry, rule_parts: tuple[int, ...]) -> int:
    """The group of a payload (see WHOLE …): `rule_parts[i]` is rule i's number of compose parts."""
    if entry.part < 0:
        return WHOLE
    if entry.part == 0:
        return FIRST if entry.covers < rule_parts[entry.rule] else COMPLETE
    return LATER


@dataclass(frozen=True)
class PackInfo:
    name: str
    version: str
    file: str
    digest: str
    rules: int
    terms: int


@dataclass(frozen=True)
class Snapshot:
    revision: str
    root: str
    loaded_at: datetime
    packs: tuple[PackInfo, ...]
    rules: tuple[CompiledRule, ...]
    policy: Policy
    normalizer: Normalizer
    skeleton_terms: TermAutomaton[TermEntry]
    # the same terms plus their halves, for the fields searched for one-edit spellings (policy.one_edit_fields):
    # those fields get terms and halves from one pass, the others do not walk the halves at all
    one_edit_terms: TermAutomaton[TermEntry]
    pinyin_terms: TermAutomaton[TermEntry]
    pattern_rules: tuple[int, ...]
    pattern_set: Any  # match.patterns.PatternSet over every pattern of every pattern rule
    pattern_index: tuple[tuple[int, int], ...]  # set index -> (rule index, pattern index within the rule)
    rules_by_account: dict[str, frozenset[int]]  # account type -> indices of the rules that apply to it
    rules_by_field: dict[tuple[str, str], frozenset[int]]  # (account type, field) -> rules that look at it
    term_count: int
    families: dict[str, Any] = field(default_factory=dict)  # family-specific compiled data (checks/*)

    def status(self) -> dict[str, Any]:
        registries = self.families.get("registry") or {}
        return {
            "revision": self.revision,
            "loaded_at": self.loaded_at.isoformat(),
            "root": self.root,
            "term_count": self.term_count,
            "packs": [
                {"name": p.name, "version": p.version, "file": p.file, "digest": p.digest,
                 "rules": p.rules, "terms": p.terms}
                for p in self.packs
            ],
            **({"registries": [
                {"rule": self.rules[i].rule.id, "file": self.rules[i].rule.file, **index.describe()}
                for i, index in sorted(registries.items())
            ]} if registries else {}),
        }
