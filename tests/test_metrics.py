"""/metrics exposition format and content, /admin/reload auth, JSON decision logs, and batched recording that
writes what prometheus-client would — against a real uvicorn on a loopback port. (What recording costs on the
hot path is measured by bench/metrics_bench.py, not asserted here.)"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from acctcheck.logging_setup import JsonFormatter, mask
from acctcheck.metrics import Metrics
from acctcheck.settings import Settings
from tests.conftest import RULES, Server, ThreadServer
from tests.support.exposition import parse
from tests.support.rules import make_rules, tiny_pack, write_atomic
from tests.support.waiting import wait_until


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    rules = make_rules(tmp_path_factory.mktemp("m") / "rules")
    # no watch and settle 0: the admin call must be the one that activates each edit (with the watch on, its
    # debounce raced the call on a loaded machine and the call found nothing changed)
    with ThreadServer(Settings(rules_dir=rules, admin_token="t0ken", watch=False, reload_settle_s=0)) as s:
        yield s, rules


def test_metrics_format_and_content(served) -> None:
    s, _ = served
    with httpx.Client(base_url=s.url, timeout=10) as c:
        assert c.post("/validate", json={"fields": {"nickname": "马甲大王"}}).json()["decision"] == "reject"
        assert c.post("/validate", json={"fields": {"nickname": "影子部门"}}).json()["decision"] == "pass"
        assert c.post("/validate", content=b"{", headers={"content-type": "application/json"}).status_code == 422
        c.get("/no/such/path/12345")
        r = c.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain; version=0.0.4")
    m = parse(r.text)
    assert m['acctcheck_requests_total{endpoint="/validate",status="200"}'] >= 2
    assert m['acctcheck_requests_total{endpoint="/validate",status="422"}'] >= 1
    assert m['acctcheck_requests_total{endpoint="other",status="404"}'] >= 1  # raw paths never become labels
    assert "12345" not in r.text
    assert m['acctcheck_decisions_total{decision="reject"}'] >= 1
    assert m['acctcheck_decisions_total{decision="pass"}'] >= 1
    assert m['acctcheck_findings_total{category="misleading_claim",mode="enforce"}'] >= 1
    assert m['acctcheck_findings_total{category="official_impersonation",mode="shadow"}'] >= 1
    assert m['acctcheck_reloads_total{result="ok"}'] >= 1 and 'acctcheck_reloads_total{result="failed"}' in m
    rev = s.app.state.store.snapshot.revision
    assert m[f'acctcheck_rules_info{{revision="{rev}"}}'] == 1
    assert m["acctcheck_rules_terms"] == s.app.state.store.snapshot.term_count
    buckets = [(k, v) for k, v in m.items() if k.startswith('acctcheck_request_seconds_bucket{endpoint="/validate"')]
    values = [v for _, v in buckets]
    assert values == sorted(values) and buckets[-1][0].endswith('le="+Inf"}')
    assert values[-1] == m['acctcheck_request_seconds_count{endpoint="/validate"}']


def test_admin_reload_auth_and_refusal(served) -> None:
    s, rules = served
    url = f"{s.url}/admin/reload"
    for headers, status in [({}, 401), ({"Authorization": "t0ken"}, 401), ({"Authorization": "Basic t0ken"}, 401),
                            ({"Authorization": "Bearer"}, 401), ({"Authorization": "Bearer t0kex"}, 403),
                            ({"Authorization": "Bearer t0ken-longer"}, 403)]:
        r = httpx.post(url, headers=headers, timeout=10)
        assert r.status_code == status, headers
        assert set(r.json()) == {"error", "message", "details"}
    assert httpx.post(url, timeout=10).headers["www-authenticate"].startswith("Bearer")
    auth = {"Authorization": "Bearer t0ken"}
    ok = httpx.post(url, headers=auth, timeout=30)
    assert ok.status_code == 200 and set(ok.json()) == {"ok", "changed", "revision", "errors"}
    before = ok.json()["revision"]
    write_atomic(rules / "tiny.yaml", tiny_pack("broken").replace("kind: terms", "kind: nope", 1))
    bad = httpx.post(url, headers=auth, timeout=30)
    assert bad.status_code == 422 and bad.json()["ok"] is False and bad.json()["revision"] == before
    assert bad.json()["errors"][0]["file"] == "tiny.yaml"
    status = httpx.get(f"{s.url}/status", timeout=10).json()
    assert status["active"]["revision"] == before and status["last_error"]
    metrics = parse(httpx.get(f"{s.url}/metrics", timeout=10).text)
    assert metrics['acctcheck_reloads_total{result="failed"}'] >= 1 and metrics["acctcheck_rules_last_error"] == 1
    write_atomic(rules / "tiny.yaml", tiny_pack("v9"))
    good = httpx.post(url, headers=auth, timeout=30).json()
    assert good["ok"] and good["changed"] and good["revision"] != before


def test_admin_disabled_without_token(tmp_path: Path) -> None:
    with ThreadServer(Settings(rules_dir=make_rules(tmp_path / "r"), admin_token=None, watch=False)) as s:
        r = httpx.post(f"{s.url}/admin/reload", headers={"Authorization": "Bearer anything"}, timeout=10)
    assert r.status_code == 404 and r.json()["error"] == "admin_disabled"
    assert "ACCTCHECK_ADMIN_TOKEN" in r.json()["message"]


def test_decision_log_is_json_without_values(served) -> None:
    s, _ = served
    lines: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Capture()
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("acctcheck.decision")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        body = {"fields": {"nickname": "马甲大王", "bio": "电话 138-0013-8000 身份证 110101199003077777"}}
        verdict = httpx.post(f"{s.url}/validate", json=body, timeout=10).json()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    [line] = lines
    rec = json.loads(line)
    assert rec["decision_id"] == verdict["decision_id"] and rec["decision"] == verdict["decision"]
    assert rec["rules_revision"] == verdict["rules_revision"] and rec["latency_ms"] > 0
    assert rec["categories"] == sorted({f["category"] for f in verdict["findings"]})
    # The timestamp, ids, hash and latency are generated and may hold any digits (a ts ending .138 once failed
    # CI); every other value must be free of the request's text.
    generated = ("ts", "decision_id", "rules_revision", "latency_ms")
    rest = json.dumps({k: v for k, v in rec.items() if k not in generated}, ensure_ascii=False)
    for secret in ("马甲大王", "电话", "138", "8000", "110101", "7777"):
        assert secret not in rest


def test_mask_digit_runs() -> None:
    assert mask("call 138 0013 8000 now") == "call [digits] now"
    assert mask("id 11010119900307777X") == "id [digits]X"
    assert mask("port 8000, pid 12345") == "port 8000, pid 12345"


class _F:
    __slots__ = ("category",)

    def __init__(self, category: str) -> None:
        self.category = category


class _V:
    def __init__(self, decision: str = "reject") -> None:
        self.decision = decision
        self.findings = [_F("official_impersonation"), _F("contact_smuggling")]
        self.shadow_findings = [_F("misleading_claim")]


def test_batched_recording_writes_what_prometheus_client_would() -> None:
    """Requests are counted in plain dicts and written once per event-loop turn, a whole bucket's count at a time
    (the Histogram child's own values): the exposition must equal prometheus-client's own observe()/inc() per
    request, bucket edges included (le is inclusive)."""
    from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

    from acctcheck.metrics import BUCKETS

    ref = CollectorRegistry()
    ref_req = Counter("acctcheck_requests", "HTTP requests by route template and status", ["endpoint", "status"],
                      registry=ref)
    ref_lat = Histogram("acctcheck_request_seconds", "request latency in seconds, to the last body byte",
                        ["endpoint"], buckets=BUCKETS, registry=ref)
    ref_dec = Counter("acctcheck_decisions", "validate decisions (pass, review, reject)", ["decision"], registry=ref)
    latencies = [*BUCKETS, 0.0, 0.00049, 7.5, *(0.0001 * i for i in range(1, 300))]
    m = Metrics()

    async def serve() -> None:
        for i, seconds in enumerate(latencies):
            endpoint, status = ("/validate", 200) if i % 5 else ("/validate/batch", 422)
            m.observe_request(endpoint, status, seconds)
            m.observe_verdict(_V("pass" if i % 3 else "reject"))
            ref_req.labels(endpoint, str(status)).inc()
            ref_lat.labels(endpoint).observe(seconds)
            ref_dec.labels("pass" if i % 3 else "reject").inc()
            if i % 7 == 0:
                await asyncio.sleep(0)  # a loop turn: what was counted so far is written

    asyncio.run(serve())
    ours = parse(m.render())
    theirs = parse(generate_latest(ref).decode())
    assert {k: v for k, v in ours.items() if k in theirs} == pytest.approx(theirs)  # sums: another addition order
    assert not [k for k in theirs if "_bucket" in k and ours[k] != theirs[k]]  # counts: exact
    validate_count = sum(1 for i in range(len(latencies)) if i % 5)
    assert ours['acctcheck_request_seconds_count{endpoint="/validate"}'] == validate_count
    assert ours['acctcheck_findings_total{category="misleading_claim",mode="shadow"}'] == len(latencies)


def test_counts_are_written_on_the_next_loop_turn() -> None:
    m = Metrics()
    key = 'acctcheck_requests_total{endpoint="/x",status="200"}'

    async def one_turn() -> tuple[float, float]:
        m.observe_request("/x", 200, 0.001)
        before = m.requests.labels("/x", "200")._value.get()
        await asyncio.sleep(0)
        return before, m.requests.labels("/x", "200")._value.get()

    assert asyncio.run(one_turn()) == (0, 1)
    m.observe_request("/x", 200, 0.001)  # no event loop (a script): written at once
    assert parse(m.render())[key] == 2


def _format(**extra: object) -> dict:
    record = logging.LogRecord("acctcheck.x", logging.INFO, __file__, 0, "m", (), None)
    record.__dict__.update(extra)
    return json.loads(JsonFormatter().format(record))


def test_safe_fields_are_written_as_given_and_anything_else_is_masked() -> None:
    rec = _format(safe={"decision_id": "abc", "latency_ms": 1.5, "categories": ["contact_smuggling"]})
    assert rec["decision_id"] == "abc" and rec["latency_ms"] == 1.5 and rec["categories"] == ["contact_smuggling"]
    assert "safe" not in rec
    # a `safe` dict holding a field we do not generate ourselves is not trusted: masked as text
    rec = _format(safe={"decision_id": "abc", "nickname": "加我13800138000"})
    assert "13800138000" not in json.dumps(rec, ensure_ascii=False) and "[digits]" in rec["safe"]
    rec = _format(phones=["13800138000"], note="id 11010119900307777X")
    assert "13800138000" not in rec["phones"] and rec["note"] == "id [digits]X"
    assert rec["ts"].endswith("+00:00") and len(rec["ts"]) == len("2026-11-29T17:46:10.909+00:00")


_CHILD = """
import logging, logging.config, sys
from acctcheck.logging_setup import log_config
logging.config.dictConfig(log_config("info"))
log = logging.getLogger("acctcheck.child")
for i in range(3):
    log.info("line %d", i)
print("logged", flush=True)
sys.stdin.readline()  # alive, writing nothing, until the test has seen the lines (or gives up)
log.info("last before exit")
"""


@pytest.mark.slow
def test_buffered_log_lines_reach_stderr_in_time_and_at_exit(tmp_path: Path) -> None:
    """Decision lines are written in blocks (one write per line cost more than the line), but they still show
    up while the process runs (the flusher writes them; the child is blocked on stdin meanwhile), and nothing is
    lost at a normal exit."""
    err = tmp_path / "stderr"
    with err.open("wb") as sink:
        child = subprocess.Popen([sys.executable, "-c", _CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=sink, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
        assert child.stdin is not None and child.stdout is not None
        try:
            assert child.stdout.readline().strip() == b"logged"
            # the flush interval is 0.2 s; the bound only stops a broken flusher from hanging the test
            wait_until(lambda: err.read_text().count("\n") >= 3, "the flusher to write the lines", 10)
            assert child.poll() is None, "the child must still be running: lines came from the flusher"
            assert [json.loads(x)["msg"] for x in err.read_text().splitlines()] == ["line 0", "line 1", "line 2"]
        finally:
            child.stdin.close()  # the child logs its last line and exits
            child.wait(timeout=20)
            child.stdout.close()
    assert child.returncode == 0
    assert json.loads(err.read_text().splitlines()[-1])["msg"] == "last before exit"


def test_each_validate_request_is_counted_once_whichever_lane_answers(served) -> None:
    """POST /validate is answered before FastAPI's stack (the fast lane) or, for anything unusual, by the
    full stack behind it; both lanes share one metrics layer, so no request is counted twice or missed."""
    s, _ = served
    key = 'acctcheck_requests_total{{endpoint="/validate",status="{}"}}'
    with httpx.Client(base_url=s.url, timeout=10) as c:
        before = parse(c.get("/metrics").text)
        c.post("/validate", json={"fields": {"nickname": "小王"}})  # fast lane
        c.post("/validate", content=b'{"fields": {"nickname": "a", "nickname": "b"}}',
               headers={"content-type": "application/json"})  # duplicate key: the full stack's 422
        c.post("/validate", content=b'{"fields": {"nickname": "x"}}',
               headers={"content-type": "application/json; charset=utf-8"})  # charset: the full stack's 200
        after = parse(c.get("/metrics").text)
    assert after[key.format(200)] - before.get(key.format(200), 0) == 2
    assert after[key.format(422)] - before.get(key.format(422), 0) == 1


def test_an_engine_failure_in_the_fast_lane_is_a_json_500(served, monkeypatch: pytest.MonkeyPatch) -> None:
    s, _ = served
    import acctcheck.api.validate as lane

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("engine bug")

    monkeypatch.setattr(lane, "validate", boom)
    r = httpx.post(f"{s.url}/validate", json={"fields": {"nickname": "小王"}}, timeout=10)
    assert r.status_code == 500 and r.json()["error"] == "internal_error"
    assert set(r.json()) == {"error", "message", "details"}


def test_safe_lines_take_the_short_path_only_where_it_writes_the_same_line(tmp_path: Path) -> None:
    from acctcheck.logging_setup import BufferedStderrHandler, log_safe

    logger = logging.getLogger("acctcheck.test_safe_lines")
    logger.propagate = False
    handler = BufferedStderrHandler()
    handler.setFormatter(JsonFormatter())
    handler.setStream(open(tmp_path / "out", "w", encoding="utf-8")).close()
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    seen: list[logging.LogRecord] = []
    try:
        log_safe(logger, "decision", {"decision_id": "abc", "latency_ms": 1.0})
        logger.addFilter(lambda r: seen.append(r) or True)  # a filter must see every record: full path
        log_safe(logger, "decision", {"decision_id": "def", "latency_ms": 2.0})
        logger.setLevel(logging.WARNING)
        log_safe(logger, "decision", {"decision_id": "ghi", "latency_ms": 3.0})  # disabled: nothing
    finally:
        logger.removeHandler(handler)
        handler.close()
    lines = [json.loads(x) for x in (tmp_path / "out").read_text().splitlines()]
    assert [x["decision_id"] for x in lines] == ["abc", "def"] and len(seen) == 1
    short, full = lines
    assert set(short) == set(full) and short["logger"] == full["logger"] == "acctcheck.test_safe_lines"
    assert short["level"] == full["level"] == "info" and short["msg"] == full["msg"] == "decision"


@pytest.mark.slow
@pytest.mark.usefixtures("bundled_rules")  # the server loads the session's build of rules/
def test_sigterm_loses_no_log_line() -> None:
    """uvicorn ends a SIGTERM by re-raising the signal (no atexit, so logging.shutdown never runs): the
    buffered handler must still have written every decision line and uvicorn's own last lines."""
    srv = Server(RULES, env={"ACCTCHECK_WATCH": "false"}, log_level="info")
    try:
        srv.wait_ready(60)
        for nick in ("小王", "外交部", "阿花"):
            httpx.post(f"{srv.url}/validate", json={"fields": {"nickname": nick}}, timeout=10)
    finally:
        srv.stop()  # SIGTERM
    records = [json.loads(x) for x in srv.stderr_tail(10**7).splitlines() if x.startswith("{")]
    assert sum(r.get("logger") == "acctcheck.decision" for r in records) == 3
    assert any(r.get("msg", "").startswith("Finished server process") for r in records), records[-3:]


_WARN_CHILD = """
import io, logging, logging.config, struct, sys, warnings, zlib
from acctcheck.logging_setup import log_config
logging.config.dictConfig(log_config("info"))
warnings.warn("a library complains", UserWarning)
from PIL import Image
Image.MAX_IMAGE_PIXELS = 1000
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
png = (b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 40, 40, 8, 0, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(b"\\x00" * 41 * 40)) + chunk(b"IEND", b""))
Image.open(io.BytesIO(png))  # 1600 pixels: between Pillow's limit and twice it, a DecompressionBombWarning
logging.getLogger("acctcheck").info("done")
"""


def test_warnings_are_json_lines(tmp_path: Path) -> None:
    """warnings.warn (Pillow's about odd images among them) is routed through logging: every stderr line is
    one JSON object, the warning's text in `msg`."""
    out = subprocess.run([sys.executable, "-c", _WARN_CHILD], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert out.returncode == 0, out.stderr[-2000:]
    lines = [json.loads(x) for x in out.stderr.splitlines()]
    assert [x["logger"] for x in lines] == ["py.warnings", "py.warnings", "acctcheck"], lines
    assert "a library complains" in lines[0]["msg"] and "DecompressionBombWarning" in lines[1]["msg"]
    assert all(x["level"] == "warning" for x in lines[:2])
