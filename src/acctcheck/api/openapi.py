"""OpenAPI for endpoints that parse their own body (for duplicate-key and size control): the request
model's schema is added to the document so /docs and schemathesis see exactly what is accepted."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

REF = "#/components/schemas/{model}"

Route = TypeVar("Route", bound=Callable[..., Any])


def body_of(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` declaring `model` as the required JSON body."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": REF.format(model=model.__name__)}}},
        }
    }


def documented_post(
    router: APIRouter, path: str, answer: type[BaseModel], body: type[BaseModel],
    errors: dict[int | str, dict[str, Any]], summary: str, description: str,
) -> Callable[[Route], Route]:
    """`router.post` for a route that parses its own body: its answer and error models, and the body's
    schema, documented the same way on every such route (/validate, /validate/batch)."""
    return router.post(path, response_model=answer, responses=errors, openapi_extra=body_of(body), summary=summary,
                       description=description)


def openapi_document(app: FastAPI, body_models: Iterable[type[BaseModel]], description: str) -> dict[str, Any]:
    """The OpenAPI document of `app`, with the schemas of `body_models` (the bodies the routes parse
    themselves) among its components."""
    schema = get_openapi(title=app.title, version=app.version, description=description, routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in body_models:
        js = model.model_json_schema(ref_template=REF)
        for name, sub in js.pop("$defs", {}).items():
            components.setdefault(name, sub)
        components[model.__name__] = js
    return schema
