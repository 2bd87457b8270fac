"""POST /validate/batch on a real uvicorn server (loopback) with a small real rules directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from acctcheck.settings import Settings
from tests.conftest import ThreadServer


@pytest.fixture(scope="module")
def url(small_rules: Path) -> Iterator[str]:
    settings = Settings(rules_dir=small_rules, watch=False, max_batch_items=50, max_batch_body_bytes=64 * 1024)
    with ThreadServer(settings) as srv:
        yield srv.url


def post(url: str, body: object) -> httpx.Response:
    return httpx.post(f"{url}/validate/batch", json=body, timeout=10)


def test_results_in_order_with_per_item_errors(url: str) -> None:
    items = [
        {"fields": {"nickname": "外交部官方"}},
        {"fields": {"nickname": "小明"}, "extra": 1},
        {"fields": {"nickname": "中央小李"}, "ip": "202.96.128.86"},
        {"fields": {"nickname": "x" * 600}},
        {"fields": {"nickname": "小红"}, "ip": "999.1.1.1"},
        "not an object",
        {"fields": {"nickname": "小明"}},
        {"fields": {"nickname": "小明"}, "images": {"avatar": "iVBORw0KGgo="}},
    ]
    r = post(url, {"items": items})
    assert r.status_code == 200
    res = r.json()["results"]
    assert len(res) == len(items)
    assert res[0]["decision"] == "reject" and res[0]["findings"][0]["matched"] == "外交部"
    assert res[2]["decision"] == "review" and res[2]["ip_region"]["label"] == "广东"
    assert res[6]["decision"] == "pass" and res[6]["degraded"] is False
    errors = {i: res[i]["error"] for i in (1, 3, 4, 5)}
    assert set(errors[1]) == {"error", "message", "details"}
    assert errors[1]["error"] == "invalid_request" and errors[1]["details"][0]["loc"] == ["body", "items", 1, "extra"]
    assert errors[3]["error"] == "field_too_long"
    assert errors[3]["details"][0]["loc"] == ["body", "items", 3, "fields", "nickname"]
    assert errors[4]["error"] == "invalid_ip" and errors[4]["details"][0]["loc"] == ["body", "items", 4, "ip"]
    assert errors[5]["details"][0]["loc"][:3] == ["body", "items", 5]
    assert res[7]["error"]["error"] == "images_not_supported"  # never a pass for an image nobody looked at
    assert res[7]["error"]["details"][0]["loc"] == ["body", "items", 7, "images"]
    assert len({x["rules_revision"] for x in res if "decision" in x}) == 1
    assert len({x["decision_id"] for x in res if "decision" in x}) == 3


def test_limits_fail_the_whole_batch(url: str) -> None:
    assert post(url, {"items": [{"fields": {"nickname": "a"}}] * 50}).status_code == 200
    r = post(url, {"items": [{"fields": {"nickname": "a"}}] * 51})
    assert r.status_code == 422 and r.json()["error"] == "too_many_items"
    r = post(url, {"items": [{"fields": {"nickname": "a" * 1400}}] * 50})  # > 64 KiB body
    assert r.status_code == 413 and r.json()["error"] == "body_too_large"


@pytest.mark.parametrize("body", [[], {"items": {}}, {"items": [], "x": 1}, {}])
def test_shape_errors(url: str, body: object) -> None:
    r = post(url, body)
    assert r.status_code == 422 and r.json()["error"] == "invalid_request"


def test_invalid_json_and_empty(url: str) -> None:
    r = httpx.post(f"{url}/validate/batch", content=b'{"items": [', headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["error"] == "invalid_json"
    assert post(url, {"items": []}).json() == {"results": []}


def test_openapi_declares_the_body(url: str) -> None:
    doc = httpx.get(f"{url}/openapi.json").json()
    op = doc["paths"]["/validate/batch"]["post"]
    assert op["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/BatchRequest")
    assert "BatchRequest" in doc["components"]["schemas"]
