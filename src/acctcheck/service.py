"""The served application: the HTTP API (acctcheck.api) with the operator console (acctcheck.console) mounted on
it. `acctcheck serve` runs `acctcheck.service:create_app`; assembling the two here keeps the API from importing
the console, which itself builds on the API's errors, token check and request parsing."""

from __future__ import annotations

from fastapi import FastAPI

from acctcheck import console
from acctcheck.api.app import create_app as create_api
from acctcheck.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    app = create_api(settings)
    console.install(app)
    return app
