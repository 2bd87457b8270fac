"""Visual order of text that carries explicit bidi controls (Article 8(6): 相近的符号 used to evade).

A right-to-left override (U+202E) in front of reversed text *displays* as a banned name or a contact line
("\u202e部交外" shows as 外交部) while the stored text reads backwards. Matching runs over what users see, so a
field holding any bidi control is first put in display order, with a map back to the typed positions.

This is the Unicode Bidirectional Algorithm (UAX #9) for one paragraph, reduced to what account text needs:
explicit embeddings, overrides and isolates (X1–X10), weak numbers and neutrals resolved by their
neighbours (W/N rules, simplified), implicit levels (I1–I2) and reordering (L2). The tests compare the
display string with python-bidi (the unicode-bidi crate) on random mixes of Han, Latin, digits, spaces,
Hebrew and every control; this module exists because that library returns only the reordered string, not
the permutation that findings need to point at what the user typed.
"""

from __future__ import annotations

import unicodedata

LRE, RLE, PDF, LRO, RLO = "\u202a", "\u202b", "\u202c", "\u202d", "\u202e"
LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
CONTROLS = LRE + RLE + PDF + LRO + RLO + LRI + RLI + FSI + PDI
MAX_DEPTH = 125

_STRONG_R = frozenset({"R", "AL"})
_NUMBER = frozenset({"EN", "AN"})


def _class(ch: str) -> str:
    return unicodedata.bidirectional(ch) or "L"


def _first_strong(text: str, start: int, paragraph: bool = False) -> str | None:
    """P2 from `start` to the matching PDI (FSI's direction), or over the whole paragraph: characters inside
    nested isolates are skipped."""
    depth = 0
    for ch in text[start:]:
        if ch in (LRI, RLI, FSI):
            depth += 1
        elif ch == PDI:
            if depth == 0:
                if paragraph:
                    continue
                return None
            depth -= 1
        elif depth == 0:
            c = _class(ch)
            if c == "L":
                return "L"
            if c in _STRONG_R:
                return "R"
    return None


def _explicit(text: str, base: int) -> tuple[list[int], list[str]]:
    """Embedding level and effective class of every character (X1–X9; controls keep their level, class BN)."""
    levels: list[int] = []
    classes: list[str] = []
    stack: list[tuple[int, str | None, bool]] = [(base, None, False)]  # level, override, isolate
    overflow_isolates = overflow_embeddings = 0
    for i, ch in enumerate(text):
        level, override, _ = stack[-1]
        if ch in (RLE, LRE, RLO, LRO, RLI, LRI, FSI):
            isolate = ch in (RLI, LRI, FSI)
            rtl = ch in (RLE, RLO, RLI) or (ch == FSI and _first_strong(text, i + 1) == "R")
            nxt = (level + 1) | 1 if rtl else (level + 2) & ~1
            levels.append(level)
            classes.append("ON" if isolate else "BN")
            if isolate and override:
                classes[-1] = override
            if nxt <= MAX_DEPTH and overflow_isolates == 0 and overflow_embeddings == 0:
                ov = "R" if ch == RLO else "L" if ch == LRO else None
                stack.append((nxt, ov, isolate))
            elif isolate:
                overflow_isolates += 1
            elif overflow_isolates == 0:
                overflow_embeddings += 1
            continue
        if ch == PDI:
            if overflow_isolates:
                overflow_isolates -= 1
            elif any(s[2] for s in stack[1:]):
                overflow_embeddings = 0
                while not stack[-1][2]:
                    stack.pop()
                stack.pop()
            level, override, _ = stack[-1]
            levels.append(level)
            classes.append(override or "ON")
            continue
        if ch == PDF:
            if overflow_isolates == 0:
                if overflow_embeddings:
                    overflow_embeddings -= 1
                elif not stack[-1][2] and len(stack) > 1:
                    stack.pop()
            levels.append(level)
            classes.append("BN")
            continue
        levels.append(level)
        classes.append(override or _class(ch))
    return levels, classes


def _neighbour(strong: list[str | None], levels: list[int], classes: list[str], scan: range, level: int,
               base: int) -> str:
    """The strong direction next to a run of neutrals, looking along `scan` within its level run; at the edge
    of the run, sos/eos: the direction of the higher of its level and the level beyond (the paragraph's at
    either end of the text), as rule X10 says. Removed controls (BN) are skipped."""
    for k in scan:
        if classes[k] == "BN":
            continue
        if levels[k] != level:
            return "R" if max(level, levels[k]) & 1 else "L"
        found = strong[k]
        if found is not None:
            return found
    return "R" if max(level, base) & 1 else "L"


def _resolve(levels: list[int], classes: list[str], base: int) -> list[int]:
    """Implicit levels: numbers and neutrals take the direction of their strong neighbours (W/N rules,
    simplified: European and Arabic numbers count as R for neutrals), then I1–I2."""
    n = len(levels)
    strong: list[str | None] = []
    for c in classes:
        if c == "L":
            strong.append("L")
        elif c in _STRONG_R or c in _NUMBER:
            strong.append("R" if c != "EN" else "EN")
        else:
            strong.append(None)
    # W7 (simplified): EN after an L (in the same level run) behaves as L
    last: str | None = "R" if base & 1 else "L"
    for i in range(n):
        if i and levels[i] != levels[i - 1]:  # sos: the higher of the two levels gives the direction
            last = "R" if max(levels[i], levels[i - 1]) & 1 else "L"
        if strong[i] in ("L", "R"):
            last = strong[i]
        elif strong[i] == "EN":
            strong[i] = "L" if (last or ("R" if levels[i] & 1 else "L")) == "L" else "EN"
    out = list(levels)
    i = 0
    while i < n:
        if strong[i] is not None or classes[i] == "BN":
            i += 1
            continue
        j = i
        while j < n and (strong[j] is None) and levels[j] == levels[i]:
            j += 1
        before = _neighbour(strong, levels, classes, range(i - 1, -1, -1), levels[i], base)
        after = _neighbour(strong, levels, classes, range(j, n), levels[i], base)
        emb = "R" if levels[i] & 1 else "L"
        b = "R" if before == "EN" else before
        a = "R" if after == "EN" else after
        direction = b if b == a else emb
        for k in range(i, j):
            strong[k] = direction
        i = j
    for i in range(n):
        s, lv = strong[i], levels[i]
        if classes[i] == "BN":
            continue
        if lv & 1 == 0:
            out[i] = lv + (1 if s == "R" else 2 if s == "EN" else 0)
        else:
            out[i] = lv + (1 if s in ("L", "EN") else 0)
    for i in range(n):  # BN (removed controls) take the level of what precedes them, so runs stay whole
        if classes[i] == "BN":
            out[i] = out[i - 1] if i else base
    return out


def visual_order(text: str) -> tuple[str, list[int], list[bool]]:
    """(text in display order, original index of every display position, per original index whether it is
    shown right to left). Controls stay in the string (every view drops them as invisible); the paragraph
    level comes from the first strong character (P2)."""
    base = 1 if _first_strong(text, 0, paragraph=True) == "R" else 0
    levels, classes = _explicit(text, base)
    levels = _resolve(levels, classes, base)
    for i in range(len(text) - 1, -1, -1):  # L1: trailing white space and isolate controls at paragraph level
        if _class(text[i]) in ("WS", "BN", "LRI", "RLI", "FSI", "PDI") or text[i] in CONTROLS:
            levels[i] = base
        else:
            break
    order = list(range(len(text)))
    rtl = [bool(lv & 1) for lv in levels]
    if not levels:
        return text, order, rtl
    top = max(levels)
    lowest_odd = min((lv for lv in levels if lv & 1), default=top + 1)
    for lv in range(top, lowest_odd - 1, -1):  # L2
        i = 0
        while i < len(order):
            if levels[order[i]] >= lv:
                j = i
                while j < len(order) and levels[order[j]] >= lv:
                    j += 1
                order[i:j] = order[i:j][::-1]
                i = j
            else:
                i += 1
    return "".join(text[k] for k in order), order, rtl


def remap(maps: tuple[list[int], list[int], list[int], list[bool]], order: list[int], rtl: list[bool],
          flag: int) -> tuple[list[int], list[int], list[int], list[bool]]:
    """Offset maps of a view built over the display string, pointed back at the typed string: each position's
    span becomes the typed characters it came from, and `flag` marks positions shown right to left."""
    starts, ends, flags, gaps = maps
    new_starts, new_ends, new_flags = [], [], []
    for a, z, f in zip(starts, ends, flags, strict=True):
        typed = [order[k] for k in range(a, z)]
        new_starts.append(min(typed))
        new_ends.append(max(typed) + 1)
        new_flags.append(f | flag if any(rtl[k] for k in typed) else f)
    return new_starts, new_ends, new_flags, gaps
