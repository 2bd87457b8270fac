"""The header-read timeout (api/header_timeout.py) on a real `acctcheck serve` on loopback: a client sending
its headers one byte at a time is answered 408 and disconnected once ACCTCHECK_HEADER_TIMEOUT_S has passed,
also on a kept-alive connection, and /healthz stays reachable while 200 such clients hold sockets."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import Server, write_small_rules

pytestmark = pytest.mark.slow  # `make test-fast` leaves it out: see the `slow` marker in pyproject.toml

HEADER_TIMEOUT_S = 1.0
LIMIT_S = HEADER_TIMEOUT_S + 6  # how long a client waits for a server that never cuts it off (a broken one)


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    rules = write_small_rules(tmp_path_factory.mktemp("rules"))
    with Server(rules, env={"ACCTCHECK_HEADER_TIMEOUT_S": str(HEADER_TIMEOUT_S), "ACCTCHECK_WATCH": "false"}) as server:
        yield server


def _dribble_until_closed(sock: socket.socket, data: bytes) -> tuple[bytes, bool]:
    """Send `data` a byte every 0.1 s, reading between bytes, until the server closes the connection (or, for a
    server that never does, LIMIT_S passes). Returns what the server sent and whether the server ended it."""
    deadline = time.monotonic() + LIMIT_S
    got = b""
    sock.settimeout(0.1)
    for i in range(len(data)):
        if time.monotonic() > deadline:
            return got, False
        try:
            sock.sendall(data[i:i + 1])
        except OSError:
            return got, True
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            continue
        except OSError:
            return got, True
        if not chunk:
            return got, True
        got += chunk
    return got, False  # the whole header went out one byte at a time and was never cut off


SLOW = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + b"a" * 500 + b"\r\n\r\n"


def test_a_header_one_byte_at_a_time_is_cut_off(srv: Server) -> None:
    with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as sock:
        got, by_server = _dribble_until_closed(sock, SLOW)
    assert by_server, f"still open after {LIMIT_S} s"
    assert got.startswith(b"HTTP/1.1 408") and b"header_timeout" in got, got[:300]


def test_the_next_request_on_a_kept_alive_connection_is_bounded_too(srv: Server) -> None:
    with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        first = b""
        while not first.endswith(b'{"status":"ok"}'):
            first += sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200")
        got, by_server = _dribble_until_closed(sock, SLOW)
    assert by_server and got.startswith(b"HTTP/1.1 408"), got[:300]


def test_healthz_is_reachable_while_200_slow_clients_hold_sockets(srv: Server) -> None:
    socks: list[socket.socket] = []
    try:
        for _ in range(200):
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0")
            socks.append(s)
        r = httpx.get(srv.url + "/healthz", timeout=5)
        assert r.status_code == 200
        # and every one of them is answered 408 and closed by the server once the timeout has passed
        deadline = time.monotonic() + LIMIT_S
        closed = 0
        for s in socks:
            s.settimeout(max(0.05, deadline - time.monotonic()))
            data = b""
            try:
                while chunk := s.recv(65536):
                    data += chunk
            except (TimeoutError, OSError):
                continue
            closed += data.startswith(b"HTTP/1.1 408")
        assert closed == len(socks), f"{closed} of {len(socks)} slow clients cut off within {LIMIT_S} s"
    finally:
        for s in socks:
            s.close()
    assert httpx.get(srv.url + "/healthz", timeout=5).status_code == 200


def test_serve_uses_the_guarded_protocol(tmp_path: Path) -> None:
    from acctcheck.cli import _http_protocol

    assert _http_protocol() == "acctcheck.api.header_timeout:HeaderTimeoutProtocol"
