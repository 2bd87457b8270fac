"""The skeleton view (term matching) and the contact view (contact detectors).

Texts come from `str.translate` over per-character tables the folder fills on first sight of a character;
offset maps are rebuilt by walking the original only when needed (see view.py)."""

from __future__ import annotations

from acctcheck.normalize.chars import CharFolder, Kind
from acctcheck.normalize.view import Maps, View


def _skeleton_maps(folder: CharFolder, value: str) -> Maps:
    starts: list[int] = []
    flags: list[int] = []
    gaps: list[bool] = []
    gap = False
    for i, ch in enumerate(value):
        f = folder(ch)
        if f.kind != Kind.KEEP:
            gap = gap or bool(starts)
            continue
        for _ in f.out:
            starts.append(i)
            flags.append(f.flags)
            gaps.append(gap)
            gap = False
    return starts, [x + 1 for x in starts], flags, gaps


def _contact_maps(folder: CharFolder, value: str) -> Maps:
    starts: list[int] = []
    flags: list[int] = []
    for i, ch in enumerate(value):
        f = folder(ch)
        if f.kind == Kind.INVISIBLE:
            continue
        fl = f.flags if f.kind == Kind.KEEP else 0
        for _ in f.out:
            starts.append(i)
            flags.append(fl)
    return starts, [x + 1 for x in starts], flags, [False] * len(starts)


def skeleton_view(folder: CharFolder, value: str) -> View:
    """Separators and invisibles removed; each kept character folded."""
    return View("skeleton", value, value.translate(folder.skeleton_table),
                lambda: _skeleton_maps(folder, value), value.translate(folder.han_table))


def contact_view(folder: CharFolder, value: str) -> View:
    """Like the skeleton, but separators are kept (NFKC-folded) so regexes can see structure such as
    `vx: abc_123` or `name # qq.com`; invisible characters are still removed."""
    return View("contact", value, value.translate(folder.contact_table), lambda: _contact_maps(folder, value))
