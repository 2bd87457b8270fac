"""acctcheck.client against real servers on loopback: the service (uvicorn in a thread), a server that
accepts connections and never answers, a port where nothing listens, and a stand-in for a proxy in front of
the service that answers everything that is not the contract."""

from __future__ import annotations

import asyncio
import json
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from acctcheck import client_answers
from acctcheck.client import (
    AcctcheckError,
    AsyncClient,
    BatchItemError,
    CircuitBreaker,
    CircuitOpen,
    Client,
    RequestRejected,
    Unavailable,
)
from acctcheck.contract import ErrorBody, ValidateRequest, Verdict
from acctcheck.geo.region import IpRegion
from acctcheck.settings import Settings
from tests.conftest import ThreadServer, free_port
from tests.support.waiting import wait_until


class StallServer:
    """Accepts TCP connections, reads nothing, answers nothing, until closed."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.accepted = 0
        self.conns: list[socket.socket] = []
        self.stopped = threading.Event()
        self.sock.settimeout(0.05)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            self.conns.append(conn)

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(5)
        self.sock.close()
        for c in self.conns:
            c.close()


class CountingTransport(httpx.HTTPTransport):
    """The real transport, counting how many times a request went to the network."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        return super().handle_request(request)


def settings(rules: Path) -> Settings:
    return Settings(rules_dir=rules, watch=False, max_batch_items=1000)


@pytest.fixture(scope="module")
def service(small_rules: Path) -> Iterator[ThreadServer]:
    with ThreadServer(settings(small_rules)) as srv:
        yield srv


@pytest.fixture
def stall() -> Iterator[StallServer]:
    srv = StallServer()
    yield srv
    srv.close()


def dead_url() -> str:
    return f"http://127.0.0.1:{free_port()}"  # nothing listens there: connection refused


def test_validate_typed_and_dict_input(service: ThreadServer) -> None:
    with Client(service.url, timeout=5) as c:
        v = c.validate({"fields": {"nickname": "外交部官方"}})
        assert isinstance(v, Verdict) and v.decision == "reject" and not v.degraded
        assert v.findings[0].category == "official_impersonation"
        v = c.validate(ValidateRequest.model_validate({"fields": {"nickname": "小明"}, "ip": "202.96.128.86"}))
        assert v.decision == "pass" and v.ip_region is not None and v.ip_region.label == "广东"
        assert c.breaker.state == "closed"


def test_rejected_input_raises_and_does_not_trip_the_breaker(service: ThreadServer) -> None:
    with Client(service.url, timeout=5, on_unavailable="open", breaker=CircuitBreaker(failure_threshold=1)) as c:
        with pytest.raises(RequestRejected) as info:
            c.validate({"fields": {"nickname": "x" * 600}})
        assert info.value.status == 422 and info.value.body.error == "field_too_long"
        assert c.breaker.state == "closed"


def test_ip_region_one_and_many(service: ThreadServer) -> None:
    with Client(service.url, timeout=5) as c:
        assert c.ip_region("202.96.128.86").label == "广东"
        assert [r.label for r in c.ip_region(["8.8.8.8", "168.95.1.1"])] == ["美国", "中国台湾"]


def test_validate_many_order_errors_and_chunks(service: ThreadServer) -> None:
    names = [f"用户{i}" for i in range(2500)]
    names[7] = "外交部小编"
    names[1500] = "中央小李"
    reqs: list[dict] = [{"fields": {"nickname": n}} for n in names]
    reqs[42] = {"fields": {"nickname": "y" * 600}}  # valid for the model, refused by the server
    with Client(service.url) as c:
        res = c.validate_many(reqs)  # 3 batches of ≤1000
    assert len(res) == 2500
    assert res[7].decision == "reject" and res[1500].decision == "review"  # type: ignore[union-attr]
    assert isinstance(res[42], BatchItemError) and res[42].error.error == "field_too_long"
    assert res[42].error.details[0].loc == ["body", "items", 42, "fields", "nickname"]
    assert sum(isinstance(r, Verdict) and r.decision == "pass" for r in res) == 2497


def test_stalled_server_times_out_within_budget_without_retry(stall: StallServer) -> None:
    transport = CountingTransport()
    with Client(stall.url, timeout=0.2, transport=transport) as c:
        t0 = time.monotonic()
        with pytest.raises(Unavailable):
            c.validate({"fields": {"nickname": "小明"}})
        took = time.monotonic() - t0
    # the stalled server never answers: Unavailable means the client's own 0.2 s budget ended the call (not
    # before it); the upper bound only turns a missing budget into a failure instead of a hung run
    assert 0.15 <= took < 30
    assert transport.calls == 1  # a read timeout is never retried


def test_fail_open_and_closed(stall: StallServer) -> None:
    seen: list[str] = []
    with Client(stall.url, timeout=0.1, on_unavailable="open",
                on_degraded=lambda req, exc: seen.append(req.fields.nickname)) as c:
        v = c.validate({"fields": {"nickname": "小明"}})
    assert v.decision == "pass" and v.degraded and v.findings == [] and seen == ["小明"]
    with Client(stall.url, timeout=0.1, on_unavailable="closed") as c:
        v = c.validate({"fields": {"nickname": "小明"}})
        assert v.decision == "reject" and v.degraded
        many = c.validate_many([{"fields": {"nickname": "a"}}] * 3, timeout=0.1)
        assert [m.decision for m in many] == ["reject"] * 3  # type: ignore[union-attr]


def test_connect_error_is_retried_once() -> None:
    transport = CountingTransport()
    with Client(dead_url(), transport=transport, on_unavailable="open") as c:
        assert c.validate({"fields": {"nickname": "小明"}}).degraded
    assert transport.calls == 2


def test_circuit_opens_then_probe_closes_it(small_rules: Path) -> None:
    port = free_port()
    transport = CountingTransport()
    now = [1000.0]  # the breaker's clock, moved by the test instead of sleeping through reset_after
    breaker = CircuitBreaker(failure_threshold=3, reset_after=0.5, clock=lambda: now[0])
    with Client(f"http://127.0.0.1:{port}", transport=transport, breaker=breaker, on_unavailable="open") as c:
        for _ in range(3):
            assert c.validate({"fields": {"nickname": "小明"}}).degraded
        assert breaker.state == "open"
        calls = transport.calls
        for _ in range(1000):
            assert c.validate({"fields": {"nickname": "小明"}}).degraded
        assert transport.calls == calls  # no network while open
        now[0] += 0.4
        assert breaker.state == "open"
        now[0] += 0.2  # half-open: the probe fails (still dead) → open again
        assert breaker.state == "half_open"
        c.validate({"fields": {"nickname": "小明"}})
        assert breaker.state == "open" and transport.calls == calls + 2  # the probe (+ its connect retry)
        with ThreadServer(settings(small_rules), port=port):
            now[0] += 0.6
            v = c.validate({"fields": {"nickname": "外交部"}})  # the probe succeeds
            assert not v.degraded and v.decision == "reject"
            assert breaker.state == "closed"
            assert not c.validate({"fields": {"nickname": "小明"}}).degraded


def test_raise_mode_and_circuit_open_error() -> None:
    with Client(dead_url(), breaker=CircuitBreaker(failure_threshold=1, reset_after=60)) as c:
        with pytest.raises(Unavailable):
            c.validate({"fields": {"nickname": "小明"}})
        with pytest.raises(CircuitOpen):
            c.validate({"fields": {"nickname": "小明"}})


def test_async_client(service: ThreadServer, stall: StallServer) -> None:
    async def main() -> None:
        async with AsyncClient(service.url, timeout=5) as c:  # answers, not the budget (noisy shared machines)
            got = await asyncio.gather(*(c.validate({"fields": {"nickname": n}}) for n in ["外交部", "小明"] * 10))
            assert [v.decision for v in got] == ["reject", "pass"] * 10
            res = await c.validate_many([{"fields": {"nickname": "中央"}}, {"fields": {"nickname": "z" * 600}}])
            assert res[0].decision == "review" and isinstance(res[1], BatchItemError)  # type: ignore[union-attr]
        async with AsyncClient(stall.url, timeout=0.2, on_unavailable="closed",
                               breaker=CircuitBreaker(failure_threshold=2, reset_after=30)) as c:
            got = await asyncio.gather(*(c.validate({"fields": {"nickname": "a"}}) for _ in range(5)))
            assert all(v.degraded and v.decision == "reject" for v in got)
            assert c.breaker.state == "open"
        # concurrently: all five reached the server before any timed out (one after another, the breaker would
        # have opened after two and answered the other three without a connection)
        wait_until(lambda: stall.accepted >= 5, "the stalled server to accept five connections", 10)
        assert stall.accepted == 5

    asyncio.run(asyncio.wait_for(main(), 30))


# -- a proxy in front of acctcheck: answers that are not the contract ---------------------------------------------
VERDICT = Verdict(decision="pass", findings=[], rules_revision="sha256:proxy-test", decision_id="proxy-1")
REGION = IpRegion(ip="202.96.128.86", label="广东", country_code="CN", province="广东", scope="domestic",
                  precision="province", source="main", database="2026-11-01")
REFUSAL = ErrorBody(error="field_too_long", message="fields.nickname is longer than 500 characters")
BIG = 10 * 1024 * 1024
NGINX_404 = b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1><hr>nginx</body></html>"
# case -> (status, content type, body, extra headers)
SMALL_ANSWERS: dict[str, tuple[int, str, bytes, dict[str, str]]] = {
    "verdict": (200, "application/json", VERDICT.model_dump_json().encode(), {}),
    "region": (200, "application/json", REGION.model_dump_json().encode(), {}),
    "refusal422": (422, "application/json; charset=utf-8", REFUSAL.model_dump_json().encode(), {}),
    "html404": (404, "text/html", NGINX_404, {}),
    "redirect302": (302, "text/html", b"<a href='https://sso.example.com/login'>Found</a>",
                    {"Location": "https://sso.example.com/login"}),
    "text200": (200, "text/plain; charset=utf-8", VERDICT.model_dump_json().encode(), {}),
    "json404": (404, "application/json", b'{"error":"http_error","message":"Not Found","details":[]}', {}),
    "foreign422": (422, "application/json", b'{"detail":[{"loc":["body"],"msg":"Field required"}]}', {}),
    "malformed422": (422, "application/json", b'{"error": "invalid_json", "message": "unterminat', {}),
    "wrongtypes422": (422, "application/json", b'{"error": 422, "message": ["bad"]}', {}),
    "malformed200": (200, "application/json", b'{"decision": "pass", "findings": [', {}),
    "missing200": (200, "application/json", '{"decision": "pass", "label": "广东"}'.encode(), {}),
    "wrongtypes200": (200, "application/json", b'{"results": {"ip": 1}, "decision": 1, "label": 2}', {}),
    "short_results": (200, "application/json", b'{"results": [' + REGION.model_dump_json().encode() + b"]}", {}),
}


def big_json_list() -> bytes:
    """10 MB of JSON that any decoder rejects as a verdict in one error: a list of zeros."""
    return b"[" + b"0," * (BIG // 2 - 1) + b"0]"


def big_off_contract_verdict() -> bytes:
    """10 MB shaped like a verdict whose ~75,000 findings are all wrong: ~13 errors each for a validator that
    collects them all."""
    finding = {"x": "y" * 50, "n": list(range(20))}
    return json.dumps({"decision": "pass", "findings": [finding] * (BIG // 140)}).encode()


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], OSError):  # a client that hung up is what these tests do
            super().handle_error(request, client_address)


class Proxy:
    """A stdlib HTTP server on loopback standing in for whatever sits in front of acctcheck. The test picks the
    answer with an X-Case header; for the large and the slow bodies, each answer reports how many body bytes
    it got out before the client stopped reading (see `sent`)."""

    def __init__(self) -> None:
        proxy = self
        self._sent: dict[str, queue.Queue[tuple[int, int]]] = {}
        self._lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: Any) -> None:
                pass

            def do_GET(self) -> None:
                self.answer(b"")

            def do_POST(self) -> None:
                self.answer(self.rfile.read(int(self.headers.get("content-length") or 0)))

            def answer(self, request: bytes) -> None:
                case = self.headers.get("x-case", "")
                if case in SMALL_ANSWERS:
                    status, ctype, body, extra = SMALL_ANSWERS[case]
                    self.head(status, ctype, len(body), extra)
                    self.wfile.write(body)
                elif case == "batch_ok":  # as many valid verdicts as items asked: a legitimately large answer
                    n = len(json.loads(request)["items"])
                    body = json.dumps({"results": [json.loads(VERDICT.model_dump_json())] * n}).encode()
                    self.head(200, "application/json", len(body))
                    self.wfile.write(body)
                elif case == "big_declared":
                    proxy.stream(self, case, big_json_list(), "application/json", declared=True)
                elif case == "big_unsized":  # no Content-Length: the body ends when the connection closes
                    proxy.stream(self, case, big_json_list(), "application/json", declared=False)
                elif case == "big_html404":
                    proxy.stream(self, case, NGINX_404 * (BIG // len(NGINX_404)), "text/html", declared=True,
                                 status=404)
                elif case == "big_off_contract":
                    proxy.stream(self, case, big_off_contract_verdict(), "application/json", declared=True)
                elif case == "slow":  # a valid verdict whose bytes take 2 s to arrive
                    body = VERDICT.model_dump_json().encode().ljust(2000)
                    proxy.stream(self, case, body, "application/json", declared=True, chunk=50, pause=0.05)
                else:
                    self.send_error(400, f"unknown case {case!r}")

            def head(self, status: int, ctype: str, length: int | None, extra: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                if length is None:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                else:
                    self.send_header("Content-Length", str(length))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def stream(self, handler: BaseHTTPRequestHandler, case: str, body: bytes, ctype: str, *, declared: bool,
               status: int = 200, chunk: int = 64 * 1024, pause: float = 0.0) -> None:
        handler.head(status, ctype, len(body) if declared else None)  # type: ignore[attr-defined]
        sent = 0
        try:
            while sent < len(body):
                handler.wfile.write(body[sent:sent + chunk])
                sent = min(sent + chunk, len(body))
                if pause:
                    time.sleep(pause)
            handler.wfile.flush()
        except OSError:  # the client closed the connection: it stopped reading
            handler.close_connection = True
        self._queue(case).put((sent, len(body)))

    def _queue(self, case: str) -> queue.Queue[tuple[int, int]]:
        with self._lock:
            return self._sent.setdefault(case, queue.Queue())

    def sent(self, case: str) -> tuple[int, int]:
        """(bytes of the body sent, its length) for the next answer of `case` to finish."""
        return self._queue(case).get(timeout=30)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture(scope="module")
def proxy() -> Iterator[Proxy]:
    srv = Proxy()
    yield srv
    srv.close()


FLAVOURS = ["sync", "async"]
REQUEST = {"fields": {"nickname": "小明"}}


def invoke(flavour: str, url: str, case: str, call: Callable[[Any], Any], **kw: Any) -> tuple[Any, CircuitBreaker]:
    """call(client) on a Client or an AsyncClient whose requests ask the proxy for `case`: the result (or the
    AcctcheckError raised) and the client's breaker (one failure opens it, unless the test passes its own).
    A 5 s budget unless the test passes its own: these check answers, and the 200 ms default ran out on a loaded
    machine before the stand-in answered (an Unavailable no test expected)."""
    kw.setdefault("breaker", CircuitBreaker(failure_threshold=1, reset_after=60))
    kw.setdefault("timeout", 5)
    headers = {"x-case": case}
    if flavour == "sync":
        with Client(url, headers=headers, **kw) as c:
            try:
                return call(c), c.breaker
            except AcctcheckError as exc:
                return exc, c.breaker

    async def main() -> tuple[Any, CircuitBreaker]:
        async with AsyncClient(url, headers=headers, **kw) as c:
            try:
                return await call(c), c.breaker
            except AcctcheckError as exc:
                return exc, c.breaker

    return asyncio.run(asyncio.wait_for(main(), 60))


OFF_CONTRACT = {  # case -> what the Unavailable message must say
    "html404": "HTTP 404",
    "redirect302": "HTTP 302 to https://sso.example.com/login",
    "text200": "HTTP 200 with content type text/plain",
    "json404": "HTTP 404",  # even the service's own error shape: 404 is no refusal of the input
    "foreign422": "HTTP 422 with JSON off the contract",
    "malformed422": "HTTP 422 with malformed JSON",
    "wrongtypes422": "HTTP 422 with JSON off the contract",
    "malformed200": "HTTP 200 with malformed JSON",
    "missing200": "HTTP 200 with JSON off the contract",
}


@pytest.mark.parametrize("case", sorted(OFF_CONTRACT))
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_off_contract_answer_is_unavailable(proxy: Proxy, flavour: str, case: str) -> None:
    """Not a refusal of the input: on_unavailable applies, on_degraded hears why, the breaker counts a failure."""
    seen: list[Exception] = []
    v, breaker = invoke(flavour, proxy.url, case, lambda c: c.validate(REQUEST), on_unavailable="open",
                        on_degraded=lambda req, exc: seen.append(exc))
    assert isinstance(v, Verdict) and v.degraded and v.decision == "pass", v
    assert len(seen) == 1 and isinstance(seen[0], Unavailable)
    assert str(seen[0]).startswith(f"acctcheck answered {OFF_CONTRACT[case]}"), seen[0]
    assert breaker.state == "open"


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_off_contract_raises_unavailable_and_degrades_batches(proxy: Proxy, flavour: str) -> None:
    exc, _ = invoke(flavour, proxy.url, "html404", lambda c: c.validate(REQUEST))
    assert type(exc) is Unavailable
    many, breaker = invoke(flavour, proxy.url, "redirect302", lambda c: c.validate_many([REQUEST] * 3),
                           on_unavailable="closed", breaker=CircuitBreaker(failure_threshold=2))
    assert [(m.decision, m.degraded) for m in many] == [("reject", True)] * 3
    assert breaker.state == "closed"  # one failure of two


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_contract_answers_from_the_same_server_are_accepted(proxy: Proxy, flavour: str) -> None:
    """The control: the bytes text200 sends, labelled JSON, are a verdict; the service's refusal is a refusal."""
    v, breaker = invoke(flavour, proxy.url, "verdict", lambda c: c.validate(REQUEST), on_unavailable="open")
    assert v == VERDICT and breaker.state == "closed"
    exc, breaker = invoke(flavour, proxy.url, "refusal422", lambda c: c.validate(REQUEST), on_unavailable="open")
    assert isinstance(exc, RequestRejected) and exc.status == 422 and exc.body == REFUSAL
    assert breaker.state == "closed"
    region, _ = invoke(flavour, proxy.url, "region", lambda c: c.ip_region("202.96.128.86"))
    assert region == REGION


@pytest.mark.parametrize("case", ["missing200", "wrongtypes200", "malformed200", "html404", "short_results"])
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_ip_region_off_contract_is_unavailable(proxy: Proxy, flavour: str, case: str) -> None:
    """An off-contract 200 on ip_region raises Unavailable (not a bare KeyError); one result for two addresses
    is off the contract too."""
    many, _ = invoke(flavour, proxy.url, case, lambda c: c.ip_region(["202.96.128.86", "8.8.8.8"]))
    assert type(many) is Unavailable, many
    if case != "short_results":
        one, _ = invoke(flavour, proxy.url, case, lambda c: c.ip_region("202.96.128.86"))
        assert type(one) is Unavailable, one


OVERSIZED = {  # case -> what the Unavailable message must say
    "big_declared": "HTTP 200 declaring 10485761 bytes, over the 1048576-byte limit",
    "big_unsized": "HTTP 200 with a body over the 1048576-byte limit",
    "big_html404": "HTTP 404",
}


@pytest.mark.parametrize("case", sorted(OVERSIZED))
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_oversized_body_is_refused_without_reading_it(proxy: Proxy, flavour: str, case: str) -> None:
    """10 MB against the 1 MiB default: Unavailable, and the client stopped reading. With a Content-Length or
    an error status it reads none of the body: the proxy cannot get it out (socket buffers hold ~4 MB)."""
    exc, breaker = invoke(flavour, proxy.url, case, lambda c: c.validate(REQUEST), timeout=30)
    assert type(exc) is Unavailable and str(exc) == f"acctcheck answered {OVERSIZED[case]}", exc
    assert breaker.state == "open"
    sent, total = proxy.sent(case)
    if case != "big_unsized":  # a client reading 1 MiB grows its receive buffer: the rest may fit in it
        assert sent < total, (sent, total)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_large_off_contract_body_fails_fast(proxy: Proxy, flavour: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 10 MB verdict-shaped body with ~75,000 wrong findings, within a raised limit: refused at the first
    bad finding, and in AsyncClient checked in a worker thread, not on the event loop."""
    threads = spy_answer_threads(monkeypatch)
    exc, _ = invoke(flavour, proxy.url, "big_off_contract", lambda c: c.validate(REQUEST), timeout=30,
                    max_response_bytes=16 << 20)
    assert type(exc) is Unavailable and ".findings[0] has unknown keys ['n', 'x']" in str(exc), exc
    sent, total = proxy.sent("big_off_contract")
    assert sent == total  # under the raised limit the body is read in full
    assert threads == (["worker"] if flavour == "async" else ["caller"])


def test_large_answers_are_checked_off_the_event_loop(proxy: Proxy, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 1000-verdict batch answer (~150 KB) is checked in a worker thread; a single verdict on the loop."""
    threads = spy_answer_threads(monkeypatch)
    results, _ = invoke("async", proxy.url, "batch_ok", lambda c: c.validate_many([REQUEST] * 1000))
    assert results == [VERDICT] * 1000
    v, _ = invoke("async", proxy.url, "verdict", lambda c: c.validate(REQUEST))
    assert v == VERDICT
    assert threads == ["worker", "caller"]


def spy_answer_threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record, for every answer checked, whether it ran on the calling thread (the event loop's) or another."""
    threads: list[str] = []
    caller = threading.get_ident()
    real = client_answers.answer

    def spy(*args: Any) -> Any:
        threads.append("caller" if threading.get_ident() == caller else "worker")
        return real(*args)

    monkeypatch.setattr(client_answers, "answer", spy)
    return threads


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_slow_body_is_cut_at_the_deadline(proxy: Proxy, flavour: str) -> None:
    """A valid verdict trickling in over 2 s is not waited for: the budget covers the whole body."""
    seen: list[Exception] = []
    v, breaker = invoke(flavour, proxy.url, "slow", lambda c: c.validate(REQUEST), timeout=0.3,
                        on_unavailable="open", on_degraded=lambda req, exc: seen.append(exc))
    assert v.degraded and "did not answer within 0.3 s" in str(seen[0])
    assert breaker.state == "open"
    sent, total = proxy.sent("slow")
    assert sent < total


@pytest.mark.slow
def test_client_imports_without_fastapi() -> None:
    """Platforms install the client without the server's web stack: importing and using it must not need it."""
    code = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("fastapi", "starlette", "uvicorn"):
            raise ImportError(f"blocked for this test: {name}")
        return None
sys.meta_path.insert(0, Block())
import acctcheck.client
with acctcheck.client.Client("http://127.0.0.1:9") as c:
    pass
loaded = sorted(m for m in sys.modules if m.partition(".")[0] in ("fastapi", "starlette", "uvicorn"))
assert not loaded, loaded
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


def test_package_is_typed() -> None:
    """py.typed ships with the package, so a platform's type checker reads the client's annotations."""
    import acctcheck

    assert (Path(acctcheck.__file__).parent / "py.typed").is_file()
