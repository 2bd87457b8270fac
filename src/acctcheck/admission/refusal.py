"""The one shape of a refused input, from the JSON parser to the HTTP answer and the scan's complaint line.

It lives below the api layer so that `acctcheck scan` and `acctcheck check` refuse with the very error the
service answers (the HTTP layer renders it as an ErrorBody; api.errors.ApiError is this class)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class Refusal(Exception):
    """An input the service does not judge: HTTP `status`, ErrorBody `error` code, `message` and `details`
    ({"loc", "msg", "type"} dicts locating the problem), and response `headers` (Retry-After)."""

    def __init__(self, status: int, error: str, message: str, details: list[dict[str, Any]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.error = error
        self.message = message
        self.details = details or []
        self.headers = headers
        super().__init__(message)

    def one_line(self) -> str:
        """The refusal for a command line: the message, or with several problems the first one and how many
        more (`fields.nickname: Field required (+1 more)`), where the HTTP message lists up to three."""
        if len(self.details) <= 1:
            return self.message
        first = self.details[0]
        return f"{where(first['loc'])}: {first['msg']} (+{len(self.details) - 1} more)"


def where(loc: list[str | int] | tuple[str | int, ...]) -> str:
    """`body.fields.nickname`: a location as messages name it."""
    return ".".join(map(str, loc))


class HasErrors(Protocol):
    """pydantic's ValidationError, or FastAPI's RequestValidationError."""

    def errors(self) -> Sequence[Any]: ...


def validation_details(exc: HasErrors, prefix: tuple[str | int, ...] = ()) -> list[dict[str, Any]]:
    """pydantic's errors as ErrorBody details, located under `prefix` (("body",), ("body", "items", 3))."""
    out = []
    for err in exc.errors():
        loc = [*prefix, *[p if isinstance(p, (str, int)) else str(p) for p in err.get("loc", ())]]
        out.append({"loc": loc, "msg": err.get("msg", "invalid"), "type": err.get("type", "value_error")})
    return out


def describe(details: list[dict[str, Any]]) -> str:
    """Up to three problems in one message: `body.fields.nickname: Field required; …`."""
    parts = [f"{where(d['loc'])}: {d['msg']}" for d in details[:3]]
    return "; ".join(parts) + (" …" if len(details) > 3 else "")
