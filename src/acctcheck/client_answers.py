"""What the Python client accepts as acctcheck's answer, and how it reads one without trusting it.

An answer is acctcheck's only when everything matches the contract: a 200 whose ``application/json`` body
validates against the call's contract model, or one of the service's own refusals — 400/413/415/422 with an
``application/json`` :class:`~acctcheck.contract.ErrorBody`. Anything else — a proxy's HTML error page, a
redirect to a login page, ``text/plain``, malformed or incomplete JSON, a body over the size limit, a 5xx —
is :class:`NotAnAnswer`: the service did not answer, which the client treats like a timeout.

Cost is bounded before anything is trusted: the status line and headers are checked before a byte of the body
is read, the body is read under a size limit and the caller's deadline, and JSON is decoded with orjson and
validated in Python mode. ``model_validate_json`` builds a Python copy of the input of every error: on a 5 MB
off-contract body with ~1M errors that took 18 s. Long lists are validated one element at a time and stop at
the first bad one, so an off-contract body costs about one decode; between elements the deadline is checked
and other threads (an event loop) get the GIL.
"""

from __future__ import annotations

import functools
import time
import types
from collections.abc import Callable
from typing import Any, TypeVar, Union, get_args, get_origin

import httpx
import orjson
from pydantic import BaseModel, TypeAdapter, ValidationError

from acctcheck.contract import BatchItemError, ErrorBody, Verdict
from acctcheck.geo.region import IpRegion

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
Parse = Callable[[Any, float], T]  # (decoded JSON, deadline on time.monotonic()) -> the call's result

# The service's own refusals of the input (api/body.py, api/validate.py); any other 4xx is not acctcheck's.
REFUSAL_STATUS = frozenset({400, 413, 415, 422})
# Above this, AsyncClient decodes and validates in a worker thread: a 64 KiB answer costs ~1 ms inline.
THREAD_PARSE_BYTES = 64 * 1024
# Lists longer than this are validated element by element (fail fast, deadline, GIL released between).
_ELEMENTWISE_AFTER = 16


class NotAnAnswer(Exception):
    """The response is not acctcheck answering this call. Its message starts with ``HTTP <status>``."""


class Refused(Exception):
    """acctcheck refused the input: a contract status with a valid ErrorBody."""

    def __init__(self, status: int, body: ErrorBody) -> None:
        self.status = status
        self.body = body
        super().__init__(status, body)


def _check_head(resp: httpx.Response, limit: int) -> None:
    """Refuse, before reading the body, a response that cannot be the contract: a status the contract does
    not use for this answer, a media type other than JSON, a declared length over ``limit``."""
    status = resp.status_code
    if status != 200 and status not in REFUSAL_STATUS:
        where = f" to {resp.headers.get('location', '?')}" if resp.is_redirect else ""
        raise NotAnAnswer(f"HTTP {status}{where}")
    ctype = resp.headers.get("content-type", "")
    if ctype.partition(";")[0].strip().lower() != "application/json":
        raise NotAnAnswer(f"HTTP {status} with content type {ctype or 'none'}, not application/json")
    declared = resp.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise NotAnAnswer(f"HTTP {status} declaring {declared} bytes, over the {limit}-byte limit")


class Body:
    """A response that may be the contract (its head is checked first) and its body as it arrives, refused as
    soon as it passes ``limit`` bytes or the deadline (on time.monotonic()) passes."""

    def __init__(self, resp: httpx.Response, limit: int, deadline: float) -> None:
        _check_head(resp, limit)
        self.status = resp.status_code
        self.limit = limit
        self.deadline = deadline
        self.data = bytearray()

    def add(self, chunk: bytes) -> None:
        self.data += chunk
        if len(self.data) > self.limit:
            raise NotAnAnswer(f"HTTP {self.status} with a body over the {self.limit}-byte limit")
        if time.monotonic() > self.deadline:
            raise TimeoutError("the body did not arrive within the time budget")


def answer(body: Body, parse: Parse[T]) -> T:
    """The call's result from a 200 body; :class:`Refused` from a refusal; NotAnAnswer from anything else."""
    status, deadline = body.status, body.deadline
    if time.monotonic() > deadline:
        raise TimeoutError("the answer arrived after the time budget")
    try:
        obj = orjson.loads(body.data)
    except orjson.JSONDecodeError as exc:
        raise NotAnAnswer(f"HTTP {status} with malformed JSON: {exc}") from None
    try:
        if status == 200:
            return parse(obj, deadline)
        refusal = model(ErrorBody, obj, deadline)
    except NotAnAnswer as exc:
        raise NotAnAnswer(f"HTTP {status} with JSON off the contract: {exc}") from exc.__cause__
    raise Refused(status, refusal)


# -- parsers of the answers (Parse callables) -----------------------------------------------------------------
def model(cls: type[M], obj: Any, deadline: float, where: str = "") -> M:
    """``cls.model_validate(obj)``, failing fast where pydantic would collect one error per element: unknown
    keys of a model that forbids them, and long lists (validated one by one, in a Python loop), at every
    level of nested models."""
    if isinstance(obj, dict):
        if cls.model_config.get("extra") == "forbid" and (unknown := obj.keys() - cls.model_fields.keys()):
            raise NotAnAnswer(f"{where or 'the answer'} has unknown keys {sorted(map(str, unknown))[:3]}")
        for name, is_list, check in _nested(cls):
            value = obj.get(name)
            if is_list and isinstance(value, list) and len(value) > _ELEMENTWISE_AFTER:
                obj = {**obj, name: elements(value, check, deadline, f"{where}.{name}")}
            elif not is_list and isinstance(value, dict):
                obj = {**obj, name: check(value, deadline, f"{where}.{name}")}
    return _valid(cls.model_validate, obj, where)


def results(n: int, item: Callable[[Any, float, str], T]) -> Parse[list[T]]:
    """Parser of ``{"results": [...]}`` holding exactly ``n`` entries (one per item asked, in order)."""

    def parse(obj: Any, deadline: float) -> list[T]:
        entries = obj.get("results") if isinstance(obj, dict) else None
        if not isinstance(entries, list):
            raise NotAnAnswer(f"expected {{\"results\": [...]}}, got {type(obj).__name__}")
        if len(entries) != n:
            raise NotAnAnswer(f"{len(entries)} results for {n} items")
        return elements(entries, item, deadline, "results")

    return parse


def batch_entry(obj: Any, deadline: float, where: str) -> Verdict | BatchItemError:
    """One /validate/batch result: ``{"error": ErrorBody}`` for an item refused, else a Verdict."""
    if isinstance(obj, dict) and "error" in obj:
        return model(BatchItemError, obj, deadline, where)
    return model(Verdict, obj, deadline, where)


def one(cls: type[M]) -> Parse[M]:
    return lambda obj, deadline: model(cls, obj, deadline)


def ip_region_entry(obj: Any, deadline: float, where: str) -> IpRegion:
    return model(IpRegion, obj, deadline, where)


def elements(values: list[Any], item: Callable[[Any, float, str], T], deadline: float, where: str) -> list[T]:
    out = []
    for i, value in enumerate(values):
        if time.monotonic() > deadline:
            raise TimeoutError("the answer could not be checked within the time budget")
        out.append(item(value, deadline, f"{where}[{i}]"))
    return out


def _valid(validate: Callable[[Any], T], obj: Any, where: str) -> T:
    try:
        return validate(obj)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False, include_context=False)[0]
        loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"])
        raise NotAnAnswer(f"{where}{loc}: {first['msg']} ({exc.error_count()} errors)") from exc


@functools.cache
def _nested(cls: type[BaseModel]) -> tuple[tuple[str, bool, Callable[[Any, float, str], Any]], ...]:
    """The fields of ``cls`` that :func:`model` checks first: lists (of models or of anything else), with the
    checker of one element, and fields holding a model (or None), with that model's checker."""
    out: list[tuple[str, bool, Callable[[Any, float, str], Any]]] = []
    for name, field in cls.model_fields.items():
        tp = field.annotation
        if get_origin(tp) is list:
            (item,) = get_args(tp)
            if isinstance(item, type) and issubclass(item, BaseModel):
                out.append((name, True, functools.partial(model, item)))
            else:
                out.append((name, True, _adapted(TypeAdapter(item))))
            continue
        if get_origin(tp) in (Union, types.UnionType):  # an optional model: X | None
            options = [a for a in get_args(tp) if a is not type(None)]
            tp = options[0] if len(options) == 1 else None
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            out.append((name, False, functools.partial(model, tp)))
    return tuple(out)


def _adapted(adapter: TypeAdapter[T]) -> Callable[[Any, float, str], T]:
    return lambda value, _deadline, where: _valid(adapter.validate_python, value, where)
