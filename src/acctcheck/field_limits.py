"""The text limits of POST /validate for callers without HTTP (`acctcheck check`, `acctcheck scan`), so the
command line refuses exactly what the service refuses instead of judging text no platform could store, and
says so in one line naming the field, as the service's 422 does."""

from __future__ import annotations

from pydantic import ValidationError

from acctcheck.contract import ValidateRequest


class FieldLimitError(ValueError):
    """A field the service would answer 422 for; the message names the field (`fields.bio …`)."""


def check_fields(req: ValidateRequest, max_chars: int) -> None:
    """Raise FieldLimitError for a field longer than `max_chars` (ACCTCHECK_MAX_FIELD_CHARS) or holding an
    unpaired surrogate (undecodable bytes, e.g. from a Latin-1 file or a command-line argument)."""
    for name, value in req.fields.items():
        if len(value) > max_chars:
            raise FieldLimitError(f"fields.{name} is longer than {max_chars} characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise FieldLimitError(f"fields.{name} contains an unpaired surrogate or undecodable bytes") from None


def describe_invalid(exc: ValidationError) -> str:
    """A refused request in one line: `fields.nickname: Field required (+1 more)`."""
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ()))
    more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {err.get('msg')}{more}"
