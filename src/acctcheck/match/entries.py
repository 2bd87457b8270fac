"""Payloads of the term automata: which owner (a rule index, or an allow-list) and which part of it a key
stands for. Matching reads only the part structure (compose chains); what an owner means is the checks'."""

from __future__ import annotations

from dataclasses import dataclass

ALLOW = -1  # the owner of an allow-list entry (TermEntry.rule)


@dataclass(frozen=True, slots=True)
class TermEntry:
    """Payload of one automaton key: which rule (or allow-list) and which part of it the key stands for.

    A slotted dataclass, not a NamedTuple: the request path reads its fields ~100 times per request, and a
    slot is ~3× faster to read than a NamedTuple field. A loaded artifact builds them per key on first sight
    (match/automaton.py), so their slower construction is paid once per key a worker meets."""

    rule: int  # index into Snapshot.rules, or ALLOW
    pack: int  # index into Snapshot.packs
    part: int  # -1 for a whole term; k for part k of a compose rule
    canonical: str
    flags: tuple[int, ...]  # the term's own fold flags per position (so 第一 in a term is not "number_style")
    syllables: int
    name: str = ""  # the name (canonical or alias) this key was built from: what the finding reports
    capitals: bool = False  # a Latin acronym written in capitals in the pack (NATO): matches only in capitals
    covers: int = 1  # compose parts this key stands for (2 when a one-character head was merged with part 1)
    head: str = ""  # a completed compose chain: its first part's canonical name (京东 of 京东客服), for exemptions
    # the key is the name typed in Latin letters, as its pinyin initials (rmrb of 人民日报) or spelt out around its
    # digits (jiaoguan12123): reported as typed pinyin
    initials: bool = False
    edited: bool = False  # a short key with one similar-shape substitution (友布 of 发布, 人氏网 of 人民网)
    typed_only: bool = False  # a pinyin key for the term typed in Latin only (pin gan of 平安: never a homophone)

    def __reduce__(self) -> tuple[type[TermEntry], tuple[object, ...]]:
        """Pickled positionally: a loaded artifact builds each key's payloads through __init__, not through the
        frozen dataclass's generic setstate (~6× slower)."""
        return TermEntry, (self.rule, self.pack, self.part, self.canonical, self.flags, self.syllables, self.name,
                           self.capitals, self.covers, self.head, self.initials, self.edited, self.typed_only)


# Classes of the payloads of one automaton key (TermAutomaton.groups), so collection handles a group at a time:
WHOLE, FIRST, LATER, COMPLETE = 0, 1, 2, 3  # whole term or allow entry; a compose head that needs the next part;
ENTRY_CLASSES = 4                           # a later part; a head that already covers every part (美驻华使馆)


def entry_class(entry: TermEntry, rule_parts: tuple[int, ...]) -> int:
    """The group of a payload (see WHOLE …): `rule_parts[i]` is rule i's number of compose parts."""
    if entry.part < 0:
        return WHOLE
    if entry.part == 0:
        return FIRST if entry.covers < rule_parts[entry.rule] else COMPLETE
    return LATER
