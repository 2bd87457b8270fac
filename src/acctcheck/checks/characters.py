"""Characters that deceive by their presence (rule kind `characters`): each run of them in a field is one
finding, located in the text as typed (the views drop invisible characters, so this check reads the raw
value). The compiler joins every such rule's characters into one regex (Snapshot.characters),
so a request without any of them costs one regex search per field."""

from __future__ import annotations

from acctcheck.checks.base import CheckContext, RawFinding
from acctcheck.packs.schema import CharactersRule
from acctcheck.packs.snapshot import of_kind


def run(ctx: CheckContext) -> list[RawFinding]:
    snapshot = ctx.snapshot
    family = snapshot.characters
    if family is None:
        return []
    search = family.search
    for _, views in ctx.fields:
        if search(views.value):
            break
    else:  # the usual case, on every request: a loop, not a generator under any()
        return []
    allowed = snapshot.rules_by_account[ctx.request.account_type]
    out: list[RawFinding] = []
    for compiled in (snapshot.rules[i] for i in family.rules):
        if compiled.index not in allowed or not of_kind(compiled, CharactersRule):
            continue
        rule = compiled.rule
        wanted = frozenset(rule.characters)
        for name, views in ctx.fields:
            value = views.value
            if name not in rule.fields or wanted.isdisjoint(value):
                continue
            i = 0
            while i < len(value):
                if value[i] not in wanted:
                    i += 1
                    continue
                j = i
                while j < len(value) and value[j] in wanted:
                    j += 1
                text = value[i:j]
                out.append(RawFinding(compiled, name, (i, j), text, " ".join(f"U+{ord(c):04X}" for c in text),
                                      "characters"))
                i = j
    return out
