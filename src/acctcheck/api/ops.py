"""Liveness, readiness and status: what an orchestrator and an operator look at."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter()


@router.get("/healthz", summary="Process alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="200 once a rule snapshot is active (keeps 200 while a last good one serves)")
async def readyz(request: Request) -> JSONResponse:
    snap = request.app.state.store.snapshot
    if snap is None:
        return JSONResponse({"status": "not_ready", "revision": None}, status_code=503)
    return JSONResponse({"status": "ready", "revision": snap.revision})


@router.get("/status", summary="Active rules revision, packs, last reload attempt and error, IP databases")
async def status(request: Request) -> JSONResponse:
    body = request.app.state.store.status()
    geo = getattr(request.app.state, "geo", None)
    body["ip_databases"] = geo.status() if geo is not None else None
    return JSONResponse(body)
