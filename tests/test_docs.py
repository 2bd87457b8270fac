"""docs/rule-packs.md matches the pack schema: every rule kind has a section with an example, every example
rule, pack, pack example and policy in it is valid (an operator copies them), and every key a kind's section
names is a key of that kind (a documented option that the schema does not have would be refused, and one the
code does not read must not be in the schema)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml
from pydantic import TypeAdapter

from acctcheck.packs.schema import RULE_ID, RULE_KINDS, AnyRule, Example, Pack, Policy, Rule

DOC = (Path(__file__).resolve().parents[1] / "docs" / "rule-packs.md").read_text(encoding="utf-8")
EXAMPLES = [block for block in re.findall(r"```yaml\n(.*?)```", DOC, re.S) if block.startswith("- id:")]


def test_every_rule_kind_has_a_section_and_an_example() -> None:
    assert set(re.findall(r"^### `kind: (\w+)`", DOC, re.M)) == RULE_KINDS
    assert {yaml.safe_load(block)[0]["kind"] for block in EXAMPLES} == RULE_KINDS
    for kind in RULE_KINDS:  # the table of common keys names every kind too
        assert f"`{kind}`" in DOC.split("### `kind:")[0]


@pytest.mark.parametrize("block", EXAMPLES, ids=lambda b: yaml.safe_load(b)[0]["kind"])
def test_example_rule_is_valid(block: str) -> None:
    (rule,) = yaml.safe_load(block)
    TypeAdapter(Rule).validate_python(rule)


def test_documented_rule_id_pattern_is_the_schema_s() -> None:
    assert f"`{RULE_ID.strip('^$')}`" in DOC


BLOCKS = re.findall(r"```yaml\n(.*?)```", DOC, re.S)
SECTIONS = dict(re.findall(r"^### `kind: (\w+)`\n(.*?)(?=^##)", DOC, re.M | re.S))
MODELS = {get_args(m.model_fields["kind"].annotation)[0]: m for m in get_args(AnyRule)}


def _keys(schema: dict[str, Any]) -> set[str]:
    """Every property name in a JSON schema, nested models included (compose parts, institution word lists)."""
    keys: set[str] = set()
    for node in [schema, *schema.get("$defs", {}).values()]:
        keys.update(node.get("properties", {}))
    return keys


COMMON_KEYS = set(re.findall(r"^\| `([a-z_]+)`", DOC.split("### `kind:")[0], re.M))  # the table of common keys


@pytest.mark.parametrize("kind", sorted(RULE_KINDS))
def test_every_key_of_a_kind_is_documented_and_every_documented_key_exists(kind: str) -> None:
    section = SECTIONS[kind]
    model = MODELS[kind]
    named = set(re.findall(r"`([a-z_]+)[:`]", section)) | set(re.findall(r"^\s*-?\s*([a-z_]+):", section, re.M))
    assert not set(model.model_fields) - named - COMMON_KEYS, "keys of the schema the docs do not name"
    options = set(re.findall(r"`([a-z_]+):", section))  # `homophone: true|false`, `not_after: [..]`
    assert options <= _keys(model.model_json_schema()), "documented keys the schema does not have"


def test_example_pack_examples_and_policy_are_valid() -> None:
    packs = [yaml.safe_load(b) for b in BLOCKS if b.startswith("schema_version: 1\nname:") and "[...]" not in b]
    assert packs
    for pack in packs:
        Pack.model_validate(pack)
    (examples,) = [yaml.safe_load(b)["examples"] for b in BLOCKS if b.startswith("examples:")]
    for example in examples:
        Example.model_validate(example)
    (policy,) = [yaml.safe_load(b) for b in BLOCKS if b.startswith("schema_version: 1\nmethod_certainty")]
    Policy.model_validate(policy)
