"""Where a pattern's shared vocabulary is necessary: the test that lets one RE2 set stand a define fragment
(a cue vocabulary) in for every pattern that cannot match without it.

Why: the contact patterns share a few long define fragments (the account cues, the spelt cues, the line cues).
In one RE2 set each pattern carries its own copy, and on text the set has not seen, the DFA states it builds
hold every copy's threads: a new state costs a pass over all of them (docs/performance.md, session 18). One
copy of the fragment in the first set, and the patterns that need it in a second set that runs only where the
fragment matched, give the same answer for less: a text with no cue never meets those patterns.

The answer stays exact only if the gate lies on every path of the pattern: inside no branch of an alternation,
under no quantifier that allows none. `gate_of` reads the pattern's structure (groups, bars, quantifiers; classes
and escapes skipped) to find such a group, and finds none whenever it is unsure."""

from __future__ import annotations

from dataclasses import dataclass

GATE_MIN_CHARS = 200  # a fragment shorter than this is no costly vocabulary: not worth a second set


@dataclass
class _Group:
    open: int  # index of its "("
    close: int = -1  # index of its ")"
    bar: bool = False  # a "|" at its own level


@dataclass(frozen=True)
class Gate:
    """What the first set holds for one pattern: `shared`, a pattern that many patterns' gates may be (the
    fragment itself, or the whole group around it), and `rest`, the other branches of the group the fragment
    is one branch of (`加v|联系` in `(?:{CUE}|加v|联系)`), a pattern of this pattern's own; None if none."""

    shared: str
    rest: str | None


def gate_of(source: str, fragments: list[str]) -> Gate | None:
    """A necessary condition of `source` built on its longest fragment (of GATE_MIN_CHARS or more), from the
    innermost group around the fragment that every match passes through. The fragment is often one branch of
    such a group, a cue alternation (`(?:{CUE}|加v|联系)`): then the gate is the fragment (shared with every
    other pattern built on it) or the group's other branches. Otherwise the whole group. None when no fragment
    stands inside a group every match passes through."""
    structure = _structure(source)
    if structure is None or structure[1]:
        return None  # unreadable, or the whole pattern is an alternation
    groups = structure[0]
    for fragment in sorted(fragments, key=len, reverse=True):
        if len(fragment) < GATE_MIN_CHARS:
            break
        at = source.find(fragment)
        if at < 0:
            continue
        end = at + len(fragment)
        around = sorted((g for g in groups if g.open < at and end <= g.close), key=lambda g: g.open, reverse=True)
        for g in around:  # innermost first
            if _necessary(source, g, around):
                body = _body(source, g)
                return None if body is None else _split(body, fragment)
        return None
    return None


def _necessary(source: str, g: _Group, around: list[_Group]) -> bool:
    """Whether every match passes through group `g`, given the groups `around` it (itself included): none of
    them may be skipped by a quantifier, and none but `g` may hold a bar at its own level."""
    return all(not _may_skip(source, a.close + 1) and (a is g or not a.bar) for a in around if a.open <= g.open)


def _body(source: str, g: _Group) -> str | None:
    """The pattern inside group `g`, less its capture name or `?:`; None for flags or another kind of group."""
    body = source[g.open + 1:g.close]
    if body.startswith("?P<"):
        return body[body.index(">") + 1:]
    if body.startswith("?:"):
        return body[2:]
    return None if body.startswith("?") else body


def _split(body: str, fragment: str) -> Gate | None:
    """The gate of a necessary group's `body` that holds `fragment`: the fragment and the other branches when
    the fragment is a run of the body's branches (or one branch, in a group of its own), else the whole body."""
    branches, own = _branches(body), _branches(fragment)
    if branches is None or own is None:
        return None
    for i in range(len(branches)):
        if branches[i] == f"(?:{fragment})":
            rest = branches[:i] + branches[i + 1:]
            break
        if branches[i:i + len(own)] == own:
            rest = branches[:i] + branches[i + len(own):]
            break
    else:
        return Gate(f"(?:{body})", None)
    return Gate(f"(?:{fragment})", f"(?:{'|'.join(rest)})" if rest else None)


def _branches(source: str) -> list[str] | None:
    """`source` split at its top-level bars, or None if it does not parse."""
    structure = _structure(source)
    if structure is None:
        return None
    cuts = [-1, *structure[1], len(source)]
    return [source[x + 1:y] for x, y in zip(cuts, cuts[1:], strict=False)]


def _structure(source: str) -> tuple[list[_Group], list[int]] | None:
    """Every parenthesised group (its bounds, whether it holds a bar at its own level) and the bars outside every
    group; None when the source does not parse as balanced groups. Classes and escapes are skipped."""
    groups: list[_Group] = []
    top: list[int] = []
    stack: list[_Group] = []
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = _class_end(source, i)
            if i < 0:
                return None
            continue
        if c == "(":
            g = _Group(i)
            stack.append(g)
            groups.append(g)
        elif c == ")":
            if not stack:
                return None
            stack.pop().close = i
        elif c == "|":
            if stack:
                stack[-1].bar = True
            else:
                top.append(i)
        i += 1
    return None if stack else (groups, top)


def _class_end(source: str, i: int) -> int:
    """The index after the character class opening at source[i], or -1."""
    j = i + 1
    if j < len(source) and source[j] == "^":
        j += 1
    if j < len(source) and source[j] == "]":
        j += 1  # a leading ] is a member
    while j < len(source):
        c = source[j]
        if c == "\\":
            j += 2
            continue
        if c == "[" and source.startswith("[:", j):
            end = source.find(":]", j + 2)
            if end < 0:
                return -1
            j = end + 2
            continue
        if c == "]":
            return j + 1
        j += 1
    return -1


def _may_skip(source: str, i: int) -> bool:
    """Whether the quantifier at source[i] (after a group) allows zero repetitions."""
    if i >= len(source):
        return False
    c = source[i]
    if c in "?*":
        return True
    if c == "{":
        end = source.find("}", i)
        if end < 0:
            return False  # a literal brace, no quantifier
        low = source[i + 1:end].split(",")[0].strip()
        return not low.isdigit() or int(low) == 0
    return False
