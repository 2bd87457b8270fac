"""POST /validate: the decision endpoint platforms call inside a registration or profile edit."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from acctcheck.api.body import check_text, parse_json, read_body, to_model
from acctcheck.api.errors import ApiError
from acctcheck.api.openapi import body_of
from acctcheck.contract import ErrorBody, ValidateRequest, Verdict
from acctcheck.engine import validate
from acctcheck.geo.region import IpRegion
from acctcheck.images.findings import image_formats
from acctcheck.images.model import ImageCode, ImageLimits
from acctcheck.packs.snapshot import Snapshot
from acctcheck.settings import Settings

router = APIRouter()
ERRORS = {s: {"model": ErrorBody} for s in (408, 413, 415, 422, 503)}


def region_of(request: Request, ip: str | None) -> IpRegion | None:
    if not ip:
        return None
    geo = getattr(request.app.state, "geo", None)
    if geo is None:
        return None
    try:
        return geo.lookup(ip)
    except ValueError as exc:
        raise ApiError(422, "invalid_ip", str(exc), [{"loc": ["body", "ip"], "msg": str(exc), "type": "ip"}]) from None


async def parse_request(request: Request) -> ValidateRequest:
    settings = request.app.state.settings
    body = await read_body(request, body_limit(settings), settings.body_timeout_s)
    if len(body) > settings.max_body_bytes and b'"images"' not in body:
        raise ApiError(413, "body_too_large", f"request body exceeds {settings.max_body_bytes} bytes")
    req = to_model(ValidateRequest, parse_json(body, request.headers.get("content-type")))
    if len(body) > settings.max_body_bytes and not (req.images and req.images.items()):
        raise ApiError(413, "body_too_large", f"request body exceeds {settings.max_body_bytes} bytes")
    check_request_text(req, settings.max_field_chars, ("body",))
    return req


def body_limit(settings: Settings) -> int:
    """A body without images keeps max_body_bytes; one with images may add two base64 images to it."""
    return settings.max_body_bytes + 2 * (4 * -(-settings.max_image_bytes // 3) + 4096)


def image_limits(settings: Settings) -> ImageLimits:
    return ImageLimits(settings.max_image_bytes, settings.max_image_pixels, settings.image_decode_side)


async def scan_request_images(request: Request, req: ValidateRequest, snapshot: Snapshot,
                              prefix: tuple[str | int, ...] = ("body",)) -> list[ImageCode]:
    """Decode the request's avatar/cover on the image thread pool and find the codes in them. A text-only
    request returns at once and never loads Pillow. A bad image is a 413/422 naming e.g. body.images.avatar."""
    items = req.images.items() if req.images is not None else []
    if not items:
        return []
    from acctcheck.images.scan import (  # lazy: Pillow, zxing-cpp
        FieldImageError,
        scan_images_async,
    )

    settings = request.app.state.settings
    try:
        return await scan_images_async(items, image_limits(settings), image_formats(snapshot),
                                       settings.image_workers)
    except FieldImageError as exc:
        loc = [*prefix, "images", exc.field]
        raise ApiError(exc.status, exc.error, f"{'.'.join(map(str, loc))}: {exc.message}",
                       [{"loc": loc, "msg": exc.message, "type": exc.error}]) from None


def check_request_text(req: ValidateRequest, max_chars: int, prefix: tuple[str | int, ...]) -> None:
    for name, value in req.fields.items():
        check_text(value, [*prefix, "fields", name], max_chars)


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
