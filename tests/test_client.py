"""acctcheck.client against real servers on loopback: the service (uvicorn in a thread), a server that
accepts connections and never answers, and a port where nothing listens."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from acctcheck.client import (
    AsyncClient,
    BatchItemError,
    CircuitBreaker,
    CircuitOpen,
    Client,
    RequestRejected,
    Unavailable,
)
from acctcheck.contract import ValidateRequest, Verdict
from acctcheck.settings import Settings
from tests.conftest import ThreadServer, free_port


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
    with Client(service.url) as c:
        v = c.validate({"fields": {"nickname": "外交部官方"}})
        assert isinstance(v, Verdict) and v.decision == "reject" and not v.degraded
        assert v.findings[0].category == "official_impersonation"
        v = c.validate(ValidateRequest.model_validate({"fields": {"nickname": "小明"}, "ip": "202.96.128.86"}))
        assert v.decision == "pass" and v.ip_region is not None and v.ip_region.label == "广东"
        assert c.breaker.state == "closed"


def test_rejected_input_raises_and_does_not_trip_the_breaker(service: ThreadServer) -> None:
    with Client(service.url, on_unavailable="open", breaker=CircuitBreaker(failure_threshold=1)) as c:
        with pytest.raises(RequestRejected) as info:
            c.validate({"fields": {"nickname": "x" * 600}})
        assert info.value.status == 422 and info.value.body.error == "field_too_long"
        assert c.breaker.state == "closed"


def test_ip_region_one_and_many(service: ThreadServer) -> None:
    with Client(service.url) as c:
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
    assert 0.15 <= took < 1.0
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
    breaker = CircuitBreaker(failure_threshold=3, reset_after=0.5)
    with Client(f"http://127.0.0.1:{port}", transport=transport, breaker=breaker, on_unavailable="open") as c:
        for _ in range(3):
            assert c.validate({"fields": {"nickname": "小明"}}).degraded
        assert breaker.state == "open"
        calls = transport.calls
        t0 = time.perf_counter()
        for _ in range(1000):
            assert c.validate({"fields": {"nickname": "小明"}}).degraded
        per_call = (time.perf_counter() - t0) / 1000
        assert transport.calls == calls  # no network while open
        assert per_call < 0.002  # microseconds (tens of), not a 200 ms timeout
        time.sleep(0.6)  # half-open: the probe fails (still dead) → open again
        assert breaker.state == "half_open"
        c.validate({"fields": {"nickname": "小明"}})
        assert breaker.state == "open" and transport.calls == calls + 2  # the probe (+ its connect retry)
        with ThreadServer(settings(small_rules), port=port):
            time.sleep(0.6)
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
        async with AsyncClient(service.url) as c:
            got = await asyncio.gather(*(c.validate({"fields": {"nickname": n}}) for n in ["外交部", "小明"] * 10))
            assert [v.decision for v in got] == ["reject", "pass"] * 10
            res = await c.validate_many([{"fields": {"nickname": "中央"}}, {"fields": {"nickname": "z" * 600}}])
            assert res[0].decision == "review" and isinstance(res[1], BatchItemError)  # type: ignore[union-attr]
        async with AsyncClient(stall.url, timeout=0.2, on_unavailable="closed",
                               breaker=CircuitBreaker(failure_threshold=2, reset_after=30)) as c:
            t0 = time.monotonic()
            got = await asyncio.gather(*(c.validate({"fields": {"nickname": "a"}}) for _ in range(5)))
            assert time.monotonic() - t0 < 1.0  # a hard total deadline, concurrently
            assert all(v.degraded and v.decision == "reject" for v in got)
            assert c.breaker.state == "open"

    asyncio.run(asyncio.wait_for(main(), 30))
