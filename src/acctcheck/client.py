"""Python client for platform backends: call acctcheck inside a registration or profile-edit request
without ever making that request hang.

- A time budget per call (default 200 ms, covering the retry), pooled keep-alive connections.
- At most one retry, and only when the connection could not be made (nothing was sent).
- ``on_unavailable``: what a call returns when acctcheck cannot answer — ``"raise"`` (default) raises
  :class:`Unavailable`; ``"open"`` returns a ``pass`` verdict and ``"closed"`` a ``reject`` verdict, both
  with ``degraded=True`` and no findings, so the caller can queue the account for a re-check.
- A circuit breaker: after ``failure_threshold`` consecutive failures calls stop going out for
  ``reset_after`` seconds (they cost microseconds), then one probe call decides whether to close it again.
- Only the contract is an answer (:mod:`acctcheck.client_answers`): a proxy's error page, a redirect, a
  malformed or oversized body is "unavailable" like a timeout, never a refusal of the input.

Results are the server's own pydantic models (:mod:`acctcheck.contract`); this module does not import FastAPI.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Generic, Literal, NamedTuple, TypedDict, TypeVar, overload

import httpx

from acctcheck import client_answers as answers
from acctcheck.contract import BatchItemError, ErrorBody, ValidateRequest, Verdict
from acctcheck.geo.region import IpRegion

__all__ = [
    "AcctcheckError", "AsyncClient", "BatchItemError", "CircuitBreaker", "CircuitOpen", "Client",
    "RequestRejected", "Unavailable", "Verdict",
]

log = logging.getLogger("acctcheck.client")

OnUnavailable = Literal["open", "closed", "raise"]
RequestLike = ValidateRequest | Mapping[str, Any]
BatchResult = Verdict | BatchItemError
T = TypeVar("T")
# the transport a client sends through: httpx.BaseTransport (Client) or httpx.AsyncBaseTransport (AsyncClient)
_TransportT = TypeVar("_TransportT", httpx.BaseTransport, httpx.AsyncBaseTransport)

DEFAULT_TIMEOUT_S = 0.2
DEFAULT_BATCH_TIMEOUT_S = 30.0
DEFAULT_BATCH_SIZE = 1000
# A verdict is a few KB even with dozens of findings; 1000 IP regions are ~200 KB.
DEFAULT_MAX_RESPONSE_BYTES = 1 << 20
# A 1000-verdict answer is ~1.2 MB with two findings each; 16 MiB leaves room for ~30 findings per verdict and
# bounds the decode (one call holding the GIL, ~0.1 s). Above it a batch is unavailable: use a smaller batch_size.
DEFAULT_MAX_BATCH_RESPONSE_BYTES = 16 << 20
_JSON = {"content-type": "application/json"}


class AcctcheckError(Exception):
    """Base of every error this client raises."""


class Unavailable(AcctcheckError):
    """acctcheck did not answer: a timeout, no connection, the circuit open, or a response that is not the
    contract (a 5xx, a proxy's HTML page, a redirect, malformed or oversized JSON)."""


class CircuitOpen(Unavailable):
    """Raised without any network I/O while the circuit breaker is open."""


class RequestRejected(AcctcheckError):
    """acctcheck refused the input itself (400/413/415/422 with its JSON ErrorBody), e.g. a field longer than
    the server allows."""

    def __init__(self, status: int, body: ErrorBody) -> None:
        self.status = status
        self.body = body
        super().__init__(f"HTTP {status} {body.error}: {body.message}")


class CircuitBreaker:
    """Consecutive-failure breaker, shared by all threads (or tasks) using one client.

    closed → (``failure_threshold`` failures in a row) → open → (``reset_after`` s) → half-open: exactly one
    call goes out as a probe; its success closes the circuit, its failure opens it for another interval.
    A probe that never reports (a killed thread) is replaced after another ``reset_after``.
    """

    def __init__(self, failure_threshold: int = 5, reset_after: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if failure_threshold < 1 or reset_after <= 0:
            raise ValueError("failure_threshold must be >= 1 and reset_after > 0")
        self.failure_threshold = failure_threshold
        self.reset_after = reset_after
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._probe_at: float | None = None

    @property
    def state(self) -> Literal["closed", "open", "half_open"]:
        with self._lock:
            if self._opened_at is None:
                return "closed"
            if self._probe_at is not None or self._clock() - self._opened_at >= self.reset_after:
                return "half_open"
            return "open"

    def allow(self) -> bool:
        """May a call go out now? In half-open state, True for one caller (the probe) only."""
        if self._opened_at is None:  # the hot path: no lock while closed
            return True
        with self._lock:
            if self._opened_at is None:
                return True
            now = self._clock()
            if now - self._opened_at < self.reset_after:
                return False
            if self._probe_at is not None and now - self._probe_at < self.reset_after:
                return False
            self._probe_at = now
            return True

    def record_success(self) -> None:
        if self._failures == 0 and self._opened_at is None:
            return
        with self._lock:
            if self._opened_at is not None:
                log.warning("acctcheck circuit closed: service answered again")
            self._failures = 0
            self._opened_at = None
            self._probe_at = None

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._probe_at is not None or self._failures >= self.failure_threshold:
                if self._opened_at is None:
                    log.warning("acctcheck circuit opened after %d consecutive failures", self._failures)
                self._opened_at = self._clock()
                self._probe_at = None


def as_request(request: RequestLike) -> ValidateRequest:
    """A ValidateRequest, or the dict the HTTP API takes (validated here, before any I/O)."""
    return request if isinstance(request, ValidateRequest) else ValidateRequest.model_validate(request)


def _batch_body(chunk: Sequence[ValidateRequest]) -> bytes:
    return b'{"items":[' + b",".join(r.model_dump_json(exclude_none=True).encode() for r in chunk) + b"]}"


def _chunks(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class _Send(TypedDict, total=False):
    """What a call hands to httpx's `stream` besides its method, path and timeout."""

    content: str | bytes
    headers: Mapping[str, str]
    params: Mapping[str, str]
    json: object


class _Call(NamedTuple, Generic[T]):
    """One HTTP call as Client and AsyncClient both send it: built once, sent by either transport."""

    method: str
    path: str
    parse: answers.Parse[T]
    timeout: float
    limit: int  # bytes of body accepted
    kwargs: _Send


class _LocalUnavailable(Exception):
    """Internal: unavailable for a local reason (connection pool full) that must not trip the breaker."""


class _Base(Generic[_TransportT]):
    """Configuration, request building, breaker bookkeeping, response parsing and degradation shared by
    Client and AsyncClient (which differ only in how they send and wait). The one constructor of both: its
    keywords are what type checkers and editors show for either class."""

    def __init__(
        self,
        base_url: str,
        *,
        transport: _TransportT | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
        batch_timeout: float = DEFAULT_BATCH_TIMEOUT_S,
        batch_size: int = DEFAULT_BATCH_SIZE,
        on_unavailable: OnUnavailable = "raise",
        on_degraded: Callable[[ValidateRequest, Unavailable], None] | None = None,
        retries: int = 1,
        breaker: CircuitBreaker | None = None,
        headers: Mapping[str, str] | None = None,
        max_connections: int = 100,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_batch_response_bytes: int = DEFAULT_MAX_BATCH_RESPONSE_BYTES,
    ) -> None:
        if on_unavailable not in ("open", "closed", "raise"):
            raise ValueError('on_unavailable must be "open", "closed" or "raise"')
        if max_response_bytes < 1 or max_batch_response_bytes < 1:
            raise ValueError("max_response_bytes and max_batch_response_bytes must be positive")
        if retries not in (0, 1):
            raise ValueError("retries must be 0 or 1: a second retry would blow the caller's time budget")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.batch_timeout = batch_timeout
        self.batch_size = batch_size
        self.on_unavailable = on_unavailable
        self.on_degraded = on_degraded
        self.retries = retries
        self.breaker = breaker if breaker is not None else CircuitBreaker()
        self.max_response_bytes = max_response_bytes
        self.max_batch_response_bytes = max_batch_response_bytes
        self._headers = {"accept": "application/json", **(headers or {})}
        self._limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        self._open(transport)

    def _open(self, transport: _TransportT | None) -> None:
        """Create the pooled httpx client (sync or async) that sends every call."""
        raise NotImplementedError

    # -- requests -----------------------------------------------------------------------------------------
    def _validate_call(self, req: ValidateRequest, timeout: float | None) -> _Call[Verdict]:
        return _Call("POST", "/validate", answers.one(Verdict), timeout or self.timeout, self.max_response_bytes,
                     {"content": req.model_dump_json(exclude_none=True), "headers": _JSON})

    def _batch_call(self, chunk: Sequence[ValidateRequest], timeout: float | None) -> _Call[list[BatchResult]]:
        return _Call("POST", "/validate/batch", answers.results(len(chunk), answers.batch_entry),
                     timeout or self.batch_timeout, self.max_batch_response_bytes,
                     {"content": _batch_body(chunk), "headers": _JSON})

    def _ip_region_call(self, ip: str, timeout: float | None) -> _Call[IpRegion]:
        return _Call("GET", "/ip-region", answers.one(IpRegion), timeout or self.timeout, self.max_response_bytes,
                     {"params": {"ip": ip}})

    def _ip_regions_call(self, ips: Sequence[str], timeout: float | None) -> _Call[list[IpRegion]]:
        return _Call("POST", "/ip-region", answers.results(len(ips), answers.ip_region_entry),
                     timeout or self.timeout, self.max_response_bytes, {"json": {"ips": list(ips)}})

    # -- one call -----------------------------------------------------------------------------------------
    def _admit(self) -> None:
        """Refuse without any I/O while the breaker is open."""
        if not self.breaker.allow():
            raise CircuitOpen("acctcheck circuit is open (recent calls failed)")

    def _retry_after(self, exc: httpx.RequestError, attempts: int, timeout: float) -> int:
        """The attempts made so far when the failed send may be retried; else raise what ends the call."""
        if isinstance(exc, httpx.ConnectError):  # nothing was sent: safe to try once more
            if attempts < self.retries:
                return attempts + 1
            raise Unavailable(f"acctcheck unreachable: {exc}") from exc
        if isinstance(exc, httpx.PoolTimeout):  # local congestion, not the service: no breaker failure
            raise _LocalUnavailable(f"no free connection within {timeout:g} s") from exc
        if isinstance(exc, httpx.TimeoutException):
            raise Unavailable(f"acctcheck did not answer within {timeout:g} s") from exc
        raise Unavailable(f"acctcheck transport error: {exc!r}") from exc  # also a body that does not decode

    @contextlib.contextmanager
    def _breaker_outcome(self, timeout: float) -> Iterator[None]:
        """Turn the outcome of a call into the client's errors and report it to the breaker: not answering
        (no connection, a timeout, a response that is not the contract) is a failure; an answer, even a
        refusal of the input, a success (the service is up; the input was wrong); a full local pool neither."""
        try:
            yield
        except _LocalUnavailable as exc:
            raise Unavailable(str(exc)) from exc.__cause__
        except answers.Refused as exc:
            self.breaker.record_success()
            raise RequestRejected(exc.status, exc.body) from None
        except Unavailable:
            self.breaker.record_failure()
            raise
        except TimeoutError as exc:  # the total deadline passed while reading or checking the answer
            self.breaker.record_failure()
            raise Unavailable(f"acctcheck did not answer within {timeout:g} s") from exc
        except answers.NotAnAnswer as exc:
            self.breaker.record_failure()
            raise Unavailable(f"acctcheck answered {exc}") from exc
        self.breaker.record_success()

    # -- outcomes -----------------------------------------------------------------------------------------
    def _degrade(self, exc: Unavailable, requests: Sequence[ValidateRequest]) -> list[Verdict]:
        """Apply on_unavailable: raise, or one degraded verdict per request (after telling on_degraded)."""
        if self.on_unavailable == "raise":
            raise exc
        decision: Literal["pass", "reject"] = "pass" if self.on_unavailable == "open" else "reject"
        out = []
        for req in requests:
            if self.on_degraded is not None:
                try:
                    self.on_degraded(req, exc)
                except Exception:
                    log.exception("on_degraded hook failed")
            out.append(Verdict(decision=decision, findings=[], rules_revision="unavailable",
                               decision_id=f"degraded-{uuid.uuid4().hex}", degraded=True))
        return out


class Client(_Base[httpx.BaseTransport]):
    """Synchronous client; thread-safe; create one per process and reuse it (connections are pooled).

    The time budget bounds connecting (and the one retry), sending and every read, and the total is checked
    after every read of the body and while checking the answer: a server trickling bytes is cut after at most
    one more read (each may take up to the time left when the call started, so at worst twice the budget).
    The :class:`AsyncClient` enforces the budget as a hard total deadline.
    """

    _http: httpx.Client

    def _open(self, transport: httpx.BaseTransport | None) -> None:
        self._http = httpx.Client(base_url=self.base_url, headers=self._headers, limits=self._limits,
                                  transport=transport, timeout=self.timeout, follow_redirects=False)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _call(self, call: _Call[T]) -> T:
        self._admit()
        deadline = time.monotonic() + call.timeout
        attempts = 0
        with self._breaker_outcome(call.timeout):
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise Unavailable(f"acctcheck: no time left for a retry within {call.timeout:g} s")
                try:
                    with self._http.stream(call.method, call.path, timeout=httpx.Timeout(remaining),
                                           **call.kwargs) as resp:
                        body = answers.receive(resp, call.limit, deadline)
                    break
                except httpx.RequestError as exc:
                    attempts = self._retry_after(exc, attempts, call.timeout)
            return answers.answer(body, call.parse)

    def validate(self, request: RequestLike, *, timeout: float | None = None) -> Verdict:
        """Validate one account. Raises RequestRejected for input the server refuses, Unavailable only
        when on_unavailable="raise"."""
        req = as_request(request)
        try:
            return self._call(self._validate_call(req, timeout))
        except Unavailable as exc:
            return self._degrade(exc, [req])[0]

    def validate_many(self, requests: Iterable[RequestLike], *, timeout: float | None = None,
                      batch_size: int | None = None) -> list[BatchResult]:
        """Validate many accounts through POST /validate/batch, in order: a Verdict per item, or a
        BatchItemError for an item the server refused. ``timeout`` applies per batch of ``batch_size``."""
        reqs = [as_request(r) for r in requests]
        out: list[BatchResult] = []
        for chunk in _chunks(reqs, batch_size or self.batch_size):
            try:
                results = self._call(self._batch_call(chunk, timeout))
                out.extend(results)
            except Unavailable as exc:
                out.extend(self._degrade(exc, chunk))
        return out

    # A str is a Sequence[str] too, so the two overloads overlap with different answers: the str one comes first
    # and is tested first at run time (isinstance), which is what mypy's overload-overlap cannot see.
    @overload
    def ip_region(self, ip: str, *, timeout: float | None = None) -> IpRegion: ...  # type: ignore[overload-overlap]
    @overload
    def ip_region(self, ip: Sequence[str], *, timeout: float | None = None) -> list[IpRegion]: ...

    def ip_region(self, ip: str | Sequence[str], *, timeout: float | None = None) -> IpRegion | list[IpRegion]:
        """IP属地 label of one address (GET) or of many (POST, in order). Always raises Unavailable when the
        service cannot answer: there is no safe default label."""
        if isinstance(ip, str):
            return self._call(self._ip_region_call(ip, timeout))
        return self._call(self._ip_regions_call(ip, timeout))


class AsyncClient(_Base[httpx.AsyncBaseTransport]):
    """asyncio client with the same behaviour as :class:`Client`; the time budget is a hard total deadline."""

    _http: httpx.AsyncClient

    def _open(self, transport: httpx.AsyncBaseTransport | None) -> None:
        self._http = httpx.AsyncClient(base_url=self.base_url, headers=self._headers, limits=self._limits,
                                       transport=transport, timeout=self.timeout, follow_redirects=False)

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _call(self, call: _Call[T]) -> T:
        self._admit()
        deadline = time.monotonic() + call.timeout
        attempts = 0
        with self._breaker_outcome(call.timeout):
            async with asyncio.timeout(call.timeout):  # the hard total deadline: connecting, reading, checking
                while True:
                    remaining = max(deadline - time.monotonic(), 0.001)
                    try:
                        async with self._http.stream(call.method, call.path, timeout=httpx.Timeout(remaining),
                                                     **call.kwargs) as resp:
                            body = await answers.areceive(resp, call.limit, deadline)
                        break
                    except httpx.RequestError as exc:
                        attempts = self._retry_after(exc, attempts, call.timeout)
                if len(body.data) <= answers.SMALL_ANSWER_BYTES:
                    return answers.answer(body, call.parse)
                # off the event loop; a thread abandoned at the deadline stops at its next deadline check
                return await asyncio.to_thread(answers.answer, body, call.parse)

    async def validate(self, request: RequestLike, *, timeout: float | None = None) -> Verdict:
        req = as_request(request)
        try:
            return await self._call(self._validate_call(req, timeout))
        except Unavailable as exc:
            return self._degrade(exc, [req])[0]

    async def validate_many(self, requests: Iterable[RequestLike], *, timeout: float | None = None,
                            batch_size: int | None = None) -> list[BatchResult]:
        reqs = [as_request(r) for r in requests]
        out: list[BatchResult] = []
        for chunk in _chunks(reqs, batch_size or self.batch_size):
            try:
                results = await self._call(self._batch_call(chunk, timeout))
                out.extend(results)
            except Unavailable as exc:
                out.extend(self._degrade(exc, chunk))
        return out

    @overload  # (the str overload first: see Client.ip_region)
    async def ip_region(  # type: ignore[overload-overlap]
        self, ip: str, *, timeout: float | None = None
    ) -> IpRegion: ...
    @overload
    async def ip_region(self, ip: Sequence[str], *, timeout: float | None = None) -> list[IpRegion]: ...

    async def ip_region(self, ip: str | Sequence[str], *, timeout: float | None = None) -> IpRegion | list[IpRegion]:
        if isinstance(ip, str):
            return await self._call(self._ip_region_call(ip, timeout))
        return await self._call(self._ip_regions_call(ip, timeout))
