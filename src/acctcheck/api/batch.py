"""POST /validate/batch: many accounts in one call, for re-checks of stored accounts (Article 15, 动态核验).

One bad item never fails the batch: it gets an ``{"error": {...}}`` entry in the 422 ErrorBody shape, with
``loc`` pointing into ``items[i]``. The whole batch is judged against one snapshot (one rules revision),
read once, and the engine runs in a worker thread so a 1000-item batch does not hold the event loop.

The cost of a batch is bounded before any of it is judged: its estimated work (characters of text, an image
counting `batch_image_work`) must fit `max_batch_work`, so that no accepted batch costs more CPU or memory
than docs/performance.md ("Worst accepted requests") measures. Items carry images like /validate; they are
decoded item after item through the same gate.
"""

from __future__ import annotations

import asyncio
import json

from fastapi import APIRouter, Request, Response
from pydantic import JsonValue

from acctcheck.admission import AdmissionLimits, admit_request, answering, parse_json
from acctcheck.api.body import read_body
from acctcheck.api.errors import ApiError
from acctcheck.api.openapi import documented_post
from acctcheck.api.validate import ERRORS, active_snapshot, region_of, scan_request_images
from acctcheck.contract import BatchRequest, BatchResponse, ValidateRequest, Verdict
from acctcheck.engine import validate
from acctcheck.images.model import ImageCode
from acctcheck.packs.snapshot import Snapshot

router = APIRouter()


def _items(data: JsonValue, limit: int) -> list[JsonValue]:
    """The top level must be exactly {"items": [object, ...]} with at most `limit` entries; anything else is a
    422 for the whole batch (there is nothing to answer item by item)."""
    if not isinstance(data, dict) or set(data) != {"items"} or not isinstance(data["items"], list):
        raise ApiError(422, "invalid_request", 'send {"items": [request, ...]}',
                       [{"loc": ["body"], "msg": 'expected an object with one key "items" (a list)',
                         "type": "batch_shape"}])
    items = data["items"]
    if len(items) > limit:
        raise ApiError(422, "too_many_items", f"a batch holds at most {limit} items, got {len(items)}",
                       [{"loc": ["body", "items"], "msg": f"at most {limit} items", "type": "too_long"}])
    wrong = [i for i, item in enumerate(items) if not isinstance(item, dict)]
    if wrong:
        details = [{"loc": ["body", "items", i], "msg": "an item is an object (a /validate request)",
                    "type": "dict_type"} for i in wrong[:20]]
        raise ApiError(422, "invalid_request", f"items {', '.join(map(str, wrong[:5]))}"
                       f"{' …' if len(wrong) > 5 else ''} are not objects", details)
    return items


def _error_entry(exc: ApiError) -> bytes:
    return json.dumps({"error": {"error": exc.error, "message": exc.message, "details": exc.details}},
                      ensure_ascii=False).encode()


def request_work(req: ValidateRequest, image_work: int) -> int:
    """Estimated engine work of one request, in characters of text (every text the checks read), an image
    counting `image_work`: what the batch budget adds up."""
    work = sum(len(value) for _, value in req.fields.items())
    if req.verified is not None:
        work += sum(len(code) for code in req.verified.professions)
        if req.verified.institution is not None:
            work += len(req.verified.institution.name)
    if req.images is not None:
        work += image_work * len(req.images.items())
    return work


def _parse(request: Request, body: bytes, content_type: str | None) -> list[ValidateRequest | ApiError]:
    """Parse and check every item (runs in a worker thread); an item that fails is its ApiError. The whole
    batch is refused (413) when its estimated work exceeds max_batch_work, before any of it is judged."""
    settings = request.app.state.settings
    limits = AdmissionLimits.from_settings(settings)
    items = _items(parse_json(body, content_type), settings.max_batch_items)
    parsed: list[ValidateRequest | ApiError] = []
    work = 0
    for i, item in enumerate(items):  # each item is admitted as a /validate body would be, located in the batch
        try:
            req = admit_request(item, limits, ("body", "items", i))
            work += request_work(req, settings.batch_image_work)
            parsed.append(req)
        except ApiError as exc:
            parsed.append(exc)
    if work > settings.max_batch_work:
        msg = (f"this batch is about {work} units of work (characters of text, {settings.batch_image_work} per "
               f"image), more than the {settings.max_batch_work} a batch may hold; split it")
        raise ApiError(413, "batch_too_large", msg,
                       [{"loc": ["body", "items"], "msg": msg, "type": "batch_too_large"}])
    return parsed


async def _scan_images(request: Request, parsed: list[ValidateRequest | ApiError],
                       snapshot: Snapshot) -> dict[int, list[ImageCode]]:
    """The codes in every item's images, item after item through the same decoding gate as /validate. A bad
    image makes its item an error entry; a saturated gate (503) fails the batch, to be retried whole."""
    codes: dict[int, list[ImageCode]] = {}
    for i, req in enumerate(parsed):
        if isinstance(req, ApiError) or req.images is None or not req.images.items():
            continue
        try:
            codes[i] = await scan_request_images(request, req, snapshot, ("body", "items", i))
        except ApiError as exc:
            if exc.status >= 500:
                raise
            parsed[i] = exc
    return codes


def _judge(request: Request, snapshot: Snapshot, parsed: list[ValidateRequest | ApiError],
           codes: dict[int, list[ImageCode]]) -> tuple[bytes, int, list[Verdict]]:
    """Judge every parsed item (runs in a worker thread). Returns the response body, the error count and the
    verdicts (for metrics and decision logs)."""
    parts: list[bytes] = []
    verdicts: list[Verdict] = []
    errors = 0
    for i, req in enumerate(parsed):
        try:
            if isinstance(req, ApiError):
                raise req
            region = region_of(request, req.ip, ("body", "items", i))
            verdict = validate(snapshot, req, ip_lookup=answering(region), image_codes=codes.get(i, []))
            parts.append(verdict.model_dump_json().encode())
            verdicts.append(verdict)
        except ApiError as exc:
            errors += 1
            parts.append(_error_entry(exc))
    return b'{"results":[' + b",".join(parts) + b"]}", errors, verdicts


@documented_post(
    router, "/validate/batch", BatchResponse, BatchRequest, ERRORS,
    "Validate many accounts against one rules revision",
    "Body {\"items\": [request, …]} (up to max_batch_items, default 1000; images as in "
    "/validate). Answers {\"results\": […]} in the same order: a verdict, or {\"error\": {…}} for an item "
    "that could not be evaluated. One bad item never fails the batch; an item that is not an object, or a "
    "batch beyond max_batch_work (characters of text, each image counting batch_image_work), is refused whole.")
async def validate_batch_endpoint(request: Request) -> Response:
    settings = request.app.state.settings
    body = await read_body(request, settings.max_batch_body_bytes, settings.body_timeout_s)
    snapshot = active_snapshot(request)  # 503 before spending a thread on a service that is not ready
    parsed = await asyncio.to_thread(_parse, request, body, request.headers.get("content-type"))
    codes = await _scan_images(request, parsed, snapshot)
    payload, errors, verdicts = await asyncio.to_thread(_judge, request, snapshot, parsed, codes)
    request.state.batch_errors = errors
    request.state.verdicts = verdicts
    return Response(payload, media_type="application/json")
