"""POST /validate/batch on a real uvicorn server (loopback) with a small real rules directory."""

from __future__ import annotations

import base64
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from acctcheck.settings import Settings
from tests.conftest import RULES, ThreadServer
from tests.image_corpus import PAYLOADS, encode, qr_image


@pytest.fixture(scope="module")
def url(small_rules: Path) -> Iterator[str]:
    shutil.copy(RULES / "images.yaml", small_rules / "images.yaml")  # QR codes in item images
    settings = Settings(rules_dir=small_rules, watch=False, max_batch_items=50, max_batch_body_bytes=64 * 1024,
                        max_batch_work=20_000, batch_image_work=5_000)
    with ThreadServer(settings) as srv:
        yield srv.url


QR = base64.b64encode(encode(qr_image(PAYLOADS[0]), "PNG")).decode()


def post(url: str, body: object) -> httpx.Response:
    return httpx.post(f"{url}/validate/batch", json=body, timeout=10)


def test_results_in_order_with_per_item_errors(url: str) -> None:
    items = [
        {"fields": {"nickname": "外交部官方"}},
        {"fields": {"nickname": "小明"}, "extra": 1},
        {"fields": {"nickname": "中央小李"}, "ip": "202.96.128.86"},
        {"fields": {"nickname": "x" * 600}},
        {"fields": {"nickname": "小红"}, "ip": "999.1.1.1"},
        {"fields": "not an object"},
        {"fields": {"nickname": "小明"}},
        {"fields": {"nickname": "小明"}, "images": {"avatar": "iVBORw0KGgo="}},
        {"fields": {"nickname": "小明"}, "images": {"cover": QR}},
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
    assert res[7]["error"]["error"] in ("invalid_image", "unsupported_image")  # images are decoded, as in /validate
    assert res[7]["error"]["details"][0]["loc"] == ["body", "items", 7, "images", "avatar"]
    assert res[8]["decision"] == "reject" and res[8]["findings"][0]["field"] == "cover"
    assert res[8]["findings"][0]["text"] == PAYLOADS[0]
    assert len({x["rules_revision"] for x in res if "decision" in x}) == 1
    assert len({x["decision_id"] for x in res if "decision" in x}) == 4


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


@pytest.mark.parametrize("item", ["not an object", 5, None, ["fields"]])
def test_items_that_are_not_objects_fail_the_batch(url: str, item: object) -> None:
    """The schema says every item is an object; one that is not is a 422 for the batch (schemathesis'
    negative_data_rejection), while an object that does not validate stays an item error."""
    r = post(url, {"items": [{"fields": {"nickname": "小明"}}, item]})
    assert r.status_code == 422 and r.json()["error"] == "invalid_request", r.text
    assert r.json()["details"][0]["loc"] == ["body", "items", 1]


def test_work_budget_refuses_the_whole_batch(url: str) -> None:
    """Characters of text plus images (5,000 each here) beyond max_batch_work (20,000 here): 413 before any
    item is judged, with a message that says what to do."""
    ok = [{"fields": {"nickname": "小" * 390}}] * 50  # 19,500 characters
    assert post(url, {"items": ok}).status_code == 200
    r = post(url, {"items": [{"fields": {"nickname": "小" * 410}}] * 50})  # 20,500: still far under 64 KiB
    assert r.status_code == 413 and r.json()["error"] == "batch_too_large", r.text
    assert "split" in r.json()["message"]
    images = [{"fields": {"nickname": "小明"}, "images": {"avatar": QR}}] * 4  # 4 x 5,000 + 8
    r = post(url, {"items": images})
    assert r.status_code == 413 and r.json()["error"] == "batch_too_large", r.text
    r = post(url, {"items": images[:3]})
    assert r.status_code == 200 and [x["decision"] for x in r.json()["results"]] == ["reject"] * 3
