"""Application factory: wires settings, the rule store, the IP resolver and the routers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI

from acctcheck import __version__
from acctcheck.api import errors, openapi, ops, validate
from acctcheck.categories import describe_categories
from acctcheck.contract import ValidateRequest
from acctcheck.reload import RuleStore
from acctcheck.settings import Settings

log = logging.getLogger("acctcheck")

DESCRIPTION = (
    "Validates internet account information under 《互联网用户账号信息管理规定》. "
    "The platform enforces the decision.\n\nFinding categories:\n" + describe_categories()
)


def _geo(settings: Settings):  # noqa: ANN202 - GeoResolver | None
    try:
        from acctcheck.geo.resolver import GeoResolver

        return GeoResolver(settings.geoip_main_db, settings.geoip_domestic_db)
    except Exception:  # noqa: BLE001 - the IP feature must not stop the validator from serving
        log.exception("IP region databases unavailable; /ip-region will answer 503")
        return None


async def _watch(app: FastAPI) -> None:
    """Poll the rules directory's content hash (and the IP databases); unchanged is a no-op."""
    settings: Settings = app.state.settings
    store: RuleStore = app.state.store
    while True:
        await asyncio.sleep(settings.reload_poll_s)
        try:
            result = await asyncio.to_thread(store.reload)
            if result.changed:
                log.info("rules reloaded", extra={"revision": result.revision})
            geo = app.state.geo
            if geo is not None:
                await asyncio.to_thread(geo.refresh)
        except Exception:  # noqa: BLE001 - the watcher must survive anything
            log.exception("reload poll failed")


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    store: RuleStore = app.state.store
    await asyncio.to_thread(store.reload, force=True)
    task = asyncio.create_task(_watch(app)) if app.state.settings.watch else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(title="acctcheck", version=__version__, lifespan=lifespan)
    app.state.settings = settings
    app.state.store = RuleStore(settings.rules_dir)
    app.state.geo = _geo(settings)
    errors.install(app)
    app.include_router(validate.router)
    try:
        from acctcheck.api import ip_region

        app.include_router(ip_region.router)
    except ImportError:  # pragma: no cover - geo layer missing from a partial install
        log.warning("ip-region endpoints unavailable")
    app.include_router(ops.router)
    openapi.install(app, [ValidateRequest], DESCRIPTION)
    return app
