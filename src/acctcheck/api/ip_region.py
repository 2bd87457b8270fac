"""GET/POST /ip-region: IP属地 labels (Article 12).

The resolver is ``request.app.state.geo`` (an ``acctcheck.geo.GeoResolver``). An invalid address is a
422 in FastAPI's own error shape, with ``loc`` naming the parameter (or the list index) and ``input``
the offending value; the service's error handlers (api/errors.py) answer it as ErrorBody with those
entries as ``details``, which is what the OpenAPI document declares.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from acctcheck.contract import ErrorBody
from acctcheck.geo import GeoResolver, IpRegion

MAX_BATCH = 1000

router = APIRouter()
# The service maps every error to ErrorBody (api/errors.py), so that is the documented 4xx/503 shape.
ERRORS = {422: {"model": ErrorBody}, 503: {"model": ErrorBody, "description": "IP databases unavailable"}}


class IpRegionBatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ips: list[str] = Field(max_length=MAX_BATCH, description=f"up to {MAX_BATCH} IPv4/IPv6 addresses")


class IpRegionBatchResponse(BaseModel):
    results: list[IpRegion]


def _resolver(request: Request) -> GeoResolver:
    geo = getattr(request.app.state, "geo", None)
    if geo is None:  # create_app could not open even the embedded database
        raise HTTPException(status_code=503, detail="IP region databases unavailable; see /status")
    return geo


def _invalid(loc: list[str | int], ip: str, message: str) -> HTTPException:
    return HTTPException(status_code=422, detail=[
        {"type": "invalid_ip", "loc": loc, "msg": message, "input": ip},
    ])


@router.get("/ip-region", response_model=IpRegion, responses=ERRORS, summary="IP属地 label of one address")
async def get_ip_region(request: Request, ip: Annotated[str, Query(description="IPv4 or IPv6 address")]) -> IpRegion:
    # one lookup is ~20 µs: cheaper inline than a thread hop
    try:
        return _resolver(request).lookup(ip)
    except ValueError as e:
        raise _invalid(["query", "ip"], ip, str(e)) from None


@router.post("/ip-region", response_model=IpRegionBatchResponse,
             responses={**ERRORS, 400: {"model": ErrorBody, "description": "body could not be decoded"}},
             summary=f"IP属地 labels of up to {MAX_BATCH} addresses, in order")
def post_ip_region(request: Request, body: IpRegionBatchRequest) -> IpRegionBatchResponse:
    # sync handler: FastAPI runs it in the threadpool, so a 1000-address batch (~20 ms) never blocks
    # the event loop
    geo = _resolver(request)
    results = []
    for i, ip in enumerate(body.ips):
        try:
            results.append(geo.lookup(ip))
        except ValueError as e:
            raise _invalid(["body", "ips", i], ip, str(e)) from None
    return IpRegionBatchResponse(results=results)
