"""The skeleton view (term matching) and the contact view (contact detectors), built in one pass."""

from __future__ import annotations

from acctcheck.normalize.chars import CharFolder, Kind
from acctcheck.normalize.view import View


def skeleton_view(folder: CharFolder, value: str) -> View:
    """Separators and invisibles removed; each kept character folded. Proportional to len(value)."""
    text: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    flags: list[int] = []
    gaps: list[bool] = []
    gap = False
    for i, ch in enumerate(value):
        f = folder(ch)
        if f.kind != Kind.KEEP:
            gap = gap or bool(text)
            continue
        for c in f.out:
            text.append(c)
            starts.append(i)
            ends.append(i + 1)
            flags.append(f.flags)
            gaps.append(gap)
            gap = False
    return View("skeleton", value, "".join(text), tuple(starts), tuple(ends), tuple(flags), tuple(gaps))


def contact_view(folder: CharFolder, value: str) -> View:
    """Like the skeleton, but separators are kept (NFKC-folded) so regexes can see structure such as
    `vx: abc_123` or `name # qq.com`; invisible characters are still removed."""
    text: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    flags: list[int] = []
    for i, ch in enumerate(value):
        f = folder(ch)
        if f.kind == Kind.INVISIBLE:
            continue
        for c in f.out:
            text.append(c)
            starts.append(i)
            ends.append(i + 1)
            flags.append(f.flags)
    n = len(text)
    return View("contact", value, "".join(text), tuple(starts), tuple(ends), tuple(flags), (False,) * n)
