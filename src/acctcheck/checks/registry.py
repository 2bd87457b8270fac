"""The explicit list of checks the engine runs, in order (the order of the findings before the engine sorts
them by position)."""

from __future__ import annotations

from acctcheck.checks import (
    account_registry,
    characters,
    contact,
    frames,
    image_codes,
    institution,
    name_slots,
    professions,
    terms,
)
from acctcheck.checks.base import Check

CHECKS: tuple[tuple[str, Check], ...] = (
    ("terms", terms.run),
    ("frames", frames.run),
    ("name_slots", name_slots.run),
    ("contact", contact.run),
    ("characters", characters.run),
    ("professions", professions.run),
    ("institution", institution.run),
    ("account_registry", account_registry.run),
    ("image_codes", image_codes.run),
)
