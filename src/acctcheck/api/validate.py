"""POST /validate: the decision endpoint platforms call inside a registration or profile edit."""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError

from acctcheck.api.body import check_text, loads_unique, parse_json, read_body, start_body_deadline, to_model
from acctcheck.api.deadlines import BODY_DEADLINES
from acctcheck.api.errors import ApiError, error_response
from acctcheck.api.metrics import Observer
from acctcheck.api.openapi import body_of
from acctcheck.checks.image_codes import image_formats
from acctcheck.contract import ErrorBody, ValidateRequest, Verdict
from acctcheck.engine import validate
from acctcheck.geo.region import IpRegion
from acctcheck.images.model import ImageCode, ImageLimits
from acctcheck.packs.snapshot import Snapshot
from acctcheck.settings import Settings

log = logging.getLogger("acctcheck")
router = APIRouter()
ERRORS = {s: {"model": ErrorBody} for s in (408, 413, 415, 422, 503)}


def region_of(request: Request, ip: str | None) -> IpRegion | None:
    return region_in(getattr(request.app.state, "geo", None), ip)


def region_in(geo: Any, ip: str | None) -> IpRegion | None:
    if not ip:
        return None
    if geo is None:
        return None
    try:
        return geo.lookup(ip)
    except ValueError as exc:
        raise ApiError(422, "invalid_ip", str(exc), [{"loc": ["body", "ip"], "msg": str(exc), "type": "ip"}]) from None


async def parse_request(request: Request) -> ValidateRequest:
    settings = request.app.state.settings
    body = await read_body(request, body_limit(settings), settings.body_timeout_s, too_large_message(settings))
    if len(body) > settings.max_body_bytes and b'"images"' not in body:
        raise ApiError(413, "body_too_large", too_large_message(settings))
    req = to_model(ValidateRequest, parse_json(body, request.headers.get("content-type")))
    check_text_size(body, settings.max_body_bytes)
    check_request_text(req, settings.max_field_chars, ("body",))
    return req


def body_limit(settings: Settings) -> int:
    """A body without images keeps max_body_bytes; one with images may add two base64 images to it."""
    return settings.max_body_bytes + 2 * (4 * -(-settings.max_image_bytes // 3) + 4096)


def too_large_message(settings: Settings) -> str:
    return (f"request body exceeds {settings.max_body_bytes} bytes (not counting avatar and cover, each up to "
            f"{settings.max_image_bytes} bytes before base64)")


# an image value as it stands in the body: key, colon, and the whole JSON string (escapes included)
_IMAGE_VALUE = re.compile(rb'"(?:avatar|cover)"\s*:\s*"[^"\\]*(?:\\.[^"\\]*)*"')


def check_text_size(body: bytes, max_body_bytes: int) -> None:
    """The room a body gets for images is for the images: everything else (fields, whitespace, escapes) must
    fit max_body_bytes. Image values are measured in the body's own bytes (whatever escaping the client's
    encoder used); keys are unique and unknown keys are refused, so only the real images match."""
    if len(body) <= max_body_bytes:
        return
    images = sum(m.end() - m.start() for m in _IMAGE_VALUE.finditer(body))
    if len(body) - images > max_body_bytes:
        raise ApiError(413, "body_too_large", f"request body exceeds {max_body_bytes} bytes without its images")


async def scan_request_images(request: Request, req: ValidateRequest, snapshot: Snapshot,
                              prefix: tuple[str | int, ...] = ("body",)) -> list[ImageCode]:
    """Decode the request's avatar/cover on the image thread pool and find the codes in them. A text-only
    request returns at once and never loads Pillow. A bad image is a 413/422 naming e.g. body.images.avatar."""
    items = req.images.items() if req.images is not None else []
    if not items:
        return []
    from acctcheck.images.scan import (  # lazy: Pillow, zxing-cpp
        FieldImageError,
        ImagesBusy,
        scan_images_async,
    )

    settings = request.app.state.settings
    try:
        return await scan_images_async(items, ImageLimits.from_settings(settings), image_formats(snapshot),
                                       settings.image_workers, settings.image_wait_s)
    except ImagesBusy as exc:
        raise ApiError(503, "images_busy", f"every image decoding slot stayed busy for {exc.wait_s:g} s; retry",
                       headers={"Retry-After": "1"}) from None
    except FieldImageError as exc:
        loc = [*prefix, "images", exc.field]
        raise ApiError(exc.status, exc.error, f"{'.'.join(map(str, loc))}: {exc.message}",
                       [{"loc": loc, "msg": exc.message, "type": exc.error}]) from None


def check_request_text(req: ValidateRequest, max_chars: int, prefix: tuple[str | int, ...]) -> None:
    """Every free-text string of the request: the account fields and the verified professions (the verified
    name is checked by the institution check, the IP by its parser, images by base64)."""
    for name, value in req.fields.items():
        check_text(value, [*prefix, "fields", name], max_chars)
    if req.verified is not None:
        for i, code in enumerate(req.verified.professions):
            check_text(code, [*prefix, "verified", "professions", i], max_chars)


def active_snapshot(request: Request):  # noqa: ANN201 - Snapshot
    snapshot = request.app.state.store.snapshot
    if snapshot is None:
        raise ApiError(503, "not_ready", "no rule snapshot is active yet; see /status", headers={"Retry-After": "1"})
    return snapshot


@router.post(
    "/validate",
    response_model=Verdict,
    responses=ERRORS,
    openapi_extra=body_of(ValidateRequest),
    summary="Validate account information",
    description="Checks name, bio, signature and certification text, and QR codes in the avatar and cover "
    "images; returns pass / review / reject with findings that cite the article they rest on.",
)
async def validate_endpoint(request: Request) -> Response:
    req = await parse_request(request)
    snapshot = active_snapshot(request)
    region = region_of(request, req.ip)
    codes = await scan_request_images(request, req, snapshot)
    verdict = validate(snapshot, req, ip_lookup=(lambda _ip: region) if region else None, image_codes=codes)
    request.state.verdict = verdict
    return Response(verdict.model_dump_json(), media_type="application/json")


JSON_CT = (b"content-type", b"application/json")
ROUTE = next(r for r in router.routes if getattr(r, "path", None) == "/validate")  # labels fast-lane metrics


class FastValidate:
    """Pure-ASGI fast lane for the common POST /validate: one complete JSON body without images that parses,
    validates and passes the text checks. It answers with the same bytes as the route below while skipping
    the router, dependency solving and Request/Response objects (docs/performance.md: tens of µs per request,
    and less of the engine's working set evicted from the CPU caches).

    Everything else goes to the FastAPI route unchanged, with the body already read replayed to it: wrong or
    missing content type or length, a body in several chunks, malformed or duplicate-key JSON, any 4xx,
    images, no active snapshot. So every error keeps exactly one implementation. It runs ahead of FastAPI's
    own middleware (app.Service), so an unexpected exception is answered here with the same JSON 500."""

    def __init__(self, app: Any, observer: Observer) -> None:
        self.app = app
        self.observer = observer  # records what this lane answers; a fallback is recorded by the full stack

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != "/validate" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        state = scope["app"].state
        settings = state.settings
        length = -1
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = int(value) if value.isdigit() else -1
            elif ((name == b"content-type" and value.lower() != b"application/json") or name == b"transfer-encoding"
                  or name == b"content-encoding"):
                length = -1
                break
        if not 0 < length <= settings.max_body_bytes:
            await self.app(scope, receive, send)
            return
        try:  # the deadline is fixed here and carried to the route if it takes over (api/body.py)
            start_body_deadline(scope, settings.body_timeout_s)
            message = await BODY_DEADLINES.run(receive(), settings.body_timeout_s)
        except TimeoutError:
            timeout_s = settings.body_timeout_s
            await error_response(408, "body_timeout", f"request body did not arrive within {timeout_s:g} s")(
                scope, receive, send)
            self.observer.record(ROUTE.path, 408, time.perf_counter() - start)
            return
        verdict = None
        if message["type"] == "http.request" and not message.get("more_body"):
            try:
                verdict = self._decide(message.get("body", b""), state, settings.max_field_chars)
            except Exception:
                log.exception("unhandled error")
                await error_response(500, "internal_error", "internal error; the request was not evaluated")(
                    scope, receive, send)
                self.observer.record(ROUTE.path, 500, time.perf_counter() - start)
                return
        if verdict is None:
            await self.app(scope, _replay(message, receive), send)
            return
        body = verdict.model_dump_json().encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", str(len(body)).encode()), JSON_CT]})
        await send({"type": "http.response.body", "body": body})
        self.observer.record(ROUTE.path, 200, time.perf_counter() - start, (verdict,))

    @staticmethod
    def _decide(body: bytes, state: Any, max_chars: int) -> Verdict | None:
        snapshot = state.store.snapshot
        if snapshot is None:
            return None
        data = loads_unique(body)
        if data is None:  # a ':' inside a string, a float: the strict parser decides, still in this lane
            try:
                data = parse_json(body, None)
            except ApiError:
                return None  # the route answers the error
        try:
            req = ValidateRequest.model_validate(data)
            if req.images is not None and req.images.items():
                return None
            check_request_text(req, max_chars, ("body",))
            region = region_in(getattr(state, "geo", None), req.ip)
        except (ValidationError, ApiError):
            return None
        return validate(snapshot, req, ip_lookup=(lambda _ip: region) if region else None, image_codes=[])


def _replay(message: dict, receive: Any) -> Any:
    """A receive that gives back the message the fast lane already took, then continues the stream."""
    pending = [message]

    async def again() -> dict:
        return pending.pop() if pending else await receive()

    return again
