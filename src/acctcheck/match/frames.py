"""Framed spans: a head word, then a few Han characters, then an ending word, found in one automaton pass.

The words come from rule packs (kind `frame`), but this module knows only keys, roles and gap bounds: which
rule a span belongs to is the caller's business. Cost per field is one Aho-Corasick pass plus the pairs of
heads and endings that occur, so it does not grow with the number of heads (thousands of divisions)."""

from __future__ import annotations

from dataclasses import dataclass

from acctcheck.match.automaton import TermAutomaton
from acctcheck.match.fuzzy import TWO_EDIT_KEY
from acctcheck.normalize.pinyin import BREAK

HEAD, TAIL, UNLESS = 0, 1, 2
BOTH_HEARD = 6  # characters a text needs before a frame whose head and ending are both sound-alikes is looked for
WRITTEN, LOOKALIKE, HEARD, TYPED = 0, 1, 2, 3  # how a span's words were spelt (FrameIndex.spans, .typed_spans)
FRAMES = "frames"  # Snapshot.families key: (account type, field) -> the FrameIndex of the frames read there


@dataclass(frozen=True, slots=True)
class Gap:
    """How far apart a frame's head and ending may be, and what may not stand between them."""

    min: int
    max: int
    excludes: frozenset[str]
    not_before: frozenset[str] = frozenset()


def _word(ch: str) -> bool:
    """A Han character, or a digit the skeleton folded from one (伍 of 退伍 is read as 5)."""
    return "\u3400" <= ch <= "\u9fff" or "\U00020000" <= ch <= "\U0003134f" or "0" <= ch <= "9"


class FrameIndex:
    """Every frame word of every frame rule, keyed by its folded spelling, with each key's (frame, role). Frames
    with the `homophone` option also carry their words keyed by how they sound (syllable codes, `heard`),
    in the same automaton: code keys never occur in a skeleton, nor Han keys in codes, so one automaton serves
    the pass over each (spans)."""

    def __init__(self, keys: dict[str, list[tuple[int, int, bool]]], gaps: dict[int, Gap],
                 heard: dict[str, list[tuple[int, int, bool]]] | None = None,
                 spellings: dict[str, frozenset[str]] | None = None) -> None:
        # payload (frame, role, edited): edited = a look-alike spelling of the word (洛阳市 as 络阳市), or a word
        # heard (keys are syllable codes, which no skeleton key shares: they sit in a range of their own)
        entries = dict(keys)
        if heard:
            entries.update(heard)
        self.automaton: TermAutomaton[tuple[int, int, bool]] = TermAutomaton(entries)
        self.gaps = gaps
        # per automaton key, for a heard key the words it is heard from (to count the characters swapped); None
        # for a written key, and no list at all when no frame here is heard
        self.spellings: list[frozenset[str] | None] | None = None
        if heard:
            assert spellings is not None
            self.spellings = [spellings[k] if k in heard else None for k in entries if k]  # TermAutomaton's order
        # the keys that end some frame: a text holding none has no framed span, and most names hold a head
        # word only (人民, 社会, a place), so they stop at this test
        self.ending_keys = frozenset(i for i, payloads in enumerate(self.automaton.payloads)
                                     if any(role == TAIL for _, role, _ in payloads))
        # and the keys that open some frame: a one-character ending (旅 of 旅行, 网 heard in 王) is common alone
        self.head_keys = frozenset(i for i, payloads in enumerate(self.automaton.payloads)
                                   if any(role == HEAD for _, role, _ in payloads))
        # the written words of the frames that are also heard: one of them anchors a span with one swapped word
        heard_frames = {frame for payloads in (heard or {}).values() for frame, _, _ in payloads}
        self.anchors = frozenset(i for i, payloads in enumerate(self.automaton.payloads)
                                 if not self._heard_key(i) and any(frame in heard_frames for frame, _, _ in payloads))
        # every frame here has a digit in each of its heads or in each of its endings (hotline numbers): a text
        # without a digit has no span, and most bios, the only field some indexes serve, hold none
        digitless = {(frame, role) for key, payloads in keys.items() if not any("0" <= c <= "9" for c in key)
                     for frame, role, _ in payloads}
        self.needs_digit = all((f, HEAD) not in digitless or (f, TAIL) not in digitless for f in gaps)

    def spans(self, text: str, codes: str = "") -> list[tuple[int, int, int, int, int, int]]:
        """(frame, head start, head end, tail start, tail end, how) of every framed span of `text`, the widest
        per ending: a head, then min..max Han characters (or digits folded from them) none of which the frame
        excludes, then an ending that no `unless` word closes and no `not_before` character follows. At most one
        of head and ending may be misspelt, unless the span is long (TWO_EDIT_KEY). `how`: WRITTEN as listed,
        LOOKALIKE (a look-alike spelling of a word), or HEARD.

        `codes` is `text` as heard (one syllable code per character, skeleton.Woven.codes): there a word of two
        characters or more counts with one character swapped for a sound-alike, a one-character word only as
        written, and a span is reported only if some word in it is swapped (the written pass has the rest). The
        codes are read only where a word of a heard frame is written in `text` (the other word of a span with one
        swap) or the text is long enough for a span with both words swapped (BOTH_HEARD)."""
        matches = self.automaton.matches(text)
        spellings = self.spellings
        if matches and spellings is not None:  # a code key spelt by letters of another script is no written word
            matches = [m for m in matches if spellings[m[2]] is None]
        out = self._framed(matches, text, None) if self._framable(matches) else []
        if spellings is None or not codes:
            return out
        if len(text) < BOTH_HEARD and (not matches or not any(idx in self.anchors for _, _, idx in matches)):
            return out
        heard = [(s, e, idx) for s, e, idx in self.automaton.matches(codes)
                 if (words := spellings[idx]) is not None and _heard_as(text, s, e, words)]
        if self._framable(heard):
            found = {(f, te) for f, _, _, _, te, _ in out}
            out += [span for span in self._framed(heard, text, spellings) if (span[0], span[4]) not in found]
        return out

    def typed_spans(self, codes: str) -> list[tuple[int, int, int, int, int, int]]:
        """The frames with the `homophone` option in a pinyin view's codes (a syllable per token, BREAK where a
        token is no syllable): a name typed in pinyin (fazhixinwenwang, yuegangaodawanqu…weiyuanhui) is heard
        as listed. Positions are the view's tokens; the gap counts syllables. How: TYPED."""
        spellings = self.spellings
        if spellings is None:
            return []
        matches = [m for m in self.automaton.matches(codes) if spellings[m[2]] is not None]
        return self._framed(matches, codes, None, typed=True) if self._framable(matches) else []

    def _heard_key(self, idx: int) -> bool:
        return self.spellings is not None and self.spellings[idx] is not None

    def _framable(self, matches: list[tuple[int, int, int]]) -> bool:
        """Some match ends a frame after some match that opens one has ended: the cheap test most texts stop
        at (a place alone, 成都吃货, both opens and ends frames)."""
        if not matches:
            return False
        heads = self.head_keys
        opened = min((e for _, e, idx in matches if idx in heads), default=-1)
        if opened < 0:
            return False
        endings = self.ending_keys
        return any(idx in endings and s >= opened for s, _, idx in matches)

    def _framed(self, matches: list[tuple[int, int, int]], text: str, spellings: list[frozenset[str] | None] | None,
                typed: bool = False) -> list[tuple[int, int, int, int, int, int]]:
        """The spans of written (`spellings` None), heard, or `typed` matches (`text` is then syllable codes)."""
        heads: dict[int, list[tuple[int, int, bool]]] = {}
        tails: list[tuple[int, int, int, bool]] = []
        unless: set[tuple[int, int]] = set()
        payloads_of = self.automaton.payloads
        for s, e, idx in matches:
            swapped = spellings is not None and text[s:e] not in (spellings[idx] or ())
            for frame, role, edited in payloads_of[idx]:
                edited = edited and (spellings is None or swapped) and not typed
                if role == HEAD:
                    heads.setdefault(frame, []).append((s, e, edited))
                elif role == TAIL:
                    tails.append((frame, s, e, edited))
                else:
                    unless.add((frame, e))
        if not heads or not tails:
            return []
        out: dict[tuple[int, int], tuple[int, int, int, bool]] = {}
        for frame, ts, te, t_edited in tails:
            if (frame, te) in unless:
                continue
            gap = self.gaps[frame]
            if not typed and te < len(text) and text[te] in gap.not_before:
                continue
            for hs, he, h_edited in heads.get(frame, ()):
                if h_edited and t_edited and te - hs < TWO_EDIT_KEY:
                    continue  # one edit per short name; a long one may carry one in its head and its ending
                if spellings is not None and not (h_edited or t_edited):
                    continue  # written as listed: the written pass has it
                n = ts - he
                if gap.min <= n <= gap.max and all((c != BREAK) if typed else (_word(c) and c not in gap.excludes)
                                                   for c in text[he:ts]):
                    key = (frame, te)
                    if key not in out or hs < out[key][0]:
                        out[key] = (hs, he, ts, h_edited or t_edited)
        if typed:
            return [(frame, hs, he, ts, te, TYPED) for (frame, te), (hs, he, ts, _) in out.items()]
        how = HEARD if spellings is not None else LOOKALIKE
        return [(frame, hs, he, ts, te, how if ed else WRITTEN) for (frame, te), (hs, he, ts, ed) in out.items()]


def _heard_as(written: str, s: int, e: int, words: frozenset[str]) -> bool:
    """The word heard at s:e is written as one of `words`, or (two characters or more) with one character
    swapped."""
    piece = written[s:e]
    if piece in words:
        return True
    if e - s == 1:
        return False
    return any(sum(a != b for a, b in zip(piece, w, strict=True)) == 1 for w in words if len(w) == e - s)
