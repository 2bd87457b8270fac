"""GET/POST /ip-region on a small app wired the way the service wires it (app.state.geo)."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from acctcheck.api import errors
from acctcheck.api.ip_region import router
from acctcheck.geo import GeoResolver


@pytest.fixture(scope="module")
def client():
    app = FastAPI()
    app.state.geo = GeoResolver(None, None)
    errors.install(app)
    app.include_router(router)
    with TestClient(app) as c:
        yield c


FIELDS = {"ip", "label", "country_code", "province", "scope", "precision", "source", "database"}


def test_get(client):
    r = client.get("/ip-region", params={"ip": "202.96.128.86"})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == FIELDS
    assert body["label"] == "广东" and body["scope"] == "domestic" and body["province"] == "广东"
    assert body["country_code"] == "CN" and body["precision"] == "province" and body["source"] == "embedded"


def test_get_reserved(client):
    assert client.get("/ip-region", params={"ip": "10.0.0.1"}).json()["scope"] == "reserved"


def test_get_invalid_names_the_ip(client):
    r = client.get("/ip-region", params={"ip": "999.1.1.1"})
    assert r.status_code == 422
    [err] = r.json()["details"]
    assert err["loc"] == ["query", "ip"] and err["input"] == "999.1.1.1" and "999.1.1.1" in err["msg"]


def test_get_missing_parameter(client):
    assert client.get("/ip-region").status_code == 422


def test_post_in_order(client):
    ips = ["8.8.8.8", "61.135.169.121", "::ffff:61.135.169.121", "2001:db8::1", "168.95.1.1"]
    r = client.post("/ip-region", json={"ips": ips})
    assert r.status_code == 200
    res = r.json()["results"]
    assert [x["ip"] for x in res] == ips
    assert [x["label"] for x in res] == ["美国", "北京", "北京", "未知", "中国台湾"]


def test_post_invalid_names_index_and_ip(client):
    r = client.post("/ip-region", json={"ips": ["8.8.8.8", "1.1.1.1", "not-an-ip"]})
    assert r.status_code == 422
    [err] = r.json()["details"]
    assert err["loc"] == ["body", "ips", 2] and err["input"] == "not-an-ip"


def test_post_limit(client):
    assert client.post("/ip-region", json={"ips": ["8.8.8.8"] * 1000}).status_code == 200
    r = client.post("/ip-region", json={"ips": ["8.8.8.8"] * 1001})
    assert r.status_code == 422


def test_post_rejects_unknown_keys_and_empty_is_fine(client):
    assert client.post("/ip-region", json={"ips": [], "x": 1}).status_code == 422
    assert client.post("/ip-region", json={"ips": []}).json() == {"results": []}


@pytest.mark.parametrize(("body", "ctype", "status", "error"), [
    (b'{"ips": ["8.8.8.8"], "ips": ["1.1.1.1"]}', "application/json", 422, "invalid_json"),  # duplicate key
    (b'{"ips": ["\\ud800"]}', "application/json", 422, None),  # unpaired surrogate escape: invalid_ip
    (b'{"ips": [1]}', "application/json", 422, "invalid_request"),  # number where a string belongs
    (b'\xff\xfe{"ips": []}', "application/json", 422, "invalid_json"),  # not UTF-8
    (b'[' * 100_000 + b']' * 100_000, "application/json", 413, "body_too_large"),
    (b'{"ips": []}', "text/plain", 415, "unsupported_media_type"),
    (b'', "application/json", 422, "invalid_json"),
])
def test_post_bodies_are_read_like_validate(client, body: bytes, ctype: str, status: int, error: str | None) -> None:
    r = client.post("/ip-region", content=body, headers={"content-type": ctype})
    assert r.status_code == status, r.text
    assert set(r.json()) == {"error", "message", "details"}
    if error:
        assert r.json()["error"] == error
