"""Who may open the console (ACCTCHECK_CONSOLE) and the headers every console response carries.

`auto`, the default, serves loopback clients only: an operator on the machine after `make serve`. A request
relayed by a proxy (X-Forwarded-For, Forwarded, X-Real-IP) is refused even from 127.0.0.1, since behind a
same-host proxy every client would otherwise look local."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from acctcheck.api.errors import error_response

# No inline script or style anywhere: the page is index.html + console.js + console.css from 'self'.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
)
PROXY_HEADERS = (b"x-forwarded-for", b"forwarded", b"x-real-ip")


def is_local(scope: Scope) -> bool:
    """A direct connection from a loopback address (not relayed by a proxy)."""
    client = scope.get("client")
    if not client:
        return False
    try:
        if not ipaddress.ip_address(client[0]).is_loopback:
            return False
    except ValueError:
        return False
    return not any(name in PROXY_HEADERS for name, _ in scope.get("headers", ()))


class ConsoleGuard:
    """ASGI wrapper of the console sub-application: refuses non-local clients in `auto` mode (404, the console
    does not exist for them) and adds the security headers to every console response, errors included."""

    def __init__(self, app: ASGIApp, mode: str) -> None:
        self.app = app
        self.mode = mode

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", ())}
                extra = [h for h in SECURITY_HEADERS if h[0] not in names]
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            await send(message)

        if self.mode == "auto" and not is_local(scope):
            await error_response(404, "console_unavailable",
                                 "the console serves loopback clients only (ACCTCHECK_CONSOLE=auto); "
                                 "see docs/console.md")(scope, receive, send_secured)
            return
        await self.app(scope, receive, send_secured)
        route = scope.get("route")  # the metrics layer labels requests by route template: keep the mount prefix
        if route is not None and hasattr(route, "path"):
            scope["route"] = RouteLabel("/console" + route.path.rstrip("/"))


@dataclass(frozen=True)
class RouteLabel:
    path: str
