"""Pack schema and loader: every kind of mistake is refused with its location (file › rule › field)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from acctcheck.packs.errors import PackSetError
from acctcheck.packs.snapshot import Snapshot
from acctcheck.ruleset import build_snapshot
from tests.conftest import MINI_POLICY

GOOD = """schema_version: 1
name: demo
version: "1"
description: demo pack
rules:
  - id: ministries
    kind: terms
    category: official_impersonation
    article: 第八条第（二）项
    action: reject
    message: 名称仿冒党政机关：{matched}
    terms: [外交部, 国家发展和改革委员会|发改委]
examples:
  - fields: {nickname: 外交部官方}
    expect: [official_impersonation]
  - fields: {nickname: 小王}
    expect: pass
...
"""


def write(tmp: Path, text: str, name: str = "demo.yaml") -> Path:
    """Write one pack next to a default policy (a required file)."""
    (tmp / "policy.yaml").write_text(MINI_POLICY, encoding="utf-8")
    (tmp / name).write_text(text, encoding="utf-8")
    return tmp


def issues(tmp: Path) -> list[str]:
    with pytest.raises(PackSetError) as exc:
        build_snapshot(tmp)
    return [str(i) for i in exc.value.issues]


def test_good_pack_compiles_with_content_revision(tmp_path: Path) -> None:
    snap = build_snapshot(write(tmp_path, GOOD))
    assert snap.revision.startswith("sha256:")
    assert snap.packs[0].terms == 3
    again = build_snapshot(tmp_path)
    assert again.revision == snap.revision
    write(tmp_path, GOOD.replace("外交部, ", "外交部, 教育部, "))
    assert build_snapshot(tmp_path).revision != snap.revision


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("    terms:", "    colour: red\n    terms:"),
         "demo.yaml › rule ministries › colour: Extra inputs are not permitted"),
        (("category: official_impersonation", "category: spam"), "demo.yaml › rule ministries › category"),
        (("action: reject", "action: ban"), "demo.yaml › rule ministries › action"),
        (("id: ministries", "id: Bad Id"), "demo.yaml › rule Bad Id › id"),
        (("description: demo pack\n", ""), "demo.yaml › description: Field required"),
        (("schema_version: 1", "schema_version: 2"), "demo.yaml › schema_version"),
        (("{matched}", "{who}"), "demo.yaml › rule ministries › message"),
    ],
)
def test_schema_errors_are_located(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    found = issues(write(tmp_path, GOOD.replace(*change)))
    assert any(i.startswith(expected) for i in found), found


def test_duplicate_rule_id(tmp_path: Path) -> None:
    rule = GOOD.split("rules:\n", 1)[1].split("examples:", 1)[0]
    text = GOOD.replace("examples:", rule + "examples:", 1)
    assert any("duplicate rule id 'ministries'" in i for i in issues(write(tmp_path, text)))


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    found = issues(write(tmp_path, GOOD.replace("version: \"1\"", "version: \"1\"\nversion: \"2\"")))
    assert any(i.startswith("demo.yaml: YAML error: duplicate key 'version'") for i in found), found


def test_missing_and_escaping_term_files(tmp_path: Path) -> None:
    inline = "terms: [外交部, 国家发展和改革委员会|发改委]"
    found = issues(write(tmp_path, GOOD.replace(inline, "terms_file: nope.txt")))
    assert any("rule ministries › terms_file: term file 'nope.txt' not found" in i for i in found), found
    found = issues(write(tmp_path, GOOD.replace(inline, "terms_file: ../../etc/passwd")))
    assert any("outside the rules directory" in i for i in found), found


def test_bad_regex_is_refused_with_re2_reason(tmp_path: Path) -> None:
    text = GOOD.replace("""    terms: [外交部, 国家发展和改革委员会|发改委]""", """    terms: [外交部]
  - id: phone
    kind: pattern
    category: contact_smuggling
    article: 第八条第（六）项
    action: reject
    message: '{text}'
    patterns: ['(a+)\\1', '(?<=x)y']""")
    found = issues(write(tmp_path, text))
    assert any(i.startswith("demo.yaml › rule phone › patterns.0: RE2 cannot compile") for i in found), found
    assert any(i.startswith("demo.yaml › rule phone › patterns.1: RE2 cannot compile") for i in found), found


@pytest.mark.parametrize("key", ["cues: [qq]", "cue_window: 12"])
def test_pattern_cues_are_refused_not_ignored(tmp_path: Path, key: str) -> None:
    """`cues`/`cue_window` were documented but never read: an operator who set them was silently ignored.
    They are gone from the schema (a cue is written into the pattern, docs/rule-packs.md), so setting one
    refuses the pack with the key located."""
    text = GOOD.replace("""    terms: [外交部, 国家发展和改革委员会|发改委]""", f"""    terms: [外交部]
  - id: qq
    kind: pattern
    category: contact_smuggling
    article: 第八条第（六）项
    action: reject
    message: '{{text}}'
    patterns: ['qq(?P<hit>[0-9]{{5,11}})']
    {key}""")
    found = issues(write(tmp_path, text))
    name = key.split(":")[0]
    assert any(i.startswith(f"demo.yaml › rule qq › {name}: Extra inputs are not permitted") for i in found), found


def test_failing_example_refuses_the_pack(tmp_path: Path) -> None:
    found = issues(write(tmp_path, GOOD.replace("nickname: 小王}", "nickname: 外交部发言人}")))
    assert any(i.startswith("demo.yaml › examples.1:") and "should pass" in i for i in found), found


def test_every_issue_is_reported_not_just_the_first(tmp_path: Path) -> None:
    write(tmp_path, GOOD.replace("action: reject", "action: ban"), "a.yaml")
    other = GOOD.replace("name: demo", "name: other").replace("category: official_impersonation", "category: x")
    write(tmp_path, other, "b.yaml")
    found = issues(tmp_path)
    assert any(i.startswith("a.yaml") for i in found) and any(i.startswith("b.yaml") for i in found)


@pytest.mark.slow
def test_lint_cli_exit_codes_and_schema_export(tmp_path: Path) -> None:
    ok = subprocess.run([sys.executable, "-m", "acctcheck", "lint", str(write(tmp_path, GOOD))],
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and ok.stdout.startswith("ok:"), ok.stderr
    write(tmp_path, GOOD.replace("action: reject", "action: ban"))
    bad = subprocess.run([sys.executable, "-m", "acctcheck", "lint", str(tmp_path)], capture_output=True, text=True,
                         timeout=120)
    assert bad.returncode == 1 and "demo.yaml › rule ministries › action" in bad.stdout
    schema = subprocess.run([sys.executable, "-m", "acctcheck", "lint", "--schema"], capture_output=True, text=True,
                            timeout=120)
    doc = json.loads(schema.stdout)
    assert doc["additionalProperties"] is False and "rules" in doc["properties"]


def test_bundled_rules_lint_clean(snapshot: Snapshot) -> None:
    """The bundled packs build with every example passing: the session's `snapshot` is exactly
    build_snapshot(rules/) (tests/conftest.py), so this reads it instead of building them a second time."""
    snap = snapshot
    assert {p.name for p in snap.packs} >= {"official-bodies", "media", "states-and-intl", "places", "contact",
                                            "strict-terms", "misleading", "professions"}
    assert snap.term_count >= 100_000


DEFINED = """schema_version: 1
name: cues
version: "1"
description: shared pattern fragments
define:
  CUE: '薇|vx'
rules:
  - id: id-after-cue
    kind: pattern
    category: contact_smuggling
    article: 第八条第（六）项
    action: review
    message: "{text}"
    patterns: ['(?:{CUE})[^0-9a-z]{0,2}(?P<hit>[a-z][a-z0-9_]{5,19})']
examples:
  - fields: {nickname: 小王, bio: 薇 abc_12345}
    expect: [contact_smuggling]
  - fields: {nickname: 小王, bio: 喜欢 abc_12345}
    expect: pass
"""


def test_a_pattern_uses_the_packs_defined_fragments(tmp_path: Path) -> None:
    snap = build_snapshot(write(tmp_path, DEFINED))  # the examples run: the cue was expanded
    assert [r.rule.patterns for r in snap.rules] == [['(?:{CUE})[^0-9a-z]{0,2}(?P<hit>[a-z][a-z0-9_]{5,19})']]


def test_a_fragment_names_other_fragments(tmp_path: Path) -> None:
    """CUE: '{APP}|vx' expands APP too, so one vocabulary feeds every rule; the examples run on the expansion."""
    example = "  - fields: {nickname: 小王, bio: 钉钉 abc_12345}\n    expect: [contact_smuggling]\n"
    text = DEFINED.replace("  CUE: '薇|vx'", "  APP: '陌陌|钉钉'\n  CUE: '{APP}|薇|vx'").replace(
        "examples:\n", "examples:\n" + example)
    snap = build_snapshot(write(tmp_path, text))
    assert snap.rules[0].rule.id == "id-after-cue"


@pytest.mark.parametrize(("edit", "where", "message"), [
    (("(?:{CUE})", "(?:{CUES})"), "patterns.0", "{CUES} is not in the pack's define"),
    (("  CUE: ", "  cue: "), None, "upper case"),
    (("  CUE: '薇|vx'", "  CUE: '薇|{CUE}'"), "patterns.0", "nest more than 8 deep"),
])
def test_a_bad_define_is_refused_with_its_place(tmp_path: Path, edit: tuple[str, str], where: str | None,
                                                message: str) -> None:
    with pytest.raises(PackSetError) as err:
        build_snapshot(write(tmp_path, DEFINED.replace(*edit)))
    assert any(message in i.message and (where is None or i.field == where) for i in err.value.issues), \
        err.value.issues
