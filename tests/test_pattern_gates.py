"""The contact pattern set's gates (match/gates.py): a shared cue vocabulary stands in the first RE2 set for the
patterns that cannot match without it, and the set answers exactly as one flat set would."""

from __future__ import annotations

from pathlib import Path

import pytest

from acctcheck.evaluation import load_cases
from acctcheck.match.gates import GATE_MIN_CHARS, Gate, gate_of
from acctcheck.match.patterns import PatternSet, compile_pattern

DATA = Path(__file__).parent / "data"
# a vocabulary long enough to be a gate: sixty words w000 … w059
VOCAB = "|".join(f"w{i:03d}" for i in range(60))
assert len(VOCAB) >= GATE_MIN_CHARS


@pytest.mark.parametrize(("source", "gate"), [
    # the vocabulary in a group of its own that every match passes through
    (f"(?:^|x)(?:{VOCAB})[0-9]{{5}}", Gate(f"(?:{VOCAB})", None)),
    # one branch run of a cue alternation: the vocabulary, and the other branches apart
    (f"(?:{VOCAB}|加v|联系)[0-9]{{5}}", Gate(f"(?:{VOCAB})", "(?:加v|联系)")),
    (f"(?:加v|(?:{VOCAB}))[0-9]{{5}}", Gate(f"(?:{VOCAB})", "(?:加v)")),
    # inside a capture group that is the hit
    (f"(?P<hit>(?:{VOCAB})[a-z]+)", Gate(f"(?:{VOCAB})", None)),
    # nested deeper in a branch: the whole necessary group is the gate
    (f"(?:a(?:{VOCAB})b|c)d", Gate(f"(?:a(?:{VOCAB})b|c)", None)),
])
def test_a_fragment_every_match_needs_is_a_gate(source: str, gate: Gate) -> None:
    assert gate_of(source, [VOCAB]) == gate


@pytest.mark.parametrize("source", [
    f"(?:{VOCAB})?[0-9]{{5}}",  # optional
    f"(?:{VOCAB}){{0,2}}[0-9]{{5}}",  # may repeat zero times
    f"(?:{VOCAB})*?x",  # lazily, zero times too
    f"(?:{VOCAB})x|[0-9]{{11}}",  # the whole pattern is an alternation
    f"(?:(?:{VOCAB})x|y)?z",  # its group is optional
    "(?:w000|w001)[0-9]{5}",  # the vocabulary is not there
])
def test_a_fragment_a_match_can_skip_is_no_gate(source: str) -> None:
    assert gate_of(source, [VOCAB]) is None


def test_short_fragments_are_no_gates() -> None:
    assert gate_of("(?:ab|cd)[0-9]{5}", ["ab|cd"]) is None


def test_gated_set_answers_as_a_flat_set(snapshot) -> None:
    """The bundled contact patterns, with their pack's fragments and without, on every case text of the
    real-world tables (contact smuggling, ordinary names and bios) joined as the contact check joins fields."""
    flat_sources = snapshot.pattern_set.sources
    gated = snapshot.pattern_set
    assert gated.fragments and len(gated._direct) < gated.size  # some patterns stand behind a gate
    flat = PatternSet([compile_pattern(s) for s in flat_sources])
    texts: list[str] = []
    for name in ("blind22_ordinary_contact.yaml", "blind23_ordinary_contact.yaml", "dev18_ordinary_contact.yaml"):
        for case in load_cases(DATA / name):
            views = [snapshot.normalizer.views(v) for v in case["fields"].values()]
            texts.append("\n".join(v.contact.text for v in views))
    assert len(texts) > 3000
    differ = [t for t in texts if sorted(gated.matching(t)) != sorted(flat.matching(t))]
    assert not differ, differ[:5]
    assert sum(1 for t in texts if gated.matching(t)) > 700  # the contact cases match
