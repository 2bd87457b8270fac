"""POST /validate: the decision endpoint platforms call inside a registration or profile edit."""

from __future__ import annotations

import logging
import time
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from starlette.datastructures import State
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from acctcheck.admission import AdmissionLimits, Refusal, admit_body, answering, lookup_region, where
from acctcheck.api.body import read_body, start_body_deadline
from acctcheck.api.deadlines import BODY_DEADLINES
from acctcheck.api.errors import ApiError, error_response, refusal_response
from acctcheck.api.metrics import Observer
from acctcheck.api.openapi import documented_post
from acctcheck.checks.image_codes import image_formats
from acctcheck.contract import ErrorBody, ValidateRequest, Verdict
from acctcheck.engine import validate
from acctcheck.geo.region import IpRegion
from acctcheck.images.model import ImageCode, ImageLimits
from acctcheck.packs.snapshot import Snapshot
from acctcheck.settings import Settings

log = logging.getLogger("acctcheck")
router = APIRouter()
ERRORS: dict[int | str, dict[str, Any]] = {s: {"model": ErrorBody} for s in (408, 413, 415, 422, 503)}


def region_of(request: Request, ip: str | None, prefix: tuple[str | int, ...] = ("body",)) -> IpRegion | None:
    return lookup_region(getattr(request.app.state, "geo", None), ip, prefix)


async def parse_request(request: Request) -> ValidateRequest:
    """Read the body (its byte limit leaves room for two images) and admit it (acctcheck.admission)."""
    settings = request.app.state.settings
    limits = AdmissionLimits.from_settings(settings)
    body = await read_body(request, limits.body_with_images, settings.body_timeout_s, limits.too_large_message)
    return admit_body(body, request.headers.get("content-type"), limits)


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
        raise ApiError(exc.status, exc.error, f"{where(loc)}: {exc.message}",
                       [{"loc": loc, "msg": exc.message, "type": exc.error}]) from None


def active_snapshot(request: Request) -> Snapshot:
    snapshot: Snapshot | None = request.app.state.store.snapshot
    if snapshot is None:
        raise ApiError(503, "not_ready", "no rule snapshot is active yet; see /status", headers={"Retry-After": "1"})
    return snapshot


@documented_post(
    router, "/validate", Verdict, ValidateRequest, ERRORS, "Validate account information",
    "Checks name, bio, signature and certification text, and QR codes in the avatar and cover images; returns "
    "pass / review / reject with findings that cite the article they rest on.")
async def validate_endpoint(request: Request) -> Response:
    req = await parse_request(request)
    snapshot = active_snapshot(request)
    region = region_of(request, req.ip)
    codes = await scan_request_images(request, req, snapshot)
    verdict = validate(snapshot, req, ip_lookup=answering(region), image_codes=codes)
    request.state.verdict = verdict
    return Response(verdict.model_dump_json(), media_type="application/json")


JSON_CT = (b"content-type", b"application/json")
ROUTE = next(r for r in router.routes if isinstance(r, APIRoute) and r.path == "/validate")  # labels fast-lane metrics


class FastValidate:
    """Pure-ASGI fast lane for the common POST /validate: one complete JSON body without images that parses,
    validates and passes the text checks. It answers with the same bytes as the route below while skipping
    the router, dependency solving and Request/Response objects (docs/performance.md: tens of µs per request,
    and less of the engine's working set evicted from the CPU caches).

    A body it has read goes through the same admission as the route (acctcheck.admission.admit_body), so a
    refused one is answered here with the route's bytes. Everything else goes to the FastAPI route unchanged,
    with the body already read replayed to it: another content type, no or a too large length, a body in
    several chunks, images, no active snapshot. It runs ahead of FastAPI's own middleware (app.Service), so an
    unexpected exception is answered here with the same JSON 500."""

    def __init__(self, app: ASGIApp, observer: Observer) -> None:
        self.app = app
        self.observer = observer  # records what this lane answers; a fallback is recorded by the full stack
        self._limits: tuple[Settings, AdmissionLimits] | None = None

    def limits(self, settings: Settings) -> AdmissionLimits:
        """The app's admission limits, made once per Settings object: 1.5 µs a request otherwise."""
        if self._limits is None or self._limits[0] is not settings:
            self._limits = (settings, AdmissionLimits.from_settings(settings))
        return self._limits[1]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
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
                verdict = self._decide(message.get("body", b""), state, self.limits(settings))
            except Refusal as exc:  # what the route would answer, from the same admission path
                await refusal_response(exc)(scope, receive, send)
                self.observer.record(ROUTE.path, exc.status, time.perf_counter() - start)
                return
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
    def _decide(body: bytes, state: State, limits: AdmissionLimits) -> Verdict | None:
        """The verdict, a Refusal (answered by the lane, as the route would), or None when the route must
        answer: images to decode, or no active snapshot (checked after admission, as the route does)."""
        req = admit_body(body, None, limits)  # the lane took only an application/json (or untyped) body
        snapshot = state.store.snapshot
        if snapshot is None or (req.images is not None and req.images.items()):
            return None
        region = lookup_region(getattr(state, "geo", None), req.ip)
        return validate(snapshot, req, ip_lookup=answering(region), image_codes=[])


def _replay(message: Message, receive: Receive) -> Receive:
    """A receive that gives back the message the fast lane already took, then continues the stream."""
    pending = [message]

    async def again() -> Message:
        return pending.pop() if pending else await receive()

    return again
