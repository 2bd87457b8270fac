"""schemathesis against the service's own OpenAPI document, through a real uvicorn server on loopback.

Every operation except /admin/*, with every check schemathesis has (`--checks all`: no 5xx, documented
status codes, content types and headers, response schemas, schema-valid requests accepted and schema-invalid
ones refused, a right `Allow` on 405, …) and all its phases (examples, coverage, fuzzing). This is the
command line an attacker or an auditor runs, so it is run as such. Bounded: 100 examples per operation, a
fixed seed, well under a minute. tests/schemathesis_hooks.py gives a generated 统一社会信用代码 its check
character, the one constraint JSON Schema cannot state."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # `make test-fast` leaves it out: see the `slow` marker in pyproject.toml

schemathesis = pytest.importorskip("schemathesis")

MAX_EXAMPLES = 100
SEED = 14


def _document() -> dict:
    """The OpenAPI document the service serves, built by the same factory in-process (no server needed at
    collection time). test_served_document_is_the_tested_one checks that the server serves this document."""
    from acctcheck.service import create_app
    from acctcheck.settings import Settings

    return create_app(Settings(watch=False)).openapi()


DOCUMENT = _document()


def test_api_conforms_to_its_openapi_with_every_check(server, tmp_path: Path) -> None:
    cli = Path(sys.executable).with_name("schemathesis")
    cmd = [str(cli), "run", f"{server.url}/openapi.json", "--checks", "all", "--max-examples", str(MAX_EXAMPLES),
           "--seed", str(SEED), "--exclude-path-regex", "^/admin", "--request-timeout", "30"]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.schemathesis_hooks",
           "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[1]), *sys.path])}
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env,
                         cwd=tmp_path)  # schemathesis writes its cache (.schemathesis/) into the working directory
    assert out.returncode == 0, out.stdout[-6000:] + out.stderr[-2000:]
    assert "Tested: 7" in out.stdout and "unique failure" not in out.stdout, out.stdout[-3000:]


def test_served_document_is_the_tested_one(server) -> None:
    import httpx

    assert httpx.get(f"{server.url}/openapi.json", timeout=10).json() == DOCUMENT


def test_admin_is_excluded_and_everything_else_covered(server) -> None:
    """Guard against the exclusion silently dropping more than /admin (e.g. a renamed route)."""
    import httpx

    paths = set(httpx.get(f"{server.url}/openapi.json", timeout=10).json()["paths"])
    tested = {p for p in paths if not p.startswith("/admin")}
    assert {"/validate", "/validate/batch", "/ip-region", "/healthz", "/readyz", "/status"} <= tested


def test_405_names_every_method_served_at_the_path(server) -> None:
    """Starlette's 405 names only the first route whose path matched: GET /ip-region, though POST is served."""
    import httpx

    for path, allowed in [("/ip-region", {"GET", "POST"}), ("/validate", {"POST"})]:
        r = httpx.request("OPTIONS", f"{server.url}{path}", timeout=10)
        assert r.status_code == 405 and set(r.headers["allow"].replace(" ", "").split(",")) == allowed, r.headers
        assert r.json()["error"] == "http_error"
