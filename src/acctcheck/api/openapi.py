"""OpenAPI for endpoints that parse their own body (for duplicate-key and size control): the request
model's schema is added to the document so /docs and schemathesis see exactly what is accepted."""

from __future__ import annotations

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


def install(app: FastAPI, body_models: list[type[BaseModel]], description: str) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=description, routes=app.routes)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in body_models:
            js = model.model_json_schema(ref_template=REF)
            for name, sub in js.pop("$defs", {}).items():
                components.setdefault(name, sub)
            components[model.__name__] = js
        app.openapi_schema = schema
        return schema

    # FastAPI's documented way to extend the document is to replace the app's `openapi` method
    app.openapi = openapi  # type: ignore[method-assign]
