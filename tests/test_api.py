"""The HTTP contract through a real uvicorn server on loopback: answers, error shapes, readiness."""

from __future__ import annotations

import json

import httpx
import pytest

from acctcheck.categories import Category
from tests.conftest import Server

JSON = {"content-type": "application/json"}


def post(server: Server, body: bytes | str | dict, headers: dict[str, str] | None = None,
         path: str = "/validate") -> httpx.Response:
    data = json.dumps(body, ensure_ascii=False).encode() if isinstance(body, dict) else body
    return httpx.post(server.url + path, content=data, headers=headers or JSON, timeout=10)


def assert_error(r: httpx.Response, status: int) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error", "message", "details"} and body["message"]
    return body


def test_reject_ministry_with_exact_contract(server) -> None:
    r = post(server, {"account_type": "personal", "fields": {"nickname": "外交部官方"}})
    assert r.status_code == 200
    v = r.json()
    assert set(v) >= {"decision", "findings", "labels", "ip_region", "rules_revision", "decision_id"}
    assert v["decision"] == "reject"
    f = next(f for f in v["findings"] if f["category"] == "official_impersonation")
    assert set(f) >= {"category", "rule_id", "pack", "field", "span", "text", "matched", "method", "article",
                      "action", "message"}
    assert f["span"] == [0, 3] and f["text"] == "外交部" and f["field"] == "nickname"
    assert f["category"] in {c.value for c in Category}
    assert v["rules_revision"].startswith("sha256:")


def test_verified_government_passes(server) -> None:
    r = post(server, {"account_type": "institution", "fields": {"nickname": "外交部"},
                      "verified": {"institution": {"name": "外交部", "kind": "government"}}})
    assert r.status_code == 200 and r.json()["decision"] == "pass"


def test_ip_region_is_filled(server) -> None:
    r = post(server, {"fields": {"nickname": "小明"}, "ip": "202.96.128.86"})
    assert r.status_code == 200
    assert r.json()["ip_region"]["label"] == "广东"
    assert_error(post(server, {"fields": {"nickname": "小明"}, "ip": "999.1.1.1"}), 422)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b'{"fields": {"nickname": "x"', 422),  # malformed
        (b'{"fields": {"nickname": "a", "nickname": "b"}}', 422),  # duplicate key
        (b'{"fields": {"nickname": "\\ud800"}}', 422),  # unpaired surrogate escape
        (b'{"fields": {"nickname": 5}}', 422),  # number where a string belongs
        (b'{"fields": {}}', 422),  # nickname required
        (b'{"fields": {"nickname": "x"}, "extra": 1}', 422),  # unknown top-level key
        (b'{"fields": {"nickname": "x"}, "account_type": "robot"}', 422),
        ("\xff\xfe".encode("latin-1"), 422),  # not UTF-8
        (b"[]", 422),
        (b"", 422),
        (b"[" * 5000 + b"]" * 5000, 422),  # deep nesting
    ],
)
def test_bad_input_is_a_clear_4xx(server, body: bytes, status: int) -> None:
    assert_error(post(server, body), status)


def test_wrong_content_type_is_415(server) -> None:
    assert_error(post(server, b'{"fields":{"nickname":"x"}}', {"content-type": "text/plain"}), 415)


def test_oversized_body_is_413(server) -> None:
    big = {"fields": {"nickname": "x", "bio": "字" * 40000}}
    assert_error(post(server, big), 413)


def test_overlong_field_is_422_naming_the_field(server) -> None:
    body = assert_error(post(server, {"fields": {"nickname": "x", "bio": "a" * 600}}), 422)
    assert body["details"][0]["loc"][-1] == "bio"


def test_health_ready_status(server) -> None:
    assert httpx.get(server.url + "/healthz").json() == {"status": "ok"}
    ready = httpx.get(server.url + "/readyz")
    assert ready.status_code == 200 and ready.json()["revision"].startswith("sha256:")
    status = httpx.get(server.url + "/status").json()
    assert status["active"]["revision"] == ready.json()["revision"]
    names = {p["name"] for p in status["active"]["packs"]}
    assert {"official-bodies", "contact", "media"} <= names
    assert all(p["digest"].startswith("sha256:") for p in status["active"]["packs"])


def test_openapi_documents_request_and_categories(server) -> None:
    doc = httpx.get(server.url + "/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert "ValidateRequest" in schemas and "Verdict" in schemas
    assert set(schemas["Category"]["enum"]) == {c.value for c in Category}
    assert doc["paths"]["/validate"]["post"]["requestBody"]["required"] is True


@pytest.mark.slow
def test_not_ready_answers_503(tmp_path) -> None:
    (tmp_path / "broken.yaml").write_text("schema_version: 1\nname: x\n", encoding="utf-8")
    srv = Server(tmp_path)
    try:
        srv.wait_ready(status=503)  # up, and not ready: it has no rules
        assert_error(post(srv, {"fields": {"nickname": "x"}}), 503)
        status = httpx.get(srv.url + "/status").json()
        assert status["last_error"] and any(e["file"] == "broken.yaml" for e in status["last_error"])
    finally:
        srv.stop()
