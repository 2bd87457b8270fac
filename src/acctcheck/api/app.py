"""Application factory: wires settings, the rule store, the IP resolver and the routers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from pydantic import BaseModel
from starlette.types import Receive, Scope, Send

from acctcheck import __version__
from acctcheck.api import admin, batch, errors, metrics, ops, validate
from acctcheck.api.openapi import openapi_document
from acctcheck.categories import describe_categories
from acctcheck.contract import BatchRequest, ValidateRequest
from acctcheck.logging_setup import unbuffer_logs
from acctcheck.reload import RuleStore
from acctcheck.settings import Settings
from acctcheck.watch import RulesWatcher, report

if TYPE_CHECKING:
    from acctcheck.geo.resolver import GeoResolver

log = logging.getLogger("acctcheck")

DESCRIPTION = (
    "Validates internet account information under 《互联网用户账号信息管理规定》. "
    "The platform enforces the decision.\n\nFinding categories:\n" + describe_categories()
)


def _geo(settings: Settings) -> GeoResolver | None:
    try:
        from acctcheck.geo.resolver import GeoResolver

        geo = GeoResolver(settings.geoip_main_db, settings.geoip_domestic_db)
    except Exception:
        log.exception("IP region databases unavailable; /ip-region will answer 503")
        return None
    for name, layer in geo.status()["layers"].items():
        if layer["configured"] and not layer["loaded"]:  # e.g. geoipupdate has not downloaded it yet
            log.warning("configured IP database not loaded: %s; the embedded database answers until it is",
                        layer["error"], extra={"event": "geoip_unavailable", "layer": name, "path": layer["path"]})
    return geo


async def _watch(app: FastAPI) -> None:
    """Watch + poll the rules directory (acctcheck.watch), and refresh the IP databases on each poll."""
    settings: Settings = app.state.settings

    async def refresh_geo() -> None:
        if app.state.geo is not None:
            await asyncio.to_thread(app.state.geo.refresh)

    await RulesWatcher(app.state.store, poll_s=settings.reload_poll_s, debounce_ms=settings.reload_debounce_ms,
                       on_poll=refresh_geo).run()


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    store: RuleStore = app.state.store
    report(await asyncio.to_thread(store.reload_settled, force=True), "startup")
    task = asyncio.create_task(_watch(app)) if app.state.settings.watch else None
    try:
        async with metrics.following(app.state.metrics, store):
            yield
    finally:
        unbuffer_logs()  # from here on every line is written at once (see logging_setup)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


class Service(FastAPI):
    """The FastAPI application, with POST /validate (every platform's sign-up path) answered by the fast lane
    before FastAPI's own middleware stack (error, telemetry and body-limit layers that each wrap receive and
    send). The lane records what it answers (metrics, decision log); what it does not take it hands to the
    full stack, whose metrics layer records it instead."""

    _fast_lane: validate.FastValidate | None = None
    body_models: tuple[type[BaseModel], ...] = ()  # bodies the routes parse themselves, for the OpenAPI document

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/validate" and scope["method"] == "POST":
            lane = self._fast_lane
            if lane is None:
                lane = self._fast_lane = validate.FastValidate(
                    super().__call__, metrics.Observer(self.state.metrics, self.state.settings.log_decisions))
            scope["app"] = self
            await lane(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    def openapi(self) -> dict[str, Any]:
        if not self.openapi_schema:
            self.openapi_schema = openapi_document(self, self.body_models, DESCRIPTION)
        return self.openapi_schema


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = Service(title="acctcheck", version=__version__, lifespan=lifespan)
    app.state.settings = settings
    app.state.store = RuleStore(settings.rules_dir, settle_s=settings.reload_settle_s,
                                max_defer_s=settings.reload_max_defer_s)
    app.state.geo = _geo(settings)
    errors.install(app)
    app.include_router(validate.router)
    app.include_router(batch.router)
    body_models: list[type[BaseModel]] = [ValidateRequest, BatchRequest]
    try:
        from acctcheck.api import ip_region

        app.include_router(ip_region.router)
        body_models.append(ip_region.IpRegionBatchRequest)
    except ImportError:  # pragma: no cover - geo layer missing from a partial install
        log.warning("ip-region endpoints unavailable")
    app.include_router(ops.router)
    app.state.metrics = metrics.Metrics()
    app.add_middleware(metrics.ObserveMiddleware, metrics=app.state.metrics, log_decisions=settings.log_decisions)
    app.include_router(admin.router)
    app.include_router(metrics.router)
    app.body_models = tuple(body_models)
    return app  # acctcheck.service mounts the console on it
