"""Reading and parsing a JSON body safely: encoding, size limit, arrival timeout, UTF-8, duplicate keys, nesting."""

from __future__ import annotations

import asyncio
import json
from typing import Any, TypeVar

import orjson
from fastapi import Request
from pydantic import BaseModel, ValidationError
from starlette.requests import ClientDisconnect

from acctcheck.api.deadlines import BODY_DEADLINES
from acctcheck.api.errors import ApiError, describe, validation_details

M = TypeVar("M", bound=BaseModel)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ApiError(422, "invalid_json", f"duplicate key {k!r} in JSON object",
                           [{"loc": ["body"], "msg": f"duplicate key {k!r}", "type": "json_duplicate_key"}])
        out[k] = v
    return out


def loads_unique(body: bytes) -> Any | None:
    """orjson for the common case, ~5x faster than json.loads with a pairs hook; None when the strict parser
    must decide (it gives the located error messages). Duplicate-key check without a hook: every key is
    followed by exactly one ':' byte outside strings, so when the body's ':' count equals the parsed key count
    no key collapsed. A ':' inside a string value (or a float, where orjson and json differ) just takes the
    slow path."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    keys = 0
    stack = [data]
    while stack:  # iterative: orjson accepts nesting deeper than Python's recursion limit
        node = stack.pop()
        if isinstance(node, dict):
            keys += len(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, float):
            return None
    return data if keys == body.count(b":") else None


BODY_DEADLINE = "acctcheck.body_deadline"  # scope key: loop time by which the body must have arrived


def start_body_deadline(scope: dict, timeout_s: float) -> float:
    """Fix the moment the body must have arrived by, once per request: whoever reads on (the full route after
    the fast lane) gets what is left, not a fresh timeout."""
    due = scope.get(BODY_DEADLINE)
    if due is None:
        due = scope[BODY_DEADLINE] = asyncio.get_running_loop().time() + timeout_s
    return due


def check_encoding(content_encoding: str | None) -> None:
    """Bodies are plain JSON: a compressed one is refused as such (415), not parsed as bytes (422)."""
    if content_encoding is not None and content_encoding.strip().lower() not in ("", "identity"):
        raise ApiError(415, "unsupported_media_type",
                       f"Content-Encoding {content_encoding!r} is not accepted; send the JSON uncompressed")


async def read_body(request: Request, limit: int, timeout_s: float, too_large: str | None = None) -> bytes:
    """The whole body, or an ApiError: 415 for a Content-Encoding, 413 beyond `limit` (message `too_large`),
    408 when it has not arrived by the request's body deadline."""
    check_encoding(request.headers.get("content-encoding"))
    too_large = too_large or f"request body exceeds {limit} bytes"
    declared = request.headers.get("content-length")
    if declared is not None:
        declared = declared.strip()
        if not declared.isdigit():
            raise ApiError(400, "bad_request", "invalid Content-Length")
        if len(declared) > 18 or int(declared) > limit:  # 18 digits: no int() of a 5000-digit header
            raise ApiError(413, "body_too_large", too_large)
    chunks: list[bytes] = []
    size = 0

    async def _collect() -> None:
        nonlocal size
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise ApiError(413, "body_too_large", too_large)
            chunks.append(chunk)

    remaining = start_body_deadline(request.scope, timeout_s) - asyncio.get_running_loop().time()
    try:
        if remaining <= 0:
            raise TimeoutError
        await BODY_DEADLINES.run(_collect(), remaining)  # no timer per request (api/deadlines.py)
    except TimeoutError:
        raise ApiError(408, "body_timeout", f"request body did not arrive within {timeout_s:g} s") from None
    except ClientDisconnect:  # nobody to answer; without this, two error tracebacks per aborted upload
        raise ApiError(400, "client_disconnected", "the client closed the connection mid-body") from None
    return b"".join(chunks)


def parse_json(body: bytes, content_type: str | None) -> Any:
    if content_type is not None:
        mime = content_type.split(";", 1)[0].strip().lower()
        if mime and mime != "application/json" and not mime.endswith("+json"):
            raise ApiError(415, "unsupported_media_type", "send the body as application/json")
    if not body:
        raise ApiError(422, "invalid_json", "request body is empty; send a JSON object",
                       [{"loc": ["body"], "msg": "empty body", "type": "json_invalid"}])
    data = loads_unique(body)
    if data is not None:
        return data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(422, "invalid_json", f"body is not UTF-8 (byte {exc.start})",
                       [{"loc": ["body"], "msg": "not UTF-8", "type": "json_invalid"}]) from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise ApiError(422, "invalid_json", f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
                       [{"loc": ["body", exc.pos], "msg": exc.msg, "type": "json_invalid"}]) from None
    except RecursionError:
        raise ApiError(422, "invalid_json", "JSON nested too deeply",
                       [{"loc": ["body"], "msg": "nested too deeply", "type": "json_invalid"}]) from None
    except ValueError:  # not a JSONDecodeError: an integer beyond Python's 4300-digit conversion limit
        raise ApiError(422, "invalid_json", "malformed JSON: a number has more than 4300 digits",
                       [{"loc": ["body"], "msg": "number too large", "type": "json_invalid"}]) from None


def to_model(model: type[M], data: Any, prefix: tuple[str, ...] = ("body",)) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        details = validation_details(exc, prefix)
        raise ApiError(422, "invalid_request", describe(details), details) from None


def check_text(value: str, loc: list[str | int], max_chars: int) -> None:
    """Field limits and text a platform could never store: unpaired surrogates."""
    if len(value) > max_chars:
        raise ApiError(422, "field_too_long", f"{'.'.join(map(str, loc))} is longer than {max_chars} characters",
                       [{"loc": loc, "msg": f"at most {max_chars} characters", "type": "string_too_long"}])
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError(422, "invalid_text", f"{'.'.join(map(str, loc))} contains an unpaired surrogate",
                       [{"loc": loc, "msg": "unpaired surrogate", "type": "string_unicode"}]) from None
