"""docs/rule-packs.md matches the pack schema: every rule kind has a section with an example, and every
example rule in it is a valid rule of its kind (an operator copies them)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pydantic import TypeAdapter

from acctcheck.packs.schema import RULE_ID, RULE_KINDS, Rule

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
