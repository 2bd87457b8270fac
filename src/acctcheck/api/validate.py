"""POST /validate: the decision endpoint platforms call inside a registration or profile edit."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from acctcheck.api.body import check_text, parse_json, read_body, to_model
from acctcheck.api.errors import ApiError
from acctcheck.api.openapi import body_of
from acctcheck.contract import ErrorBody, ValidateRequest, Verdict
from acctcheck.engine import validate
from acctcheck.geo.region import IpRegion

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
    body = await read_body(request, settings.max_body_bytes, settings.body_timeout_s)
    req = to_model(ValidateRequest, parse_json(body, request.headers.get("content-type")))
    check_request_text(req, settings.max_field_chars, ("body",))
    return req


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
    description="Checks name, bio, signature and certification text; returns pass / review / reject with "
    "findings that cite the article they rest on.",
)
async def validate_endpoint(request: Request) -> Response:
    req = await parse_request(request)
    snapshot = active_snapshot(request)
    region = region_of(request, req.ip)
    verdict = validate(snapshot, req, ip_lookup=(lambda _ip: region) if region else None)
    request.state.verdict = verdict
    return Response(verdict.model_dump_json(), media_type="application/json")
