"""Names mentioned, not claimed, in free text (policy `mention`): 每天读人民日报 names an outlet, 人民日报官方账号
claims it. Shared by the term and profession checks."""

from __future__ import annotations

from acctcheck.packs.schema import MentionPolicy


def mention_cap(mention: MentionPolicy, value: str, start: int, end: int) -> str | None:
    """The highest action a name at value[start:end] in free text may take (MentionPolicy), None for any."""
    if not value[:start].strip() and not value[end:].strip():
        return None  # the name is the whole field
    before = value[max(0, start - mention.window):start]
    after = value[end:end + mention.window]
    if any(c in before or c in after for c in mention.claim_cues):
        return None
    if any(c in before for c in mention.mention_before) or any(c in after for c in mention.mention_after):
        return mention.mention_action
    return mention.bare_action
