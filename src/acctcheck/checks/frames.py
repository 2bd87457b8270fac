"""Names framed like an organ's (rule kind `frame`): a division's full name, a few Han characters and an
organ-type ending (杭州市健康卫生委员会). Spans are found on the skeleton view, so traditional, width,
look-alike and separator evasions are seen through, and reported with the method the fold implies. Frames
with the `homophone` option are also found as the field sounds (its syllable codes), with one sound-alike
character in a head or ending (杭州市健康卫生委员惠, 空将兵忒战团): method homophone."""

from __future__ import annotations

import re

from acctcheck.checks.base import CheckContext, RawFinding
from acctcheck.contract import Method
from acctcheck.match.frames import FRAMES, WRITTEN, FrameIndex
from acctcheck.match.terms import spelling
from acctcheck.normalize.chars import Flag
from acctcheck.normalize.normalizer import FieldViews
from acctcheck.normalize.pinyin import LATIN
from acctcheck.normalize.view import View


def _method(view: View, s: int, he: int, ts: int, e: int) -> Method:
    """How the head and the ending were written (the gap is free text: 伍 of 退伍 is no number style), or
    `separator` if anything was put between the frame's characters. A numeral written as one (四 of 四川省) is the
    word's own spelling, not a number style."""
    for method in (spelling(view, s, he, _numerals(view, s, he)), spelling(view, ts, e, _numerals(view, ts, e))):
        if method not in ("exact", "separator"):
            return method
    return "separator" if any(view.gaps[s + 1:e]) else "exact"


def _numerals(view: View, s: int, e: int) -> tuple[int, ...]:
    """Fold flags of view.text[s:e] where the original holds a Chinese numeral as written (the skeleton folds 四 to
    4 and flags it, as it flags ④)."""
    out = []
    for i in range(s, e):
        a, z = view.span(i, i + 1)
        out.append(Flag.NUMBER if z - a == 1 and view.original[a] in _HAN_NUMERALS else 0)
    return tuple(out)


_HAN_NUMERALS = frozenset("〇一二三四五六七八九十")


def run(ctx: CheckContext) -> list[RawFinding]:
    snapshot = ctx.snapshot
    plan: dict[tuple[str, str], FrameIndex] | None = snapshot.families.get(FRAMES)
    if not plan:
        return []
    out: list[RawFinding] = []
    for name, views in ctx.fields:
        index = plan.get((ctx.request.account_type, name))
        if index is None or (index.needs_digit and not views.digits):
            continue  # no frame reads this field, or only hotline frames and it holds no number
        skel = views.skeleton
        # only the frames this field is read for; heard too where a frame has the homophone option
        for r_idx, s, he, ts, e, how in index.spans(skel.text, views.codes if index.spellings else ""):
            a, z = skel.span(s, e)
            method = _HOW[how] or _method(skel, s, he, ts, e)
            _report(ctx, name, views, r_idx, (a, z), skel.text[s:e], method, how != WRITTEN, out)
        if index.spellings and views.latin and _TYPED_LETTERS.search(skel.text):  # a name typed in pinyin
            pin = views.pinyin
            for r_idx, s, _, _, e, _ in index.typed_spans(pin.text):
                if any(f & LATIN for f in pin.flags[s:e]):  # all in Han, the spans above have it
                    a, z = pin.span(s, e)
                    _report(ctx, name, views, r_idx, (a, z), views.value[a:z], "pinyin", False, out)
    return out


_HOW: tuple[Method | None, ...] = (None, "lookalike", "homophone")  # by match.frames WRITTEN, LOOKALIKE, HEARD
_TYPED_LETTERS = re.compile("[a-z]{4}")


def _report(ctx: CheckContext, name: str, views: FieldViews, r_idx: int, span: tuple[int, int], matched: str,
            method: Method, weak: bool, out: list[RawFinding]) -> None:
    """Add the finding of one framed span (`span` in the field's value), unless a stronger finding or an
    exemption covers it. `weak`: a head or ending was misspelt (look-alike or sound-alike)."""
    snapshot = ctx.snapshot
    rules = snapshot.rules
    compiled = rules[r_idx]
    a, z = span
    if any(h.start < z and a < h.end and rules[h.rule].rule.category == compiled.rule.category
           and (rules[h.rule].rule.action == "reject" or (h.start <= a and z <= h.end))
           for h in ctx.term_hits(name, views)):
        return  # a listed or composed name that rejects, or covers the whole frame, already says it: a frame is
        # the fallback and must not hide a stronger finding (广东省公安厅 rejects); a shorter review hit inside it
        # (杭州市健 heard as 杭州市监) gives way to the frame instead
    if ctx.exempt(compiled, matched):
        return
    certainty = snapshot.policy.short_similar_shape_certainty if weak else None  # as weak as a one-edit spelling
    out.append(RawFinding(compiled, name, (a, z), views.value[a:z], matched, method, certainty=certainty))
