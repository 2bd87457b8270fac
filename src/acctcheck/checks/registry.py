"""The explicit list of rule families the engine runs, in order."""

from __future__ import annotations

from collections.abc import Callable

from acctcheck.checks import account_registry, characters, contact, frames, institution, professions, terms
from acctcheck.checks.base import CheckContext, RawFinding

Check = Callable[[CheckContext], list[RawFinding]]

CHECKS: tuple[tuple[str, Check], ...] = (
    ("terms", terms.run),
    ("frames", frames.run),
    ("contact", contact.run),
    ("characters", characters.run),
    ("professions", professions.run),
    ("institution", institution.run),
    ("account_registry", account_registry.run),
)
