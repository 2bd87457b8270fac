"""Registries of protected and closed account names (kind: registry; Articles 8(2) and 10).

Each field's skeleton view (the view the bundled packs match in: traditional, width, case, look-alike,
separators, number styles and bidi display order already folded) is searched in every registry artifact.
- the whole name is a listed name → the rule's action (reject by default);
- a listed name followed by an association suffix (备用, 小号, 2…) or inside a longer name → at most
  policy.registry.related_action (review); inside a longer name only from policy.registry.min_inner_chars
  characters, and a Latin name only as a whole word;
- an entry carrying the request's account_id is the account's own name: no finding.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING

from acctcheck.checks.base import CheckContext, RawFinding
from acctcheck.match.terms import bounded
from acctcheck.match.terms import spelling as _method
from acctcheck.normalize.normalizer import FieldViews
from acctcheck.normalize.pinyin import BREAK, LATIN
from acctcheck.normalize.skeleton import FILL
from acctcheck.packs.registries import BY_FIELD, SUFFIXES
from acctcheck.registry.artifact import RegistryIndex, word_interiors

if TYPE_CHECKING:
    from acctcheck.contract import Method
    from acctcheck.normalize.view import View
    from acctcheck.packs.snapshot import Snapshot

_FILLS = re.compile(f"{FILL}+")
_NO_GAPS: frozenset[int] = frozenset()


def run(ctx: CheckContext) -> list[RawFinding]:
    snapshot = ctx.snapshot
    plan = snapshot.families.get(BY_FIELD)
    if not plan:
        return []
    account_type = ctx.request.account_type
    out: list[RawFinding] = []
    for name, views in ctx.fields:
        todo = plan.get((account_type, name))
        if todo is None or not views.value:
            continue
        policy = snapshot.policy.registry
        suffixes: frozenset[str] = snapshot.families[SUFFIXES]
        account_id = ctx.request.account_id
        view = views.skeleton
        text = view.text
        typed_order = not view.reordered
        interiors = _Interiors(text, views) if typed_order else _no_interiors
        for r_idx, index in todo:
            heard = policy.sound_min_syllables > 0  # a whole name found as typed is not looked up by sound
            for s, e, kid in index.search(text, policy.min_inner_chars, suffixes, interiors):
                whole = s == 0 and e == len(text)
                suffixed = s == 0 and not whole and text[e:] in suffixes
                if not (whole or suffixed) and (e - s < policy.min_inner_chars or e in interiors()
                                                or not (typed_order or _word(snapshot, view, s, e))):
                    continue
                entries = index.entries(kid)
                if account_id is not None and any(owner == account_id for _, owner in entries):
                    continue
                listed = entries[0][0]
                key = text[s:e]
                method: Method
                if whole and listed == views.value:  # typed as listed, the usual case: no offset maps needed
                    a, b, method = 0, len(listed), "exact"
                    heard = False
                else:
                    # the listed name's own folds (a traditional name typed as listed is `exact`)
                    own = tuple(snapshot.normalizer.skeleton(listed).flags) if listed != key else ()
                    a, b = view.span(s, e)
                    method = _method(view, s, e, own)
                out.append(RawFinding(snapshot.rules[r_idx], name, (a, b), views.value[a:b], listed, method,
                                      len(key), cap=None if whole else policy.related_action))
            if heard:
                out.extend(_heard(ctx, r_idx, index, name, views, account_id, policy.sound_min_syllables))
    return out


def _heard(ctx: CheckContext, r_idx: int, index: RegistryIndex, field: str, views: FieldViews,
           account_id: str | None, min_syllables: int) -> list[RawFinding]:
    """The whole field heard like a listed name (张三峰 for 张三丰, typed zhangsanfeng): one lookup of the
    field's pinyin in the artifact's sound trie. A name the skeleton already matched is not reported twice."""
    pin = views.pinyin
    if len(pin.text) < min_syllables or BREAK in pin.text:
        return []  # a whole name with something no syllable reads (a digit, a stray letter) is not heard alike
    heard = index.heard(pin.text)
    if not heard:
        return []  # the usual case: one trie lookup and nothing more
    out: list[RawFinding] = []
    whole_key = views.skeleton.text
    typed = pin.tokens is not None and any(t[2] & LATIN for t in pin.tokens)
    for kid in heard:
        key = index.key(kid)
        if len(key) < min_syllables or key == whole_key:
            continue
        entries = index.entries(kid)
        if account_id is not None and any(owner == account_id for _, owner in entries):
            continue
        value = views.value
        out.append(RawFinding(ctx.snapshot.rules[r_idx], field, (0, len(value)), value, entries[0][0],
                              "pinyin" if typed else "homophone", len(key)))
    return out


class _Interiors:
    """A typed-order field's word interiors (registry.artifact.word_interiors), computed when first asked for:
    only a field where a listed name may start needs them. In typed order a word boundary is a change of
    character class or a dropped separator; in display order (bidi controls) there are none to skip, and
    neighbours are looked up in the original instead (_word)."""

    __slots__ = ("_text", "_views", "_inside")

    def __init__(self, text: str, views: FieldViews) -> None:
        self._text, self._views = text, views
        self._inside: AbstractSet[int] | None = None

    def __call__(self) -> AbstractSet[int]:
        if self._inside is None:
            self._inside = word_interiors(self._text, skeleton_gaps(self._views.marked))
        return self._inside


def _no_interiors() -> AbstractSet[int]:
    return _NO_GAPS


def skeleton_gaps(marked: str) -> frozenset[int]:
    """Skeleton positions that had a separator or an invisible character just before them (FieldViews.marked)."""
    if FILL not in marked:
        return _NO_GAPS
    gaps = set()
    dropped = 0
    for m in _FILLS.finditer(marked):
        dropped += m.end() - m.start()
        gaps.add(m.end() - dropped)
    return frozenset(gaps)


def _word(snapshot: Snapshot, view: View, s: int, e: int) -> bool:
    """In display order: a name starting or ending in a Latin letter or digit must not continue a word or
    digit run of the text as typed."""
    return bounded(snapshot.normalizer.folder, view, s, e)
