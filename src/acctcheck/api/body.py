"""Reading a request body over HTTP: Content-Encoding, Content-Length, size limit, arrival deadline. What the
bytes must then be (JSON, the contract, the field limits) is acctcheck.admission, shared with the scan."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from typing import Any

from fastapi import Request
from starlette.requests import ClientDisconnect

from acctcheck.api.deadlines import BODY_DEADLINES
from acctcheck.api.errors import ApiError

BODY_DEADLINE = "acctcheck.body_deadline"  # scope key: loop time by which the body must have arrived


def start_body_deadline(scope: MutableMapping[str, Any], timeout_s: float) -> float:
    """Fix the moment the body must have arrived by, once per request: whoever reads on (the full route after
    the fast lane) gets what is left, not a fresh timeout."""
    due: float | None = scope.get(BODY_DEADLINE)
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
