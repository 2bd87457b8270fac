"""A header-read timeout for uvicorn: the request line and headers must arrive within `header_timeout_s`.

uvicorn (0.55) has none: `timeout_keep_alive` runs only between requests, after a response; nothing bounds a
connection that sends a header one byte a second (a slowloris holds its socket forever, and a few hundred of
them made /healthz unreachable). `h11_max_incomplete_event_size` bounds the header's size, not its time;
`limit_concurrency` would refuse everyone alike. So this is uvicorn's own httptools protocol with a deadline
armed when a connection opens or a request's first byte arrives and disarmed when its headers are complete; a
connection past its deadline is answered 408 and closed. The body has its own deadline (api/deadlines.py).

Like the body deadlines, one sweep per event loop (every `RESOLUTION_S`) instead of a timer per request, so
a deadline fires up to `RESOLUTION_S` late. Select it with `uvicorn.run(http=PROTOCOL)` (acctcheck serve
does); docs/operations.md has the equivalent proxy settings.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

if TYPE_CHECKING:
    from uvicorn.config import Config
    from uvicorn.server import ServerState

PROTOCOL = "acctcheck.api.header_timeout:HeaderTimeoutProtocol"
RESOLUTION_S = 0.5


def _response(timeout_s: float) -> bytes:
    body = json.dumps({"error": "header_timeout", "message": f"request headers did not arrive within "
                       f"{timeout_s:g} s", "details": []}).encode()
    return (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\nconnection: close\r\n"
            b"content-length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


class HeaderDeadlines:
    """Connections whose headers are incomplete, with the loop time they must be complete by."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self.due: dict[HeaderTimeoutProtocol, float] = {}
        self._sweeper: asyncio.Task[None] | None = None
        self._answer = _response(timeout_s)

    def arm(self, protocol: HeaderTimeoutProtocol) -> None:
        if protocol not in self.due:  # a request's first byte does not extend its connection's deadline
            self.due[protocol] = protocol.loop.time() + self.timeout_s
            if self._sweeper is None or self._sweeper.done():
                self._sweeper = protocol.loop.create_task(self._sweep(protocol.loop), name="header-deadlines")

    def disarm(self, protocol: HeaderTimeoutProtocol) -> None:
        self.due.pop(protocol, None)

    async def _sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        while True:
            await asyncio.sleep(RESOLUTION_S)
            now = loop.time()
            for protocol in [p for p, due in self.due.items() if due <= now]:
                del self.due[protocol]
                transport = protocol.transport
                if not transport.is_closing():
                    transport.write(self._answer)
                    transport.close()


def _timeout_s() -> float:
    from acctcheck.settings import Settings

    return Settings().header_timeout_s


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol; a connection's headers must be complete within `header_timeout_s`."""

    deadlines: HeaderDeadlines | None = None  # one per process, made on the first connection
    _deadlines: HeaderDeadlines

    def __init__(self, config: Config, server_state: ServerState, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        cls = type(self)
        if cls.deadlines is None:
            cls.deadlines = HeaderDeadlines(_timeout_s())
        self._deadlines = cls.deadlines
        self._deadlines.arm(self)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._deadlines.arm(self)  # the next request on a kept-alive connection

    def on_headers_complete(self) -> None:
        self._deadlines.disarm(self)
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._deadlines.disarm(self)
        super().connection_lost(exc)
