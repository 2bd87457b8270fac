"""Property tests over the normaliser and the engine: nothing a user can type crashes them, every finding
points at exactly what was typed, offset maps stay consistent and the skeleton is a fixed point.

Hypothesis profiles: `dev` (default, 200 examples per property) and `ci` (selected when CI is set; fixed
seed so a red CI run replays locally with HYPOTHESIS_PROFILE=ci). Both have no deadline: the first call of
a process fills per-character caches, which is slow once and says nothing about the property."""

from __future__ import annotations

import os
import unicodedata

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from acctcheck.contract import TEXT_FIELDS, AccountFields, ValidateRequest, Verdict
from acctcheck.engine import validate
from acctcheck.normalize.chars import CharFolder
from acctcheck.normalize.normalizer import default_normalizer
from acctcheck.normalize.view import View

settings.register_profile("dev", max_examples=200, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("ci", parent=settings.get_profile("dev"), derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))

HOSTILE_PIECES = [
    # combining marks, enclosing marks, stacked diacritics
    "e\u0301", "\u0301", "\u20dd", "a\u0336\u0336", "外\u0308", "\u034f",
    # bidi controls: RTL/LTR overrides and isolates, marks
    "\u202e", "\u202d", "\u2066", "\u2069", "\u200f", "\u200e", "\u202eпоч\u202c",
    # zero-width and fillers used as separators
    "\u200b", "\u200c", "\u200d", "\ufeff", "\u2060", "\u3164", "\u115f", "\u2800", "\u180e",
    # emoji ZWJ sequences, flags, keycaps, skin tones, variation selectors
    "👨\u200d👩\u200d👧\u200d👦", "🏳\ufe0f\u200d🌈", "🇨🇳", "1\ufe0f\u20e3", "👍🏽", "\ufe0f", "\U000e0067",
    # unpaired surrogates (a Python str holds them; the API refuses them, the engine must not crash)
    "\ud800", "\udfff", "\udbff\udc00"[:1], "a\udc00b",
    # full-width, circled, parenthesised, super/subscript, math-styled digits and letters
    "ＡＢＣ", "１３８", "①②⑳", "㉑", "⑴⑵", "⒈", "²³", "₁", "½", "𝐀𝐁", "𝟏𝟑𝟖", "Ⓐ", "🄰",
    # other scripts' digits and look-alike letters
    "٣", "३", "০", "௧", "Оfficial", "ΑΒ", "Т", "İ", "ß", "ﬁ", "ǅ", "ﬃ", "Å",
    # CJK: terms the bundled packs know, traditional forms, numerals, radicals and separators
    "外交部", "國務院", "国务院", "公安局", "人民日报", "一三八", "壹叁捌", "幺", "丨", "⺠", "〇",
    "中华人民共和国外交部", "guowuyuan", "GuoWuYuan", "vx:", "微信", "qq", "@", "13800138000",
    # control characters and private use (the pinyin view encodes syllables in the PUA)
    "\x00", "\x07", "\x1b[31m", "\ue000", "\uf8ff", "\U0010fffd", "\r\n", "\t",
]


def any_char() -> st.SearchStrategy[str]:
    """Any code point, surrogates included (hypothesis leaves Cs out unless asked)."""
    return st.characters(exclude_categories=())


def hostile_text(max_size: int = 60) -> st.SearchStrategy[str]:
    return st.lists(st.one_of(any_char(), st.sampled_from(HOSTILE_PIECES), st.sampled_from(["外", "交", "部", "國"])),
                    max_size=max_size).map("".join)


def long_text() -> st.SearchStrategy[str]:
    """~10k characters: a hostile seed repeated (hypothesis would take long to draw 10k independent ones)."""
    return st.builds(lambda seed, n: (seed * (n // max(1, len(seed)) + 1))[:n],
                     hostile_text(40).filter(bool), st.integers(9_000, 10_000))


def field_values(long: bool = False) -> st.SearchStrategy[str]:
    return long_text() if long else hostile_text()


# --------------------------------------------------------------------------------------------- views


def assert_view_consistent(view: View, value: str) -> None:
    starts, ends, flags, gaps = view.starts, view.ends, view.flags, view.gaps
    assert len(starts) == len(ends) == len(flags) == len(gaps) == len(view.text), view.name
    assert view.original == value
    prev = 0
    for s, e in zip(starts, ends, strict=True):
        assert 0 <= s < e <= len(value), (view.name, s, e, len(value))
        assert s >= prev or view.reordered, (view.name, "starts decrease")  # display order (bidi) may go back
        prev = s


@given(hostile_text(200))
@example("薴" * 3)
@example("\ud800外\u202e交\u0301部👨\u200d👩\u200d👧")
def test_views_offsets_are_consistent(value: str) -> None:
    views = default_normalizer().views(value)
    for view in (views.skeleton, views.pinyin, views.contact):
        assert_view_consistent(view, value)
    assert len(views.codes) == len(views.skeleton.text)


@pytest.mark.slow
@given(long_text())
@settings(max_examples=20)
def test_views_of_10k_characters(value: str) -> None:
    views = default_normalizer().views(value)
    for view in (views.skeleton, views.pinyin, views.contact):
        assert_view_consistent(view, value)


@given(hostile_text(200))
@example("ＡＢＣ①②㉑國務院\u0301\u202e")
def test_skeleton_is_idempotent(value: str) -> None:
    norm = default_normalizer()
    once = norm.skeleton(value).text
    assert norm.skeleton(once).text == once
    assert norm.folder.fold_text(value) == once  # the offset-free fold used for terms agrees


@pytest.mark.slow
def test_skeleton_is_idempotent_for_every_assigned_code_point() -> None:
    """Folding is per character, so per-character idempotence is the whole property: check all of them.
    A fresh folder, so the shared caches are not filled with 150k one-off characters."""
    folder = CharFolder()
    bad = []
    for cp in range(0x110000):
        ch = chr(cp)
        if unicodedata.category(ch) in ("Cn", "Co", "Cs"):
            continue  # unassigned, private use and surrogates fold to nothing
        once = folder.fold_text(ch)
        if once and folder.fold_text(once) != once:
            bad.append(f"U+{cp:04X} {ch} -> {once} -> {folder.fold_text(once)}")
    assert not bad, bad[:20]


def test_opencc_chains_fold_to_the_end() -> None:
    """The one code point the exhaustive test above once found: OpenCC's t2s maps 薴 → 苧 and 苧 → 苎, so a
    single t2s step left 薴's skeleton one step short of a fixed point. Folding t2s to the end fixed it; this
    pins the chain (and its fold inside a longer text)."""
    norm = default_normalizer()
    assert norm.skeleton("薴").text == norm.skeleton("苧").text == norm.skeleton("苎").text
    once = norm.skeleton("薴麻").text
    assert norm.skeleton(once).text == once


# --------------------------------------------------------------------------------------------- engine


@st.composite
def requests(draw: st.DrawFn, long: bool = False) -> ValidateRequest:
    fields = {"nickname": draw(field_values(long))}
    for name in TEXT_FIELDS[1:]:
        if draw(st.booleans()):
            fields[name] = draw(field_values(long))
    account_type = draw(st.sampled_from(["personal", "institution"]))
    return ValidateRequest(account_type=account_type, fields=AccountFields(**fields))


def assert_findings_point_at_input(request: ValidateRequest, verdict: Verdict) -> None:
    values = dict(request.fields.items())
    for f in [*verdict.findings, *verdict.shadow_findings]:
        if f.span is None:  # image findings only
            assert f.field in ("avatar", "cover")
            continue
        assert f.field in values, f
        value = values[f.field]
        start, end = f.span
        assert 0 <= start < end <= len(value), f
        assert f.text == value[start:end], f


@given(requests())
@example(ValidateRequest(fields=AccountFields(nickname="外\u200b交\u202e部", bio="vx:abc_12345 ①③⑧⓪⓪①③⑧⓪⓪⓪")))
@example(ValidateRequest(fields=AccountFields(nickname="\ud800國務院\udfff", signature="guo\u0301wu yuan")))
def test_engine_never_crashes_and_spans_are_exact(snapshot, request: ValidateRequest) -> None:
    verdict = validate(snapshot, request)
    event(f"decision: {verdict.decision}")
    assert verdict.decision in ("pass", "review", "reject")
    assert_findings_point_at_input(request, verdict)
    has_surrogate = any(0xD800 <= ord(c) <= 0xDFFF for _, v in request.fields.items() for c in v)
    if not has_surrogate:  # what the API can be sent must also serialise (the API refuses surrogates first)
        assert Verdict.model_validate_json(verdict.model_dump_json()) == verdict


@pytest.mark.slow
@given(requests(long=True))
@settings(max_examples=10)
def test_engine_on_10k_character_fields(snapshot, request: ValidateRequest) -> None:
    """Beyond the API's field limit (max_field_chars), but the engine is also called by the CLI and bulk scans."""
    assert_findings_point_at_input(request, validate(snapshot, request))


@given(st.lists(st.sampled_from(HOSTILE_PIECES), min_size=1, max_size=30).map("".join))
def test_engine_on_hostile_pieces_only(snapshot, value: str) -> None:
    request = ValidateRequest(fields=AccountFields(nickname=value, bio=value[::-1]))
    assert_findings_point_at_input(request, validate(snapshot, request))
