"""POST /validate/batch: many accounts in one call, for re-checks of stored accounts (Article 15, 动态核验).

One bad item never fails the batch: it gets an ``{"error": {...}}`` entry in the 422 ErrorBody shape, with
``loc`` pointing into ``items[i]``. The whole batch is judged against one snapshot (one rules revision),
read once, and the engine runs in a worker thread so a 1000-item batch does not hold the event loop.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fastapi import APIRouter, Request, Response

from acctcheck.api.body import parse_json, read_body, to_model
from acctcheck.api.errors import ApiError
from acctcheck.api.openapi import body_of
from acctcheck.api.validate import ERRORS, active_snapshot, check_request_text, region_of
from acctcheck.contract import BatchRequest, BatchResponse, ValidateRequest
from acctcheck.engine import validate

router = APIRouter()


def _items(data: Any, limit: int) -> list[Any]:
    """The top level must be exactly {"items": [...]} with at most `limit` entries; anything else is a 422
    for the whole batch (there is nothing to answer item by item)."""
    if not isinstance(data, dict) or set(data) != {"items"} or not isinstance(data["items"], list):
        raise ApiError(422, "invalid_request", 'send {"items": [request, ...]}',
                       [{"loc": ["body"], "msg": 'expected an object with one key "items" (a list)',
                         "type": "batch_shape"}])
    items = data["items"]
    if len(items) > limit:
        raise ApiError(422, "too_many_items", f"a batch holds at most {limit} items, got {len(items)}",
                       [{"loc": ["body", "items"], "msg": f"at most {limit} items", "type": "too_long"}])
    return items


def _relocate(exc: ApiError, index: int) -> ApiError:
    """Helpers written for /validate say loc ["body", ...]; in a batch that is ["body", "items", i, ...]."""
    for detail in exc.details:
        loc = list(detail.get("loc", []))
        if loc[:1] == ["body"] and loc[1:3] != ["items", index]:
            detail["loc"] = ["body", "items", index, *loc[1:]]
    return exc


def _refuse_images(req: ValidateRequest, prefix: tuple[str | int, ...]) -> None:
    """Avatar/cover QR scanning is per request (POST /validate) for now: say so rather than pass an image
    that was never looked at."""
    images = getattr(req, "images", None)
    if images is not None and images.items():
        msg = "images are not checked in a batch; send this account to POST /validate"
        raise ApiError(422, "images_not_supported", msg,
                       [{"loc": [*prefix, "images"], "msg": msg, "type": "images_not_supported"}])


def _error_entry(exc: ApiError) -> bytes:
    return json.dumps({"error": {"error": exc.error, "message": exc.message, "details": exc.details}},
                      ensure_ascii=False).encode()


def _evaluate(request: Request, body: bytes, content_type: str | None) -> tuple[bytes, int, list]:
    """Parse and judge every item (runs in a worker thread). Returns the response body, the error count and
    the verdicts (for metrics and decision logs)."""
    settings = request.app.state.settings
    items = _items(parse_json(body, content_type), settings.max_batch_items)
    snapshot = active_snapshot(request)  # read once: one rules revision for the whole batch
    parts: list[bytes] = []
    verdicts = []
    errors = 0
    for i, item in enumerate(items):
        prefix = ("body", "items", i)
        try:
            req = to_model(ValidateRequest, item, prefix)
            check_request_text(req, settings.max_field_chars, prefix)
            _refuse_images(req, prefix)
            region = region_of(request, req.ip)
            verdict = validate(snapshot, req, ip_lookup=(lambda _ip, r=region: r) if region else None)
            parts.append(verdict.model_dump_json().encode())
            verdicts.append(verdict)
        except ApiError as exc:
            errors += 1
            parts.append(_error_entry(_relocate(exc, i)))
    return b'{"results":[' + b",".join(parts) + b"]}", errors, verdicts


@router.post(
    "/validate/batch",
    response_model=BatchResponse,
    responses=ERRORS,
    openapi_extra=body_of(BatchRequest),
    summary="Validate many accounts against one rules revision",
    description="Body {\"items\": [request, …]} (up to max_batch_items, default 1000). Answers "
    "{\"results\": […]} in the same order: a verdict, or {\"error\": {…}} for an item that could not be "
    "evaluated. One bad item never fails the batch.",
)
async def validate_batch_endpoint(request: Request) -> Response:
    settings = request.app.state.settings
    body = await read_body(request, settings.max_batch_body_bytes, settings.body_timeout_s)
    active_snapshot(request)  # 503 before spending a thread on a service that is not ready
    payload, errors, verdicts = await asyncio.to_thread(
        _evaluate, request, body, request.headers.get("content-type")
    )
    request.state.batch_errors = errors
    request.state.verdicts = verdicts
    return Response(payload, media_type="application/json")
