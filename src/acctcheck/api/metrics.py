"""GET /metrics, and the pure-ASGI middleware that records every request and logs every decision.

Pure ASGI (not BaseHTTPMiddleware): no extra task or body streaming per request, only a wrapped `send`."""

from __future__ import annotations

import logging
import time
from typing import Any

from fastapi import APIRouter, Request, Response

from acctcheck.metrics import CONTENT_TYPE, Metrics

__all__ = ["Metrics", "ObserveMiddleware", "router"]

router = APIRouter()
decision_log = logging.getLogger("acctcheck.decision")


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    body = request.app.state.metrics.render(request.app.state.store)
    return Response(body, media_type=CONTENT_TYPE)


class ObserveMiddleware:
    """Counts requests by route template (never the raw path: unknown paths are "other"), times them to the
    last body byte, and, when the route left a verdict in request.state, counts and logs the decision."""

    def __init__(self, app: Any, metrics: Metrics, log_decisions: bool = True) -> None:
        self.app = app
        self.metrics = metrics
        self.log_decisions = log_decisions

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500  # an exception that escapes the app becomes a 500 further out

        async def send_status(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            elapsed = time.perf_counter() - start
            route = scope.get("route")
            self.metrics.observe_request(getattr(route, "path", "other"), status, elapsed)
            state = scope.get("state")
            if state:
                verdict = state.get("verdict")
                if verdict is not None:
                    self._decided(verdict, elapsed)
                for verdict in state.get("verdicts") or ():  # a batch route may leave a list
                    self._decided(verdict, elapsed)

    def _decided(self, verdict: Any, elapsed: float) -> None:
        self.metrics.observe_verdict(verdict)
        if self.log_decisions and decision_log.isEnabledFor(logging.INFO):
            log_decision(verdict, elapsed)


def log_decision(verdict: Any, elapsed: float) -> None:
    """One line per decision: ids, categories and timing only — never the field values or finding texts."""
    decision_log.info("decision", extra={
        "decision_id": verdict.decision_id,
        "decision": verdict.decision,
        "categories": sorted({str(f.category) for f in verdict.findings}),
        "shadow_categories": sorted({str(f.category) for f in verdict.shadow_findings}),
        "rules": sorted({f"{f.pack}/{f.rule_id}" for f in verdict.findings}),
        "rules_revision": verdict.rules_revision,
        "latency_ms": round(elapsed * 1000, 3),
    })
