"""Registries inside a snapshot: opening each registry rule's artifact, and swapping only the registries when
nothing else changed (a daily refresh must not rebuild the bundled packs' automata in every worker)."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from acctcheck.registry.artifact import RegistryIndex, default_cache_dir, ensure_artifact
from acctcheck.registry.source import RegistryFileError

if TYPE_CHECKING:
    from acctcheck.normalize.normalizer import Normalizer
    from acctcheck.packs.loader import LoadedSet
    from acctcheck.packs.schema import Policy, RegistryRule
    from acctcheck.packs.snapshot import Snapshot

FAMILY = "registry"  # snapshot.families[FAMILY]: rule index -> RegistryIndex
SUFFIXES = "registry_suffixes"  # snapshot.families[SUFFIXES]: folded association suffixes (a frozenset)
BASE = "base_revision"  # snapshot.families[BASE]: digest of every input but the registry files
BY_FIELD = "registry_by_field"  # snapshot.families[BY_FIELD]: (account type, field) -> ((rule index, index), …)
OPENED = (FAMILY, BY_FIELD)  # the families that hold mapped artifacts: never pickled, opened by each process

_OPEN: dict[Path, RegistryIndex] = {}  # artifact dir -> its mapping, reused by later snapshots of this process
_OPEN_LOCK = threading.Lock()


def open_registry(root: Path, ref: str, digest: str, cache_dir: Path | None = None) -> RegistryIndex:
    """The mapped artifact of one registry file, compiled by a child process when missing."""
    adir = ensure_artifact(root / ref, digest, cache_dir or default_cache_dir())
    with _OPEN_LOCK:
        index = _OPEN.get(adir)
        if index is None:
            index = RegistryIndex(adir)
            for stale in [p for p in _OPEN if not p.exists()]:
                del _OPEN[stale]  # pruned: dropped here, unmapped when the last snapshot using it goes
            _OPEN[adir] = index
    return index


Plan = dict[tuple[str, str], tuple[tuple[int, RegistryIndex], ...]]


def by_field(indexes: dict[int, RegistryIndex], rules_by_field: dict[tuple[str, str], frozenset[int]]) -> Plan:
    """The registries each (account type, field) is searched in, decided once per snapshot: a request's
    fields that no registry looks at (a bio, by default) cost one dictionary miss."""
    plan = {key: tuple((i, index) for i, index in sorted(indexes.items()) if i in rules)
            for key, rules in rules_by_field.items()}
    return {key: todo for key, todo in plan.items() if todo}


def with_policy_defaults(rule: RegistryRule, policy: Policy) -> RegistryRule:
    """article and message left out of a pack come from the category and policy.registry.messages."""
    from acctcheck.categories import CATEGORY_ARTICLES

    update: dict[str, str] = {}
    if not rule.article:
        update["article"] = CATEGORY_ARTICLES[rule.category][0]
    if not rule.message:
        update["message"] = policy.registry.messages.get(rule.category) or "与名单中的账号名称“{matched}”相同或近似"
    return rule.model_copy(update=update) if update else rule


def folded_suffixes(policy: Policy, normalizer: Normalizer) -> frozenset[str]:
    """The association suffixes in skeleton form: a name's tail is looked up whole."""
    table = normalizer.folder.skeleton_table
    return frozenset(k for s in policy.registry.association_suffixes if (k := s.translate(table)))


def rebase(previous: Snapshot, loaded: LoadedSet) -> Snapshot | None:
    """`previous` with new registries when only registry files changed since it was built (same packs, term
    files and policy, so the same rule indices); None when anything else changed. Costs the opening of the
    changed artifacts, not a rebuild of the bundled automata."""
    from acctcheck.packs.schema import RegistryRule

    if not loaded.base_revision or previous.families.get(BASE) != loaded.base_revision:
        return None
    by_name = {lp.pack.name: lp for lp in loaded.packs}
    indexes: dict[int, RegistryIndex] = {}
    terms: dict[str, int] = {}
    for compiled in previous.rules:
        rule = compiled.rule
        if isinstance(rule, RegistryRule):
            lp = by_name[compiled.pack]
            indexes[compiled.index] = open_registry(loaded.root, rule.file, lp.registries[rule.file])
    for lp in loaded.packs:  # a registry pack's term count is its names
        names = sum(indexes[c.index].names for c in previous.rules
                    if c.pack == lp.pack.name and c.index in indexes)
        if names:
            terms[lp.pack.name] = names
    packs = tuple(dataclasses.replace(p, terms=terms.get(p.name, p.terms)) for p in previous.packs)
    return dataclasses.replace(
        previous, revision=loaded.revision, loaded_at=datetime.now(UTC), packs=packs,
        term_count=previous.term_count - sum(p.terms for p in previous.packs) + sum(p.terms for p in packs),
        families={**previous.families, FAMILY: indexes, BY_FIELD: by_field(indexes, previous.rules_by_field)},
    )


__all__ = ["FAMILY", "SUFFIXES", "BASE", "BY_FIELD", "OPENED", "by_field", "RegistryFileError", "open_registry",
           "rebase", "with_policy_defaults", "folded_suffixes"]
