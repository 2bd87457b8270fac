"""schemathesis against the service's own OpenAPI document, through a real uvicorn server on loopback.

Every operation except /admin/*: valid and invalid requests generated from the documented schemas. Checks:
never a 5xx, only documented status codes and content types, and every response body valid against the
schema documented for its status. Bounded: 100 examples per operation, fixed seed, no deadline (well under a
minute in all)."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]




def _document() -> dict:
    """The OpenAPI document the service serves, built by the same factory in-process (no server needed at
    collection time). test_served_document_is_the_tested_one checks that the server serves this document.
    Not `schemathesis.pytest.from_fixture`: its lazy loader touches a pytest private removed in pytest 9."""
    from acctcheck.api.app import create_app
    from acctcheck.settings import Settings

    return create_app(Settings(watch=False)).openapi()


DOCUMENT = _document()
schema = schemathesis.openapi.from_dict(DOCUMENT).exclude(path_regex=r"^/admin")


@schema.parametrize()
@settings(max_examples=100, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_api_conforms_to_its_openapi(case, server) -> None:  # noqa: ANN001 - schemathesis Case, Server
    case.call_and_validate(base_url=server.url, checks=CHECKS, timeout=30)


def test_served_document_is_the_tested_one(server) -> None:  # noqa: ANN001
    import httpx

    assert httpx.get(f"{server.url}/openapi.json", timeout=10).json() == DOCUMENT


def test_admin_is_excluded_and_everything_else_covered(server) -> None:  # noqa: ANN001
    """Guard against the exclusion silently dropping more than /admin (e.g. a renamed route)."""
    import httpx

    paths = set(httpx.get(f"{server.url}/openapi.json", timeout=10).json()["paths"])
    tested = {p for p in paths if not p.startswith("/admin")}
    assert {"/validate", "/validate/batch", "/ip-region", "/healthz", "/readyz", "/status"} <= tested
