"""Names mentioned, not claimed, in free text (policy `mention`): 每天读人民日报 names an outlet, 人民日报官方账号
claims it. Shared by the term and profession checks."""

from __future__ import annotations

from acctcheck.contract import Action
from acctcheck.packs.schema import MentionPolicy


def claim_floor(mention: MentionPolicy, value: str, start: int, end: int) -> Action | None:
    """claim_action for a name next to a claim cue in a claim_fields field (杭州在线官方), else None."""
    before = value[max(0, start - mention.window):start]
    after = value[end:end + mention.window]
    return mention.claim_action if any(c in before or c in after for c in mention.claim_cues) else None


def mention_cap(mention: MentionPolicy, value: str, start: int, end: int) -> tuple[Action | None, Action | None]:
    """(cap, floor) for a name at value[start:end] in free text (MentionPolicy): the highest and the least
    action it may take; None for no bound."""
    if not value[:start].strip() and not value[end:].strip():
        return None, None  # the name is the whole field
    if any(c in value for c in mention.source_cues):
        return None, mention.claim_action  # 关注平安X，获取权威信息: the account's own promotion, not a fan's
    before = value[max(0, start - mention.window):start]
    after = value[end:end + mention.window]
    claimed_after = any(c in after for c in mention.claim_cues)
    if not claimed_after and any(c in after for c in mention.mention_after):
        return mention.mention_action, None  # 我是杭州公安的粉丝: a fan, whatever 我是 before it says
    if claimed_after or any(c in before for c in mention.claim_cues):
        return None, mention.claim_action
    if any(c in before for c in mention.mention_before) or quoted(mention.title_quotes, value, start, end):
        return mention.mention_action, None
    return mention.bare_action, None


def quoted(quotes: str, value: str, start: int, end: int) -> bool:
    """value[start:end] inside a title in book-title marks (看了三遍《警察荣誉》): a work's title, not a claim."""
    if len(quotes) != 2:
        return False
    opening, closing = quotes[0], quotes[1]
    left = value.rfind(opening, 0, start)
    return left >= 0 and value.rfind(closing, left, start) < 0 and value.find(closing, end) >= 0
