"""Domain and input errors → HTTP status and one JSON error shape (ErrorBody), in one place. Input refusals
are made below the api layer (acctcheck.admission); this module renders them."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from acctcheck.admission import Refusal, describe, validation_details

ApiError = Refusal  # one class from the parser to the answer: admission raises it, the handler below renders it


class _ErrorJSONResponse(JSONResponse):
    """An error may echo input (an invalid IP) holding an unpaired surrogate, which is not UTF-8: replace it
    rather than fail while reporting the error (that would be a 500)."""

    def render(self, content: object) -> bytes:
        try:
            return super().render(content)
        except UnicodeEncodeError:
            return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace")


def error_response(status: int, error: str, message: str, details: list[dict[str, Any]] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return _ErrorJSONResponse({"error": error, "message": message, "details": details or []}, status_code=status,
                              headers=headers)


def refusal_response(exc: Refusal) -> JSONResponse:
    """The answer to a refused request, the same bytes whichever lane or route refused it."""
    return error_response(exc.status, exc.error, exc.message, exc.details, exc.headers)


HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> str:
    """Every method served at the request's path, found by asking each route whether it would take the path
    with that method (public `matches`, so routers included lazily count too). Starlette's 405 names only the
    first route whose path matched (GET of GET /ip-region, though POST /ip-region is served too)."""
    routes = request.app.router.routes
    allowed = [m for m in HTTP_METHODS
               if any(route.matches({**request.scope, "method": m})[0] == Match.FULL for route in routes)]
    return ", ".join(allowed)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return refusal_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _request_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = validation_details(exc)
        return error_response(422, "invalid_request", describe(details), details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": allowed_methods(request)}
        if isinstance(exc.detail, list) and all(isinstance(d, dict) and "loc" in d for d in exc.detail):
            # FastAPI-style [{type, loc, msg, input}] (e.g. /ip-region's invalid_ip): keep it as details
            error = str(exc.detail[0].get("type") or "http_error") if exc.detail else "http_error"
            return error_response(exc.status_code, error, describe(exc.detail), exc.detail, headers)
        return error_response(exc.status_code, "http_error", str(exc.detail), headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:  # pragma: no cover - last resort
        import logging

        logging.getLogger("acctcheck").exception("unhandled error")
        return error_response(500, "internal_error", "internal error; the request was not evaluated")
