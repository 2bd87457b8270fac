"""The console sub-application mounted at /console: the page's files and its two JSON endpoints.

The page otherwise reads the service's own endpoints (/status, /metrics, /admin/reload with the token the
operator types), so it shows exactly what a script would see."""

from __future__ import annotations

import asyncio
from importlib.resources import files
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from acctcheck.api import errors
from acctcheck.api.admin import require_token
from acctcheck.api.validate import active_snapshot, parse_request, region_of, scan_request_images
from acctcheck.console.access import ConsoleGuard
from acctcheck.console.examples import ExampleBook
from acctcheck.engine import validate
from acctcheck.explain import explain_views

PAGES = {  # URL name under /console/ -> (file in console/static, media type)
    "": ("index.html", "text/html; charset=utf-8"),
    "console.js": ("console.js", "text/javascript; charset=utf-8"),
    "console.css": ("console.css", "text/css; charset=utf-8"),
    "icon.svg": ("icon.svg", "image/svg+xml"),
}
_cache: dict[str, bytes] = {}


def page_bytes(name: str) -> bytes:
    data = _cache.get(name)
    if data is None:
        data = _cache[name] = (files("acctcheck.console") / "static" / name).read_bytes()
    return data


def api_access(request: Request) -> None:
    """In `token` mode the data endpoints need the admin bearer token (the page itself holds no data)."""
    if request.app.state.settings.console == "token":
        require_token(request)


router = APIRouter()


@router.get("/", include_in_schema=False)
async def index() -> Response:
    return Response(page_bytes("index.html"), media_type=PAGES[""][1])


@router.get("/{name}", include_in_schema=False)
async def static(name: str) -> Response:
    page = PAGES.get(name) if name else None
    if page is None:
        raise errors.ApiError(404, "not_found", f"no console file {name!r}")
    return Response(page_bytes(page[0]), media_type=page[1])


@router.post("/api/explain", dependencies=[Depends(api_access)])
async def explain(request: Request) -> Response:
    """The verdict of a /validate body plus the normalised views of each text field (`check --explain`).
    A console try is not a platform decision: it is neither counted in the decision metrics nor logged."""
    req = await parse_request(request)
    snapshot = active_snapshot(request)
    region = region_of(request, req.ip)
    codes = await scan_request_images(request, req, snapshot)
    verdict = validate(snapshot, req, ip_lookup=(lambda _ip: region) if region else None, image_codes=codes)
    body = {"verdict": verdict.model_dump(mode="json"), "views": explain_views(snapshot.normalizer, req.fields)}
    return JSONResponse(body)


@router.get("/api/packs", dependencies=[Depends(api_access)])
async def packs(request: Request) -> JSONResponse:
    """/status's view of the rules, with every pack's rules and examples (run against the active snapshot)."""
    state = request.app.state
    store = state.store
    body: dict[str, Any] = store.status()
    settings = state.settings
    body["reload"] = {"watch": settings.watch, "poll_s": settings.reload_poll_s}
    snap = store.snapshot
    if snap is not None:
        examples = await asyncio.to_thread(state.console_examples.for_snapshot, snap)
        rules: dict[str, list[dict[str, object]]] = {}
        for compiled in snap.rules:
            r = compiled.rule
            rules.setdefault(compiled.pack, []).append({
                "id": r.id, "kind": r.kind, "category": str(r.category), "action": r.action, "mode": r.mode,
                "article": r.article})
        for pack in body["active"]["packs"]:
            pack["rule_list"] = rules.get(pack["name"], [])
            pack["examples"] = examples.get(pack["name"], {"state": "unreadable", "items": []})
    return JSONResponse(body)


def install(app: FastAPI) -> None:
    """Mount the console at /console unless ACCTCHECK_CONSOLE=off. It shares the service's state (settings,
    rule store, IP resolver) and error answers; it is left out of the OpenAPI document (not the contract)."""
    settings = app.state.settings
    if settings.console == "off":
        return
    console = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    console.state = app.state
    app.state.console_examples = ExampleBook()
    errors.install(console)
    console.include_router(router)
    app.mount("/console", ConsoleGuard(console, settings.console))
