"""The immutable compiled rule set. Reload builds a new one aside and swaps one reference; a request reads
the reference once, so it never sees two revisions."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeGuard, TypeVar

from acctcheck.match.automaton import TermAutomaton
from acctcheck.match.entries import TermEntry
from acctcheck.match.patterns import CompiledPattern, PatternSet
from acctcheck.normalize.normalizer import Normalizer
from acctcheck.packs.schema import AnyRule, Policy, RegistryRule

R_co = TypeVar("R_co", bound=AnyRule, covariant=True)
R = TypeVar("R", bound=AnyRule)


@dataclass(frozen=True, slots=True)
class CompiledRule(Generic[R_co]):
    """A rule of one kind (R_co: TermsRule, PatternRule …) with its place in the snapshot."""

    index: int
    pack: str
    rule: R_co
    parts: int  # 0 for a plain term rule, the number of parts for a compose rule
    patterns: tuple[CompiledPattern, ...] = ()
    on_line: CompiledPattern | None = None  # a pattern rule's hit_on_line
    not_whole: CompiledPattern | None = None  # a pattern rule's not_whole, anchored at both ends

    @property
    def shadow(self) -> bool:
        return self.rule.mode == "shadow"


ACROSS_FIELDS = "contact_across"  # Snapshot.families: the pattern rules run over the joined fields
HAN_CUES = "contact_han_cues"  # Snapshot.families: one regex of the packs' han_cues, the words that open a field
# without digits or letters to the patterns (and let its contact view read digits heard in characters)

def of_kind(compiled: CompiledRule[AnyRule], kind: type[R]) -> TypeGuard[CompiledRule[R]]:
    """Whether a compiled rule is of `kind` (narrows CompiledRule[AnyRule] to CompiledRule[kind])."""
    return isinstance(compiled.rule, kind)


@dataclass(frozen=True)
class PackInfo:
    name: str
    version: str
    file: str
    digest: str
    rules: int
    terms: int


@dataclass(frozen=True, slots=True)
class CharacterSearch:
    """Every `characters` rule, and one regex over all their characters (a clean field costs one search)."""

    rules: tuple[int, ...]
    search: Callable[[str], re.Match[str] | None]


InstitutionWords = dict[str, dict[str, str]]  # role -> folded word -> folded canonical (institution_name rules)


@dataclass(frozen=True)
class Snapshot:
    revision: str
    root: str
    loaded_at: datetime
    packs: tuple[PackInfo, ...]
    rules: tuple[CompiledRule[AnyRule], ...]
    policy: Policy
    normalizer: Normalizer
    skeleton_terms: TermAutomaton[TermEntry]
    # the same terms plus their halves, for the fields searched for one-edit spellings (policy.one_edit_fields):
    # those fields get terms and halves from one pass, the others do not walk the halves at all
    one_edit_terms: TermAutomaton[TermEntry]
    pinyin_terms: TermAutomaton[TermEntry]
    # the same without the keys that only typed pinyin may match (other readings, typed readings): a field with
    # no Latin letter is matched here, so those keys, a third of what Chinese text hits, cost it nothing
    pinyin_heard_terms: TermAutomaton[TermEntry]
    pattern_rules: tuple[int, ...]
    pattern_set: PatternSet  # every pattern of every pattern rule
    pattern_index: tuple[tuple[int, int], ...]  # set index -> (rule index, pattern index within the rule)
    rules_by_account: dict[str, frozenset[int]]  # account type -> indices of the rules that apply to it
    rules_by_field: dict[tuple[str, str], frozenset[int]]  # (account type, field) -> rules that look at it
    term_count: int
    rule_parts: tuple[int, ...] = ()  # every rule's number of compose parts (0: not a compose rule)
    characters: CharacterSearch | None = None  # checks/characters.py
    institution_words: dict[int, InstitutionWords] = field(default_factory=dict)  # rule index -> its word lists
    # registry data (acctcheck.packs.registries: FAMILY, SUFFIXES, BASE), kept open-ended for that package
    families: dict[str, Any] = field(default_factory=dict)
    # the whole names of one_edit_terms by look-alike class (match/fuzzy.py alike_keys): spellings with several
    # look-alike swaps, for the same fields
    alike_terms: TermAutomaton[str] | None = None
    # whole names of policy.near_sound_min_syllables or more heard with near sounds (PinyinTable.near_table): 人名
    # for 人民, 镇府 for 政府, for the same fields
    near_heard_terms: TermAutomaton[TermEntry] | None = None

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
                {"rule": rule.id, "file": rule.file, **index.describe()}
                for i, index in sorted(registries.items()) if isinstance(rule := self.rules[i].rule, RegistryRule)
            ]} if registries else {}),
        }


def policy_references(snapshot: Snapshot) -> list[str]:
    """Rule ids and profession codes the policy names that no loaded rule has (`acctcheck lint` warns): a
    misspelt one changes nothing, and so does one whose pack this set leaves out (a registry-only set)."""
    from acctcheck.packs.schema import ProfessionRule

    policy = snapshot.policy
    ids = {r.rule.id for r in snapshot.rules}
    codes = {r.rule.code for r in snapshot.rules if isinstance(r.rule, ProfessionRule)}
    out: list[str] = []
    if policy.everyday_names is not None:
        out += [f"policy.yaml › everyday_names.{key}: no rule has the id {r!r}"
                for key, listed in (("rules", policy.everyday_names.rules),
                                    ("whole_rules", policy.everyday_names.whole_rules))
                for r in listed if r not in ids]
    if policy.profession_service is not None:
        out += [f"policy.yaml › profession_service.always_codes: no profession has the code {c!r}"
                for c in policy.profession_service.always_codes if c not in codes]
    return out
