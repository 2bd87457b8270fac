"""POST /admin/reload: rebuild this worker's snapshot now, behind a bearer token.

The rules directory stays the source of truth: this forces the worker that receives the call to rebuild at
once and answers with its outcome; every other worker sees the same directory change through its own watch
or poll within seconds (docs/operations.md)."""

from __future__ import annotations

import asyncio
import hmac

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from acctcheck.api.errors import ApiError
from acctcheck.contract import ErrorBody
from acctcheck.reload import RuleStore
from acctcheck.watch import report

router = APIRouter(prefix="/admin", tags=["admin"])


class ReloadResponse(BaseModel):
    ok: bool
    changed: bool
    revision: str | None
    errors: list[dict[str, str | None]]


def require_token(request: Request) -> None:
    """404 when no token is configured (admin disabled), 401 without a well-formed bearer header, 403 when
    the token is wrong. Constant-time comparison."""
    expected: str | None = request.app.state.settings.admin_token
    if not expected:
        raise ApiError(404, "admin_disabled", "admin endpoints are disabled: set ACCTCHECK_ADMIN_TOKEN to enable them")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    given = given.strip()
    if scheme.lower() != "bearer" or not given:
        raise ApiError(401, "unauthorized", "send 'Authorization: Bearer <token>'",
                       headers={"WWW-Authenticate": 'Bearer realm="acctcheck-admin"'})
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise ApiError(403, "forbidden", "wrong admin token")


@router.post(
    "/reload",
    response_model=ReloadResponse,
    responses={401: {"model": ErrorBody}, 403: {"model": ErrorBody}, 404: {"model": ErrorBody},
               422: {"model": ReloadResponse, "description": "rules refused; the previous revision keeps serving"}},
    summary="Rebuild the rule snapshot of the receiving worker now",
)
async def reload(request: Request) -> JSONResponse:
    require_token(request)
    store: RuleStore = request.app.state.store
    result = await asyncio.to_thread(store.reload_settled, force=True)
    report(result, "admin")
    body = {"ok": result.ok, "changed": result.changed, "revision": result.revision, "errors": result.errors}
    return JSONResponse(body, status_code=200 if result.ok else 422)
