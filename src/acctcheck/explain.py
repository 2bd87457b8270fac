"""What the matchers saw: every normalised view of each text field, with the offset map back to what the user
typed. `acctcheck check --explain` prints it and the console's playground shows it, so a rule author can see
why 國務院 or guowuyuan matched 国务院 (which folding produced each character, where separators were skipped)."""

from __future__ import annotations

from acctcheck.contract import AccountFields
from acctcheck.normalize.normalizer import Normalizer
from acctcheck.normalize.pinyin import decode


def explain_views(normalizer: Normalizer, fields: AccountFields) -> dict[str, dict[str, object]]:
    """Per present text field: the skeleton view (its text and per-position map: character, the original text it
    came from, that text's [start, end) span, the foldings applied, whether skipped characters stood before it),
    the pinyin view (readable syllables and each syllable's original span) and the contact view's text."""
    out: dict[str, dict[str, object]] = {}
    for name, value in fields.items():
        views = normalizer.views(value)
        out[name] = {
            "skeleton": {"text": views.skeleton.text, "map": views.skeleton.explain()},
            "pinyin": {"text": decode(normalizer.pinyin, views.pinyin.text),
                       "spans": [[a, b] for a, b in zip(views.pinyin.starts, views.pinyin.ends, strict=True)]},
            "contact": {"text": views.contact.text},
        }
    return out
