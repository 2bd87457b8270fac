"""GET/POST /ip-region: IP属地 labels (Article 12).

The resolver is ``request.app.state.geo`` (an ``acctcheck.geo.GeoResolver``). An invalid address is a
422 in FastAPI's own error shape, with ``loc`` naming the parameter (or the list index) and ``input``
the offending value; the service's error handlers (api/errors.py) answer it as ErrorBody with those
entries as ``details``, which is what the OpenAPI document declares.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from acctcheck.admission import parse_json, to_model
from acctcheck.api.body import read_body
from acctcheck.api.openapi import body_of
from acctcheck.contract import IP_SCHEMA, ErrorBody
from acctcheck.geo import GeoResolver, IpRegion
from acctcheck.settings import Settings

MAX_BATCH = 1000
MAX_BODY_BYTES = 128 * 1024  # 1000 full-length IPv6 addresses are ~42 KiB; room for pretty-printing

router = APIRouter()
# The service maps every error to ErrorBody (api/errors.py), so that is the documented 4xx/503 shape.
ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorBody}, 503: {"model": ErrorBody, "description": "IP databases unavailable"}}


class IpRegionBatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ips: list[Annotated[str, Field(json_schema_extra=IP_SCHEMA)]] = Field(
        max_length=MAX_BATCH, description=f"up to {MAX_BATCH} IPv4/IPv6 addresses")


class IpRegionBatchResponse(BaseModel):
    results: list[IpRegion]


def _resolver(request: Request) -> GeoResolver:
    geo: GeoResolver | None = getattr(request.app.state, "geo", None)
    if geo is None:  # create_app could not open even the embedded database
        raise HTTPException(status_code=503, detail="IP region databases unavailable; see /status")
    return geo


def _invalid(loc: list[str | int], ip: str, message: str) -> HTTPException:
    return HTTPException(status_code=422, detail=[
        {"type": "invalid_ip", "loc": loc, "msg": message, "input": ip},
    ])


@router.get("/ip-region", response_model=IpRegion, responses=ERRORS, summary="IP属地 label of one address")
async def get_ip_region(request: Request, ip: Annotated[str, Query(description="IPv4 or IPv6 address",
                                                                  json_schema_extra=IP_SCHEMA)]) -> IpRegion:
    # one lookup is ~20 µs: cheaper inline than a thread hop
    try:
        return _resolver(request).lookup(ip)
    except ValueError as e:
        raise _invalid(["query", "ip"], ip, str(e)) from None


@router.post("/ip-region", response_model=IpRegionBatchResponse, openapi_extra=body_of(IpRegionBatchRequest),
             responses={**ERRORS, **{c: {"model": ErrorBody} for c in (408, 413, 415)}},
             summary=f"IP属地 labels of up to {MAX_BATCH} addresses, in order")
async def post_ip_region(request: Request) -> IpRegionBatchResponse:
    # The body goes through the same reader as /validate: size limit, arrival timeout, UTF-8, duplicate keys.
    settings = getattr(request.app.state, "settings", None) or Settings()
    body = await read_body(request, MAX_BODY_BYTES, settings.body_timeout_s)
    ips = to_model(IpRegionBatchRequest, parse_json(body, request.headers.get("content-type"))).ips
    geo = _resolver(request)
    # a 1000-address batch is ~20 ms of lookups: off the event loop
    return await asyncio.to_thread(_lookup_all, geo, ips)


def _lookup_all(geo: GeoResolver, ips: list[str]) -> IpRegionBatchResponse:
    results = []
    for i, ip in enumerate(ips):
        try:
            results.append(geo.lookup(ip))
        except ValueError as e:
            raise _invalid(["body", "ips", i], ip, str(e)) from None
    return IpRegionBatchResponse(results=results)
