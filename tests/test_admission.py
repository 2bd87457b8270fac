"""One admission path (issue 18): the same bad input is refused with the same error code by the /validate fast
lane, the /validate route, /validate/batch and `acctcheck scan`, because all four admit it with
acctcheck.admission. Each path is driven for real: a uvicorn server for the HTTP paths, the scan's own reader,
chunker and worker (and the whole command) for the scan."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from acctcheck import scan
from acctcheck.admission import AdmissionLimits, Refusal, admit_body
from acctcheck.api.metrics import Observer
from acctcheck.api.validate import FastValidate
from acctcheck.service import create_app
from acctcheck.settings import Settings

LONG = "长" * 600  # beyond the default max_field_chars (512)

# (name, a /validate body, the error code every path must answer with)
BAD: list[tuple[str, bytes, str]] = [
    ("field too long", json.dumps({"fields": {"nickname": LONG}}).encode(), "field_too_long"),
    ("profession code too long", json.dumps({"fields": {"nickname": "王医生"},
                                             "verified": {"professions": [LONG]}}).encode(), "field_too_long"),
    ("unpaired surrogate", b'{"fields": {"nickname": "\\ud800x"}}', "invalid_text"),
    ("duplicate key", b'{"fields": {"nickname": "a", "nickname": "b"}}', "invalid_json"),
    ("malformed JSON", b'{"fields": {"nickname": "a"}', "invalid_json"),
    ("required field missing", b'{"fields": {"bio": "hello"}}', "invalid_request"),
    ("unknown key", b'{"fields": {"nickname": "a"}, "extra": 1}', "invalid_request"),
    ("invalid IP", '{"fields": {"nickname": "小王"}, "ip": "999.1.1.1"}'.encode(), "invalid_ip"),
]
IDS = [name for name, _, _ in BAD]


def _post(url: str, body: bytes, content_type: str) -> httpx.Response:
    return httpx.post(url, content=body, headers={"content-type": content_type}, timeout=30)


def _as_scan_line(body: bytes) -> bytes:
    """The body as a scan record: the same bytes with an id in front."""
    assert body.startswith(b"{")
    return b'{"id": "acct-1", ' + body[1:] + b"\n"


@pytest.mark.parametrize(("name", "body", "code"), BAD, ids=IDS)
def test_same_bad_input_same_error_code_on_every_path(server, small_rules: Path, tmp_path: Path, name: str,
                                                      body: bytes, code: str) -> None:
    # /validate with a plain application/json body in one piece: the fast lane's case
    fast = _post(f"{server.url}/validate", body, "application/json")
    # with a charset parameter the lane hands the request to the FastAPI route (docs/performance.md, item 1)
    route = _post(f"{server.url}/validate", body, "application/json; charset=utf-8")
    assert fast.status_code == 422 and fast.json()["error"] == code, fast.text
    assert (route.status_code, route.content) == (fast.status_code, fast.content)  # byte for byte

    # /validate/batch: an item the service refuses is its error entry; a body that is not JSON fails whole
    batch = _post(f"{server.url}/validate/batch", b'{"items": [' + body + b"]}", "application/json")
    if batch.status_code == 200:
        entry = batch.json()["results"][0]["error"]
        assert entry["error"] == code, entry
        assert all(d["loc"][:3] == ["body", "items", 0] for d in entry["details"])
    else:
        assert batch.status_code == 422 and batch.json()["error"] == code, batch.text

    # acctcheck scan: the reader, the chunker and the worker it runs, then the whole command
    scan.load_engine(str(small_rules), run_examples=False)
    records = list(scan.read_jsonl([_as_scan_line(body)]))
    (chunk,) = scan.chunks(records, set(), 16, scan.Summary())
    (outcome,) = scan.judge_chunk(chunk)
    assert outcome.line is None and outcome.error == code, outcome
    src = tmp_path / "in.jsonl"
    src.write_bytes(_as_scan_line(body))
    err = io.StringIO()
    exit_code = scan.run_scan(scan.ScanOptions(input=src, output=tmp_path / "out.jsonl", rules_dir=small_rules,
                                               progress=False), stdout=io.StringIO(), stderr=err)
    assert exit_code == 3 and err.getvalue() == f"{src}:1: {outcome.what}\n"


def test_scan_complaints_name_the_field_as_the_service_does(server) -> None:
    """The scan's complaint is the service's message without the body. prefix (a record is not a body)."""
    body = json.dumps({"fields": {"nickname": "a", "bio": LONG}}).encode()
    http = _post(f"{server.url}/validate", body, "application/json").json()
    (outcome,) = scan.judge_chunk(next(scan.chunks(scan.read_jsonl([_as_scan_line(body)]), set(), 1,
                                                   scan.Summary())))
    assert http["message"] == "body.fields.bio is longer than 512 characters"
    assert outcome.what == "invalid request: fields.bio is longer than 512 characters"


@pytest.mark.parametrize(("name", "body", "code"), [b for b in BAD if b[2] != "invalid_ip"],
                         ids=[n for n, _, c in BAD if c != "invalid_ip"])
def test_the_fast_lane_answers_a_refusal_itself(small_rules: Path, name: str, body: bytes, code: str) -> None:
    """The lane admits with the shared path and answers the refusal with the route's ErrorBody; it never hands
    a body it has read to the route to be parsed a second time. (No snapshot is needed: admission comes first,
    as in the route.)"""
    app = create_app(Settings(rules_dir=small_rules, watch=False))
    handed_over: list[dict[str, Any]] = []

    async def route(scope: dict[str, Any], _receive: Any, _send: Any) -> None:
        handed_over.append(scope)

    lane = FastValidate(route, Observer(app.state.metrics, log_decisions=False))
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/validate", "app": app,
             "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]}
    asyncio.run(lane(scope, receive, send))
    assert handed_over == []
    assert sent[0]["status"] == 422
    answer = json.loads(sent[1]["body"])
    try:
        admit_body(body, "application/json", AdmissionLimits.from_settings(app.state.settings))
    except Refusal as exc:
        assert answer == {"error": exc.error, "message": exc.message, "details": exc.details}
    else:
        pytest.fail("admission accepted a bad body")
    assert answer["error"] == code
