"""The admission path: from the bytes (or the parsed record) of one request to a ValidateRequest the engine may
judge, or the Refusal every caller answers with. The order is the service's: size, JSON, model, text size,
text; the IP is looked up after the rule snapshot is known to be there (a service that is not ready says so
first)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel, ValidationError

from acctcheck.admission.json_body import parse_json
from acctcheck.admission.limits import AdmissionLimits, Loc, check_body_size, check_request_text, check_text_size
from acctcheck.admission.refusal import Refusal, describe, validation_details
from acctcheck.contract import ValidateRequest

if TYPE_CHECKING:
    from acctcheck.geo.region import IpRegion
    from acctcheck.geo.resolver import GeoResolver

M = TypeVar("M", bound=BaseModel)


def to_model(model: type[M], data: object, prefix: Loc = ("body",)) -> M:
    """`data` as `model`, or a 422 invalid_request whose details are pydantic's, located under `prefix`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        details = validation_details(exc, prefix)
        raise Refusal(422, "invalid_request", describe(details), details) from None


def admit_body(body: bytes, content_type: str | None, limits: AdmissionLimits) -> ValidateRequest:
    """A whole POST /validate body, already read within its byte limit (limits.body_with_images)."""
    # the size checks can only refuse a body beyond max_body_bytes, which the fast lane never takes: not
    # calling them otherwise saves 5% of admission's cost (bench/fast_lane_ab_bench.py measures the lane)
    beyond_text_limit = len(body) > limits.max_body_bytes
    if beyond_text_limit:
        check_body_size(body, limits)
    req = to_model(ValidateRequest, parse_json(body, content_type))
    if beyond_text_limit:
        check_text_size(body, limits.max_body_bytes)
    check_request_text(req, limits.max_field_chars, ("body",))
    return req


def admit_request(data: object, limits: AdmissionLimits, prefix: Loc = ("body",)) -> ValidateRequest:
    """One request already parsed from a larger input: an item of a batch (prefix ("body", "items", i)), a
    record of a scan or the arguments of `acctcheck check` (prefix (): `fields.nickname …`)."""
    req = to_model(ValidateRequest, data, prefix)
    check_request_text(req, limits.max_field_chars, prefix)
    return req


def lookup_region(geo: GeoResolver | None, ip: str | None, prefix: Loc = ("body",)) -> IpRegion | None:
    """The request IP's region label (None without an IP or IP databases), or a 422 invalid_ip."""
    if not ip or geo is None:
        return None
    try:
        return geo.lookup(ip)
    except ValueError as exc:
        raise Refusal(422, "invalid_ip", str(exc), [{"loc": [*prefix, "ip"], "msg": str(exc), "type": "ip"}]) from None


def answering(region: IpRegion | None) -> Callable[[str], IpRegion] | None:
    """The engine's `ip_lookup` for a request whose region lookup_region already made (and located any error
    of), so the engine never meets an invalid address."""
    if region is None:
        return None
    return lambda _ip: region
