"""What the Python client accepts as acctcheck's answer, and how it reads one without trusting it.

An answer is acctcheck's only when everything matches the contract: a 200 whose ``application/json`` body
validates against the call's contract model, or one of the service's own refusals — 400/413/415/422 with an
``application/json`` :class:`~acctcheck.contract.ErrorBody`. Anything else — a proxy's HTML error page, a
redirect to a login page, ``text/plain``, malformed or incomplete JSON, a body over the size limit, a 5xx —
is :class:`NotAnAnswer`: the service did not answer, which the client treats like a timeout.

Cost is bounded before anything is trusted: the status line and headers are checked before a byte of the body
is read; the body is read under a size limit and the caller's deadline; JSON is decoded with orjson and
validated in Python mode. ``model_validate_json`` keeps a Python copy of the input of every error: a 10 MB
verdict-shaped body with 75,000 wrong findings (~1M errors) took 9-17 s that way (bench/client_bench.py).
Above :data:`SMALL_ANSWER_BYTES`, lists are validated one element at a time and stop at the first bad one,
so such a body costs about one decode; between elements the deadline is checked and other threads (an event
loop) get the GIL.
"""

from __future__ import annotations

import functools
import time
import types
from collections.abc import Callable, Sequence
from typing import NamedTuple, TypeVar, Union, get_args, get_origin

import httpx
import orjson
from pydantic import BaseModel, TypeAdapter, ValidationError

from acctcheck.contract import BatchItemError, ErrorBody, Verdict
from acctcheck.geo.region import IpRegion

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

class Check(NamedTuple):
    """How one answer is checked: until when, and whether to fail fast (see :func:`model`)."""

    deadline: float  # on time.monotonic()
    fail_fast: bool


# Decoded JSON is `object`: untrusted until validated, so every use narrows it first.
Parse = Callable[[object, Check], T]  # (decoded JSON, how) -> the call's result
Item = Callable[[object, Check, str], T]  # (one decoded value, how, where it is for messages) -> it validated

# The service's own refusals of the input (api/body.py, api/validate.py); any other 4xx is not acctcheck's.
REFUSAL_STATUS = frozenset({400, 413, 415, 422})
# Up to this size an answer is validated in one pydantic call per object (~30 µs for a verdict; a 64 KiB body
# built for the worst case, one error per few bytes, ~7 ms); above it, fail fast, and AsyncClient checks it
# in a worker thread.
SMALL_ANSWER_BYTES = 64 * 1024


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


def receive(resp: httpx.Response, limit: int, deadline: float) -> Body:
    """The body of a streamed response that may be the contract, read under ``limit`` and the deadline."""
    body = Body(resp, limit, deadline)
    for chunk in resp.iter_bytes():
        body.add(chunk)
    return body


async def areceive(resp: httpx.Response, limit: int, deadline: float) -> Body:
    """:func:`receive` for an AsyncClient's response."""
    body = Body(resp, limit, deadline)
    async for chunk in resp.aiter_bytes():
        body.add(chunk)
    return body


def answer(body: Body, parse: Parse[T]) -> T:
    """The call's result from a 200 body; :class:`Refused` from a refusal; NotAnAnswer from anything else."""
    status, deadline = body.status, body.deadline
    check = Check(deadline, fail_fast=len(body.data) > SMALL_ANSWER_BYTES)
    if time.monotonic() > deadline:
        raise TimeoutError("the answer arrived after the time budget")
    try:
        obj = orjson.loads(body.data)
    except orjson.JSONDecodeError as exc:
        raise NotAnAnswer(f"HTTP {status} with malformed JSON: {exc}") from None
    try:
        if status == 200:
            return parse(obj, check)
        refusal = model(ErrorBody, obj, check)
    except NotAnAnswer as exc:
        raise NotAnAnswer(f"HTTP {status} with JSON off the contract: {exc}") from exc.__cause__
    raise Refused(status, refusal)


# -- parsers of the answers (Parse callables) -----------------------------------------------------------------
def model(cls: type[M], obj: object, check: Check, where: str = "") -> M:
    """``cls.model_validate(obj)``; with ``check.fail_fast``, failing fast where pydantic would collect one
    error per element: unknown keys of a model that forbids them, and lists (validated one element at a time,
    in a Python loop, which checks the deadline and lets other threads run), at every level of nested models.
    That costs ~2x on a valid answer, hence only for large ones."""
    if check.fail_fast and isinstance(obj, dict):
        if cls.model_config.get("extra") == "forbid" and (unknown := obj.keys() - cls.model_fields.keys()):
            raise NotAnAnswer(f"{where or 'the answer'} has unknown keys {sorted(map(str, unknown))[:3]}")
        checked: dict[str, object] = {}
        for name, is_list, item in _nested(cls):
            value = obj.get(name)
            if is_list and isinstance(value, list) and value:
                checked[name] = elements(value, item, check, f"{where}.{name}")
            elif not is_list and isinstance(value, dict):
                checked[name] = item(value, check, f"{where}.{name}")
        if checked:  # validated models are taken as they are (revalidate_instances="never")
            obj = {**obj, **checked}
    return _valid(cls.model_validate, obj, where)


def results(n: int, item: Item[T]) -> Parse[list[T]]:
    """Parser of ``{"results": [...]}`` holding exactly ``n`` entries (one per item asked, in order)."""

    def parse(obj: object, check: Check) -> list[T]:
        entries = obj.get("results") if isinstance(obj, dict) else None
        if not isinstance(entries, list):
            raise NotAnAnswer(f"expected {{\"results\": [...]}}, got {type(obj).__name__}")
        if len(entries) != n:
            raise NotAnAnswer(f"{len(entries)} results for {n} items")
        return elements(entries, item, check, "results")

    return parse


def batch_entry(obj: object, check: Check, where: str) -> Verdict | BatchItemError:
    """One /validate/batch result: ``{"error": ErrorBody}`` for an item refused, else a Verdict."""
    if isinstance(obj, dict) and "error" in obj:
        return model(BatchItemError, obj, check, where)
    return model(Verdict, obj, check, where)


def one(cls: type[M]) -> Parse[M]:
    return lambda obj, check: model(cls, obj, check)


def ip_region_entry(obj: object, check: Check, where: str) -> IpRegion:
    return model(IpRegion, obj, check, where)


def elements(values: Sequence[object], item: Item[T], check: Check, where: str) -> list[T]:
    out: list[T] = []
    for i, value in enumerate(values):
        if time.monotonic() > check.deadline:
            raise TimeoutError("the answer could not be checked within the time budget")
        out.append(item(value, check, f"{where}[{i}]"))
    return out


def _valid(validate: Callable[[object], T], obj: object, where: str) -> T:
    try:
        return validate(obj)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False, include_context=False)[0]
        loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"])
        raise NotAnAnswer(f"{where}{loc}: {first['msg']} ({exc.error_count()} errors)") from exc


@functools.cache
def _nested(cls: type[BaseModel]) -> tuple[tuple[str, bool, Item[object]], ...]:
    """The fields of ``cls`` that :func:`model` checks first: lists (of models or of anything else), with the
    checker of one element, and fields holding a model (or None), with that model's checker."""
    out: list[tuple[str, bool, Item[object]]] = []
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


def _adapted(adapter: TypeAdapter[T]) -> Item[T]:
    return lambda value, _check, where: _valid(adapter.validate_python, value, where)
