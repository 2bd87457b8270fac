"""OpenAPI for endpoints that parse their own body (for duplicate-key and size control): the request
model's schema is added to the document so /docs and schemathesis see exactly what is accepted."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

REF = "#/components/schemas/{model}"


def body_of(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` declaring `model` as the required JSON body."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": REF.format(model=model.__name__)}}},
        }
    }


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
