"""Term hits of a field with the rule options and the policy applied: which automaton (one-edit fields),
allow-lists, Latin boundaries, capitals, one-edit certainty, the sound options of each rule (homophone,
typed pinyin) and their thresholds, and sentence breaks. Shared by every check that reads term rules
(terms, professions, institution nature words) through CheckContext.term_hits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from acctcheck.contract import Method
from acctcheck.match.entries import TermEntry
from acctcheck.match.initials import INITIALS, InitialsRule
from acctcheck.match.initials import find as find_initials
from acctcheck.match.terms import bounded, collect, in_capitals, sound_swaps, spans_sentences, spelling
from acctcheck.normalize.chars import CharFolder, is_han
from acctcheck.normalize.normalizer import FieldViews
from acctcheck.normalize.pinyin import BREAK, LATIN, may_read_two_ways
from acctcheck.packs.schema import ComposeRule, InstitutionNatureRule, ProfessionRule, TermsRule
from acctcheck.packs.snapshot import Snapshot


@dataclass(frozen=True, slots=True)
class TermHit:
    rule: int
    start: int  # original-string span
    end: int
    canonical: str
    method: Method
    syllables: int
    key: str  # the view text that matched (skeleton form), for exemptions
    certainty: float | None = None  # overrides the policy's certainty for the method (one-edit matches)
    name: str = ""  # the listed name that matched (an alias such as 发改委, or the canonical name)
    head: str = ""  # compose hits: the first part's canonical name (for exemptions)


SoundRule = TermsRule | ComposeRule | ProfessionRule | InstitutionNatureRule  # the kinds with sound options


def find_term_hits(snapshot: Snapshot, views: FieldViews, field: str, account_type: str) -> list[TermHit]:
    """All term hits of one field, allow-listed and bounded, best method per (rule, span, canonical).

    Candidates are compared in skeleton coordinates (allow-list overlaps, a pinyin hit the skeleton already
    has); only the survivors are mapped back to the original, so a clean field never builds offset maps."""
    rules = snapshot.rules
    rule_parts = snapshot.rule_parts
    policy = snapshot.policy
    normalizer = snapshot.normalizer
    fold = normalizer.folder
    allowed = snapshot.rules_by_field[(account_type, field)]
    skel = views.skeleton
    if not skel.text:
        return []
    names = policy.field_names
    one_edit = field in policy.one_edit_fields or (
        names is not None and field in names.fields and len(skel.text) <= names.one_edit_max_chars)
    terms = snapshot.one_edit_terms if one_edit else snapshot.skeleton_terms
    entries, allow = collect(skel.text, terms, allowed, rule_parts, normalizer.shapes,
                             snapshot.alike_terms if one_edit else None)

    def allowed_out(pack: int, s: int, e: int, written: bool = False) -> bool:
        """An allow-list phrase of the hit's pack overlaps it (中国风 over 中国, 外交部门 over 外交部), unless the hit
        is `written` as listed, longer, and holds the whole phrase: a listed name built on an ordinary one (看看新闻
        holds 看新闻). A hit heard by sound keeps to any overlap (合成纤维 is no 合成县委)."""
        return any(p == pack and a < e and s < b and not (written and s <= a and b <= e and e - s > b - a)
                   for p, a, b in allow)

    # (rule, skeleton start, end, canonical) -> (entry, method, certainty)
    found: dict[tuple[int, int, int, str], tuple[TermEntry, Method, float | None]] = {}
    initialled: set[tuple[int, int, int]] = set()  # (rule, span) of a name found by its initials
    for entry, s, e, fuzzy in entries:
        if allow and allowed_out(entry.pack, s, e, written=not fuzzy):
            continue
        if not bounded(fold, skel, s, e):
            continue
        if entry.capitals and not in_capitals(skel, s, e, entry.flags):
            continue
        k = (entry.rule, s, e, entry.canonical)
        if fuzzy:
            # an edit inside a short key or part (上海友布, 人氏网) is as weak as one in a short name; of one name
            # found both weakly (a shared part) and by a listed look-alike (国家卫生徤康委), the surer reading counts
            sure = (policy.similar_shape_certainty
                    if len(entry.flags) >= policy.similar_shape_min_chars and not entry.edited
                    else policy.short_similar_shape_certainty)
            had = found.get(k)
            if had is None or (had[2] is not None and sure > had[2]):
                found[k] = (entry, "lookalike", sure)
            continue
        if entry.initials:
            if (entry.rule, s, e) not in initialled:  # hz公安: 杭州, 湖州, 惠州… — one finding names the first
                initialled.add((entry.rule, s, e))
                found[k] = (entry, "pinyin", policy.initials_certainty)
            continue
        found[k] = (entry, spelling(skel, s, e, entry.flags), None)
    if one_edit and views.latin and (chains := snapshot.families.get(INITIALS)):
        _typed_initials(chains, skel.text, allowed, found, policy.initials_certainty)
    if snapshot.pinyin_terms.size:
        # no Latin letter in the field (tokens None): nothing was typed in pinyin, so typed-only keys cannot match,
        # and the field as heard is its syllable codes, one per skeleton position (no pinyin view to build). Typed
        # letters are read both ways where a letter may open or close a syllable (pin gan, ping an).
        codes = views.codes
        readings: list[tuple[str, list[tuple[int, int, int]] | None]] = [(codes, None)]
        heard_terms = snapshot.pinyin_heard_terms
        near = False
        if views.latin:
            readings = [(views.pinyin.text, views.pinyin.tokens)]
            if may_read_two_ways(views.marked) and (late := views.pinyin_late).text != readings[0][0]:
                readings.append((late.text, late.tokens))
        elif (near_terms := snapshot.near_heard_terms) is not None and field in policy.one_edit_fields and \
                len(codes) - codes.count(BREAK) >= policy.near_sound_min_syllables:
            # a name long enough to be heard with near sounds (policy near_sound_min_syllables): one pass finds
            # exact and near homophones, every heard key being indexed by its near-sound reading
            near = True
            readings = [(codes.translate(normalizer.pinyin.near_table), None)]
            heard_terms = near_terms
        p_entries = [(entry, ps, pe, tokens) for text, tokens in readings for entry, ps, pe, _ in collect(
            text, snapshot.pinyin_terms if tokens is not None else heard_terms, allowed, rule_parts,
            normalizer.shapes)[0]]
        near_entries: list[tuple[TermEntry, int, int]] = []
        if near:  # a hit heard with a near sound somewhere is judged after every exact one (_near_sound)
            exact = []
            for x, ps, pe, tokens in p_entries:
                if normalizer.pinyin.heard_as(codes[ps:pe], x.name.translate(fold.han_table)):
                    exact.append((x, ps, pe, tokens))
                else:
                    near_entries.append((x, ps, pe))
            p_entries = exact
        named: dict[int, bool] = {}  # id(tokens) -> the reading is a personal name's (reads_as_name), once a reading
        for entry, ps, pe, tokens in p_entries:
            if tokens is None:
                s, e, typed = ps, pe, False
            else:
                s, e = tokens[ps][0], tokens[pe - 1][1]
                typed = any(tokens[i][2] & LATIN for i in range(ps, pe))
            seen: list[tuple[int, int, int, str]] = []
            if any(k[0] == entry.rule and k[1] < e and s < k[2] for k in found):
                seen = [k for k in found if k[0] == entry.rule and k[1] < e and s < k[2]]
                if any(not found[k][0].edited for k in seen):
                    continue  # the skeleton already saw this term here (a weak look-alike yields to a reading by sound)
            if allow and allowed_out(entry.pack, s, e):
                continue
            rule = rules[entry.rule].rule
            if not isinstance(rule, SoundRule):  # only these kinds index pinyin keys (packs/compiler.py)
                continue
            method: Method
            if typed:
                least = max(policy.pinyin_min_syllables, getattr(rule, "pinyin_min_syllables", 0))
                if not rule.pinyin or entry.syllables < least:
                    continue
                if entry.syllables < getattr(rule, "pinyin_name_min_syllables", 0) and field == "nickname" and \
                        tokens is not None:
                    name = named.get(id(tokens))
                    if name is None:
                        name = named[id(tokens)] = reads_as_name(tokens, skel.text, policy.pinyin_name_syllables)
                    if name:
                        continue  # Wu Jing, not 武警
                method = "pinyin"
            else:
                if entry.typed_only or not rule.homophone or entry.syllables < policy.heard_min_syllables(rule):
                    continue
                if rule_parts[entry.rule] and entry.syllables < policy.compose_homophone_min_syllables:
                    continue  # place + one-character word by sound (兰陵王 ≈ 兰陵网)
                swaps = policy.homophone_max_swaps + (  # a long place × organ name (航州市宫安): one swap more
                    isinstance(rule, ComposeRule) and rule.word_swaps
                    and entry.syllables >= policy.homophone_more_swaps_syllables)
                if (rule_parts[entry.rule] or entry.syllables < policy.sound_reject_min_syllables) and \
                        sound_swaps(fold, skel.text[s:e], entry.name) > swaps and \
                        not (isinstance(rule, ComposeRule) and rule.word_swaps
                             and _word_heard(fold, normalizer.shapes.words, skel.text[s:e], entry)):
                    continue  # a composed or short name heard in an unrelated phrase (引以为鉴 ≈ 烟台卫健)
                method = "homophone"
            for k in seen:  # 国家卫生徤康委 heard exactly, not 国家卫生徤康委员会 seen with a shared part
                del found[k]
            found.setdefault((entry.rule, s, e, entry.canonical), (entry, method, None))
        for entry, s, e in near_entries:
            _near_sound(snapshot, skel.text, entry, s, e, found, allowed_out)
    hits: list[TermHit] = []
    breaks = policy.sentence_breaks if field in policy.sentence_break_fields else ""
    for (r, s, e, canonical), (entry, method, certainty) in found.items():
        a, z = skel.span(s, e)
        if breaks and spans_sentences(views.value[a:z], breaks):
            continue  # the skeleton joined the end of one sentence to the start of the next
        hits.append(TermHit(r, a, z, canonical, method, entry.syllables, skel.text[s:e], certainty, entry.name,
                            entry.head))
    return hits


def reads_as_name(tokens: list[tuple[int, int, int]], text: str, most: int) -> bool:
    """Whether a field's pinyin tokens are a personal name's: typed syllables only (digits and marks aside), at
    most `most` of them, and no Chinese character (zhong央 is no name)."""
    syllables = 0
    for a, _, flags in tokens:
        if flags & LATIN:
            syllables += 1
        elif is_han(text[a]):
            return False
    return 0 < syllables <= most


def _typed_initials(chains: tuple[InitialsRule, ...], text: str, allowed: frozenset[int],
                    found: dict[tuple[int, int, int, str], tuple[TermEntry, Method, float | None]],
                    certainty: float) -> None:
    """Composed names typed as the initials of both parts (mdjxf for 牡丹江消防: compose option initials), where the
    automaton found nothing for the rule at the word."""
    for hit in find_initials(chains, text, allowed):
        s, e = hit.start, hit.end
        if any(k[0] == hit.rule and k[1] < e and s < k[2] for k in found):
            continue
        canonical, name = hit.head[0] + hit.tail[0], hit.head[1] + hit.tail[1]
        entry = TermEntry(hit.rule, hit.pack, -1, canonical, (0,) * (e - s), e - s, name, head=hit.head[0],
                          initials=True)
        found[(hit.rule, s, e, canonical)] = (entry, "pinyin", certainty)


def _near_sound(snapshot: Snapshot, text: str, entry: TermEntry, s: int, e: int,
                found: dict[tuple[int, int, int, str], tuple[TermEntry, Method, float | None]],
                allowed_out: Callable[[int, int, int], bool]) -> None:
    """A name heard with a near sound (人名 for 人民, 镇府 for 政府: policy near_sound_min_syllables) where no
    spelling or exact homophone was found: weak (review), one swapped character per near_sound_syllables_per_swap
    syllables."""
    policy = snapshot.policy
    rule = snapshot.rules[entry.rule].rule
    if not isinstance(rule, SoundRule) or not rule.homophone or entry.typed_only:
        return
    if entry.syllables < policy.near_sound_min_syllables:
        return  # a short name: near sounds of four characters are idioms and phrases
    if any(k[0] == entry.rule and k[1] < e and s < k[2] for k in found) or allowed_out(entry.pack, s, e):
        return
    swaps = sound_swaps(snapshot.normalizer.folder, text[s:e], entry.name)
    if 0 < swaps <= entry.syllables // policy.near_sound_syllables_per_swap:
        found[(entry.rule, s, e, entry.canonical)] = (entry, "homophone", policy.short_similar_shape_certainty)


def _word_heard(fold: CharFolder, words: frozenset[str], typed: str, entry: TermEntry) -> bool:
    """A composed name whose place is written exactly and whose two swapped characters make one word of it
    heard alike (广州攻岸 for 广州公安, 天津市人民捡查院 for 天津市人民检察院): the exact place keeps it from being an
    unrelated phrase, unless the heard word is an ordinary word itself (data/words.txt: 较劲, 江景)."""
    if not entry.head:
        return False
    key = fold.fold_text(entry.name)
    if len(typed) != len(key):
        return False
    diff = [i for i, (a, b) in enumerate(zip(typed, key, strict=True)) if a != b]
    return len(diff) == 2 and diff[0] >= 2 and diff[1] == diff[0] + 1 and typed[diff[0]:diff[1] + 1] not in words
