"""Reading a rules directory: YAML parsing (duplicate keys refused), schema validation, term files.

A directory loads completely or not at all: the loader collects every issue and raises them together.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import yaml
from pydantic import ValidationError

from acctcheck.packs.errors import PackIssue, PackSetError
from acctcheck.packs.files import FileSet, read_tree, resolve_ref
from acctcheck.packs.manifest import manifest_issues
from acctcheck.packs.parsed_cache import parsed
from acctcheck.packs.schema import (
    RULE_KINDS,
    ComposeRule,
    FrameRule,
    InstitutionNameRule,
    InstitutionNatureRule,
    Pack,
    Policy,
    ProfessionRule,
    RegistryRule,
    TermsRule,
)

POLICY_FILE = "policy.yaml"
MAX_PACKS = 200
END_MARKER = b"..."


# libyaml when present: ~10x faster on big packs
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# a SafeLoader that refuses duplicate keys instead of silently keeping the last one (its base chosen at run time)
_StrictLoader = cast(type[yaml.SafeLoader], type("_StrictLoader", (_Base,), {}))


def _mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict[object, object]:
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


@dataclass
class LoadedPack:
    pack: Pack
    file: str  # name relative to the rules directory
    digest: str
    files: dict[str, list[str]] = field(default_factory=dict)  # referenced term file -> entries
    registries: dict[str, str] = field(default_factory=dict)  # registry file -> digest (never read in here)


@dataclass
class LoadedSet:
    root: Path
    packs: list[LoadedPack]
    policy: Policy
    revision: str
    base_revision: str = ""  # the revision without the registry files (packs.registries.rebase)


def end_marker_missing(data: bytes) -> bool:
    """True unless the last line that is not blank or a comment is `...`, YAML's document end marker. Every
    prefix of a file that ends with it lacks it, so a file cut short anywhere — even at a rule boundary,
    where the rest would still be valid YAML — is refused instead of silently losing rules or examples."""
    for line in reversed(data.splitlines()):
        text = line.rstrip()
        if not text or text.lstrip().startswith(b"#"):
            continue
        return text != END_MARKER
    return True


def _entry_data(fs: FileSet, rel: str, issues: list[PackIssue], *, owner: str | None = None,
                rule_id: str | None = None, key: str | None = None) -> bytes | None:
    """The bytes of fs.files[rel], or None with the issue recorded (on the referring pack when there is one)."""
    entry = fs.files[rel]
    if entry.data is None:
        issues.append(PackIssue(owner or rel, rule_id, key, f"{rel!r}: {entry.problem}" if owner else
                                str(entry.problem)))
        return None
    return entry.data


def _load_yaml(data: bytes) -> object:
    return yaml.load(data.decode("utf-8"), Loader=_StrictLoader)


def _parse_yaml(data: bytes, rel: str, issues: list[PackIssue]) -> object:
    try:
        return parsed(data, _load_yaml)
    except UnicodeDecodeError:
        issues.append(PackIssue(rel, None, None, "not UTF-8"))
    except yaml.YAMLError as exc:
        issues.append(PackIssue(rel, None, None, f"YAML error: {exc}".replace("\n", " ")))
    return None


def _rule_id_at(raw: object, i: int) -> str | None:
    """The `id` of the i-th rule of a parsed pack, as written (None when there is no such mapping)."""
    rules = raw.get("rules") if isinstance(raw, dict) else None
    if isinstance(rules, list) and i < len(rules) and isinstance(rules[i], dict):
        return str(rules[i].get("id"))
    return None


def _validation_issues(rel: str, raw: object, exc: ValidationError) -> list[PackIssue]:
    out: list[PackIssue] = []
    for err in exc.errors():
        loc = list(err["loc"])
        rule_id = None
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
            rule_id = _rule_id_at(raw, loc[1])
            rule_id = f"rule {rule_id}" if rule_id else f"rules[{loc[1]}]"
            loc = loc[2:]
            if loc and loc[0] in RULE_KINDS:  # pydantic puts the discriminator tag in the path
                loc = loc[1:]
        field_path = ".".join(str(p) for p in loc) or None
        out.append(PackIssue(rel, rule_id, field_path, err["msg"]))
    return out


def read_term_file(fs: FileSet, ref: str, pack_rel: str, rule_id: str | None, key: str,
                   issues: list[PackIssue], digests: list[tuple[str, bytes]]) -> list[str] | None:
    """Entries of a term file (`canonical|alias…` per line). The path must stay inside the rules directory."""
    rel = resolve_ref(ref)
    if rel is None or (rel in fs.files and fs.files[rel].outside):
        issues.append(PackIssue(pack_rel, rule_id, key, f"{ref!r} points outside the rules directory"))
        return None
    if rel not in fs.files:
        issues.append(PackIssue(pack_rel, rule_id, key, f"term file {ref!r} not found"))
        return None
    data = _entry_data(fs, rel, issues, owner=pack_rel, rule_id=rule_id, key=key)
    if data is None:
        return None
    digests.append((ref, data))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        issues.append(PackIssue(pack_rel, rule_id, key, f"term file {ref!r} is not UTF-8"))
        return None
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def load_dir(root: Path) -> LoadedSet:
    """Read a rules directory (a ConfigMap volume through its `..data`) and load it: see `load_files`."""
    return load_files(read_tree(root))


def marked_files(fs: FileSet) -> frozenset[str]:
    """The YAML files of a set that end with the `...` marker: once built, later versions must keep it."""
    return frozenset(rel for rel, e in fs.files.items()
                     if rel.endswith((".yaml", ".yml")) and e.data is not None and not end_marker_missing(e.data))


def load_files(fs: FileSet, marked: frozenset[str] = frozenset()) -> LoadedSet:
    """Load and validate every pack of a file set read into memory, or raise PackSetError with every issue.
    With a manifest, every file must match it first (packs.manifest)."""
    root = fs.root
    if fs.error:
        raise PackSetError([PackIssue(str(root), None, None, fs.error)])
    issues: list[PackIssue] = list(manifest_issues(fs) or [])
    digests: list[tuple[str, bytes]] = []
    registry_digests: list[tuple[str, bytes]] = []  # registry files are hashed, never read here
    names_at_top = [r for r in (*fs.files, *fs.dirs) if "/" not in r and r.endswith((".yaml", ".yml"))]
    entries = sorted(r for r in names_at_top if r in fs.files)
    for rel in sorted(names_at_top):
        if rel in fs.dirs:  # a directory where a pack was: refuse, never drop it silently
            issues.append(PackIssue(rel, None, None, "not a readable file (a directory?)"))
    if len(entries) > MAX_PACKS:
        raise PackSetError([PackIssue(str(root), None, None, f"more than {MAX_PACKS} pack files")])
    if POLICY_FILE not in fs.files:
        issues.append(PackIssue(POLICY_FILE, None, None, "missing: the decision policy is required (a deleted "
                                "policy must not silently switch the service to built-in defaults)"))
    policy = Policy()
    packs: list[LoadedPack] = []
    names: dict[str, str] = {}
    for rel in entries:
        data = _entry_data(fs, rel, issues)
        if data is None:
            continue
        digests.append((rel, data))
        if not data.strip():
            issues.append(PackIssue(rel, None, None, "empty file"))
            continue
        if rel in marked and end_marker_missing(data):  # its built version ended with `...`: this one is cut
            issues.append(PackIssue(rel, None, None, "does not end with the line `...` (YAML document end) as its "
                                    "last built version did: cut short while being written (docs/rule-packs.md)"))
            continue
        raw = _parse_yaml(data, rel, issues)
        if raw is None:
            continue
        if not isinstance(raw, dict):
            issues.append(PackIssue(rel, None, None, "top level must be a mapping"))
            continue
        if rel == POLICY_FILE:
            try:
                policy = Policy.model_validate(raw)
            except ValidationError as exc:
                issues.extend(_validation_issues(rel, raw, exc))
            continue
        try:
            pack = Pack.model_validate(raw)
        except ValidationError as exc:
            issues.extend(_validation_issues(rel, raw, exc))
            continue
        if pack.name in names:
            issues.append(PackIssue(rel, None, "name", f"pack name {pack.name!r} also used by {names[pack.name]}"))
            continue
        names[pack.name] = rel
        loaded = LoadedPack(pack, rel, "sha256:" + hashlib.sha256(data).hexdigest())
        refs: list[tuple[str | None, str, str]] = []
        if pack.allow_file:
            refs.append((None, "allow_file", pack.allow_file))
        for rule in pack.rules:
            if isinstance(rule, (TermsRule, ProfessionRule, InstitutionNatureRule)) and rule.terms_file:
                refs.append((f"rule {rule.id}", "terms_file", rule.terms_file))
            part_files = [p.file for p in rule.parts] if isinstance(rule, ComposeRule) else \
                [p.file for p in rule.parts] if isinstance(rule, InstitutionNameRule) else []
            for i, file in enumerate(part_files):
                if file:
                    refs.append((f"rule {rule.id}", f"parts.{i}.file", file))
            if isinstance(rule, FrameRule):
                for key, part in (("head", rule.head), ("tail", rule.tail), ("unless", rule.unless)):
                    if part is not None and part.file:
                        refs.append((f"rule {rule.id}", f"{key}.file", part.file))
        for rule in pack.rules:
            if isinstance(rule, RegistryRule) and rule.file not in loaded.registries:
                digest = _registry_digest(root, rule.file, rel, f"rule {rule.id}", issues)
                if digest is not None:
                    loaded.registries[rule.file] = digest
                    registry_digests.append((rule.file, digest.encode()))
        for rule_id, key, ref in refs:
            if ref not in loaded.files:
                terms = read_term_file(fs, ref, rel, rule_id, key, issues, digests)
                if terms is not None:
                    loaded.files[ref] = terms
        packs.append(loaded)
    if not any(r != POLICY_FILE for r in names_at_top):
        issues.append(PackIssue(str(root), None, None, "no rule packs (*.yaml) found"))
    if issues:
        raise PackSetError(issues)
    return LoadedSet(root, packs, policy, _revision(digests + registry_digests), _revision(digests))


def _revision(digests: list[tuple[str, bytes]]) -> str:
    h = hashlib.sha256()
    for rel, data in sorted(set(digests)):
        h.update(rel.encode() + b"\0" + hashlib.sha256(data).digest())
    return "sha256:" + h.hexdigest()[:16]


def _registry_digest(root: Path, ref: str, pack_rel: str, rule_id: str, issues: list[PackIssue]) -> str | None:
    """A registry file (kind: registry) is hashed, not read: millions of lines are compiled by another process
    into an artifact (acctcheck.registry); its digest names that artifact and enters the revision."""
    from acctcheck.registry.source import RegistryFileError, file_digest

    path = (root / ref).resolve()
    try:
        path.relative_to(root.resolve())
    except ValueError:
        issues.append(PackIssue(pack_rel, rule_id, "file", f"{ref!r} points outside the rules directory"))
        return None
    if not path.is_file():
        issues.append(PackIssue(pack_rel, rule_id, "file", f"registry file {ref!r} not found"))
        return None
    try:
        return file_digest(root / ref)
    except RegistryFileError as exc:
        issues.append(PackIssue(pack_rel, rule_id, "file", str(exc)))
        return None
