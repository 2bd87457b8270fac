"""The console over HTTP (no browser): who may open it (ACCTCHECK_CONSOLE), its security headers, its two JSON
endpoints, and static checks of the page's files (no inline script or style, no HTML built from strings)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from importlib.resources import files
from pathlib import Path

import httpx
import pytest

from acctcheck.console.access import CSP, is_local
from acctcheck.settings import Settings
from tests.conftest import SMALL_PACK, ThreadServer, write_small_rules

STATIC = files("acctcheck.console") / "static"
TOKEN = "console-test-token"
EXAMPLES = """\
examples:
  - fields: {nickname: 國務院}
    expect: [official_impersonation]
  - fields: {nickname: 张三}
    expect: pass
    note: an ordinary name
...
"""


def with_examples(pack: str) -> str:
    """The pack with EXAMPLES appended before its end marker (every pack file ends with `...`)."""
    return pack.removesuffix("...\n") + EXAMPLES


def settings(rules: Path, **kw: object) -> Settings:
    return Settings(rules_dir=rules, watch=False, log_decisions=False, reload_settle_s=0, **kw)


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_small_rules(tmp_path_factory.mktemp("rules"))
    (root / "mini.yaml").write_text(with_examples(SMALL_PACK), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def console(rules: Path) -> ThreadServer:
    with ThreadServer(settings(rules)) as srv:
        yield srv


def test_page_and_files_carry_a_strict_csp(console: ThreadServer) -> None:
    for path, kind in (("/console/", "text/html"), ("/console/console.js", "text/javascript"),
                       ("/console/console.css", "text/css"), ("/console/icon.svg", "image/svg+xml")):
        r = httpx.get(console.url + path)
        assert r.status_code == 200, path
        assert r.headers["content-type"].startswith(kind)
        assert r.headers["content-security-policy"] == CSP
        assert r.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self';" in CSP and "unsafe-inline" not in CSP and "style-src 'self';" in CSP
    r = httpx.get(console.url + "/console/nothing.js")  # errors carry the headers too
    assert r.status_code == 404 and r.headers["content-security-policy"] == CSP
    assert httpx.get(console.url + "/console").status_code == 307  # to /console/, where relative links resolve


def test_console_is_not_in_the_openapi_contract(console: ThreadServer) -> None:
    paths = httpx.get(console.url + "/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith("/console")]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.data: list[tuple[str | None, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.data.append((self.tags[-1][0] if self.tags else None, data))


def test_page_has_no_inline_script_style_or_external_origin() -> None:
    parser = _Tags()
    parser.feed((STATIC / "index.html").read_text(encoding="utf-8"))
    scripts = [a for t, a in parser.tags if t == "script"]
    assert scripts == [{"src": "console.js", "defer": None}]
    assert not [t for t, _ in parser.data if t in ("script", "style")]
    assert not [t for t, a in parser.tags if "style" in a or t == "style" or any(k.startswith("on") for k in a)]
    urls = [v for _, a in parser.tags for k, v in a.items() if k in ("src", "href") and v]
    assert urls and all(not re.match(r"^[a-z]+:|^//", u) for u in urls), urls  # no CDN: every file from here


def test_console_js_never_builds_html_from_strings() -> None:
    js = (STATIC / "console.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                 "setAttribute(\"on", "javascript:"):
        assert sink not in js, sink
    assert re.findall(r"https?://[^\"'\s]+", js) == ["http://www.w3.org/2000/svg"]  # the SVG namespace, not a fetch


def test_explain_gives_the_verdict_and_the_views(console: ThreadServer) -> None:
    r = httpx.post(console.url + "/console/api/explain", json={"fields": {"nickname": "國 務院", "bio": "guowuyuan"}})
    assert r.status_code == 200
    body = r.json()
    found = {f["field"]: (f["text"], f["method"], f["span"]) for f in body["verdict"]["findings"]}
    assert found == {"nickname": ("國 務院", "traditional", [0, 4]), "bio": ("guowuyuan", "pinyin", [0, 9])}
    skeleton = body["views"]["nickname"]["skeleton"]
    assert skeleton["text"] == "国务院"
    assert skeleton["map"][1] == {"i": 1, "char": "务", "from": "務", "span": [2, 3], "folds": ["traditional"],
                                  "gap_before": True}
    assert body["views"]["bio"]["pinyin"]["text"] == "guo wu yuan"
    assert body["views"]["bio"]["pinyin"]["spans"] == [[0, 3], [3, 5], [5, 9]]


def test_explain_refuses_bad_input_like_validate(console: ThreadServer) -> None:
    r = httpx.post(console.url + "/console/api/explain", json={"fields": {}})
    assert r.status_code == 422 and r.json()["error"] == "invalid_request"
    r = httpx.post(console.url + "/console/api/explain", content=b"{", headers={"content-type": "application/json"})
    assert r.status_code == 422
    r = httpx.post(console.url + "/console/api/explain", json={"fields": {"nickname": "x" * 600}})
    assert r.status_code == 422


def test_a_console_try_is_not_a_platform_decision(console: ThreadServer) -> None:
    """Explain answers are counted as requests of their own route, never as decisions."""
    before = httpx.get(console.url + "/metrics").text
    httpx.post(console.url + "/console/api/explain", json={"fields": {"nickname": "外交部"}})
    after = httpx.get(console.url + "/metrics").text
    decisions = [ln for ln in after.splitlines() if ln.startswith("acctcheck_decisions_total")]
    assert decisions == [ln for ln in before.splitlines() if ln.startswith("acctcheck_decisions_total")]
    assert 'acctcheck_requests_total{endpoint="/console/api/explain",status="200"}' in after


def test_packs_lists_rules_and_examples_with_their_outcome(console: ThreadServer, rules: Path) -> None:
    body = httpx.get(console.url + "/console/api/packs").json()
    assert body["active"]["revision"] and body["activated_at"] and body["last_error"] is None
    (mini,) = body["active"]["packs"]
    assert (mini["name"], mini["rules"], mini["terms"]) == ("mini", 2, 3)
    assert [r["id"] for r in mini["rule_list"]] == ["organ", "strict"]
    assert mini["examples"]["state"] == "checked"
    items = mini["examples"]["items"]
    assert [(i["fields"]["nickname"], i["ok"], i["decision"]) for i in items] == [
        ("國務院", True, "reject"), ("张三", True, "pass")]
    assert items[0]["found"][0]["rule"] == "mini/organ"


def test_packs_show_a_refused_build_with_located_errors(tmp_path: Path) -> None:
    root = write_small_rules(tmp_path / "rules")
    with ThreadServer(settings(root)) as srv:
        (root / "mini.yaml").write_text(with_examples(SMALL_PACK.replace("action: review", "action: block")),
                                        encoding="utf-8")
        srv.server.config.app.state.store.reload()  # what the watcher does on the change
        body = httpx.get(srv.url + "/console/api/packs").json()
        assert body["last_error"] and body["last_error"][0]["file"] == "mini.yaml"
        assert (body["last_error"][0]["rule"], body["last_error"][0]["field"]) == ("rule strict", "action")
        (mini,) = body["active"]["packs"]  # the last good revision keeps serving
        assert mini["examples"] == {"state": "changed", "items": []}  # not the active file's examples any more
        (root / "mini.yaml").write_text(SMALL_PACK, encoding="utf-8")  # the active bytes again
        (mini,) = httpx.get(srv.url + "/console/api/packs").json()["active"]["packs"]
        assert mini["examples"] == {"state": "checked", "items": []}


def test_off_serves_nothing(rules: Path) -> None:
    with ThreadServer(settings(rules, console="off")) as srv:
        assert httpx.get(srv.url + "/console/").status_code == 404
        assert httpx.get(srv.url + "/console/api/packs").status_code == 404


def test_auto_refuses_a_request_relayed_by_a_proxy(console: ThreadServer) -> None:
    for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):
        r = httpx.get(console.url + "/console/", headers={header: "203.0.113.9"})
        assert r.status_code == 404 and r.json()["error"] == "console_unavailable", header


def test_auto_serves_loopback_clients_only() -> None:
    assert is_local({"client": ("127.0.0.1", 5000), "headers": []})
    assert is_local({"client": ("::1", 5000), "headers": []})
    assert not is_local({"client": ("10.0.0.7", 5000), "headers": []})
    assert not is_local({"client": ("192.0.2.1", 5000), "headers": []})
    assert not is_local({"client": None, "headers": []})
    assert not is_local({"client": ("127.0.0.1", 5000), "headers": [(b"x-forwarded-for", b"10.0.0.7")]})


def test_on_serves_relayed_requests(rules: Path) -> None:
    with ThreadServer(settings(rules, console="on")) as srv:
        r = httpx.get(srv.url + "/console/", headers={"X-Forwarded-For": "203.0.113.9"})
        assert r.status_code == 200


def test_token_mode_guards_the_data_not_the_page(rules: Path) -> None:
    with ThreadServer(settings(rules, console="token", admin_token=TOKEN)) as srv:
        assert httpx.get(srv.url + "/console/", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 200
        explain = {"fields": {"nickname": "外交部"}}
        assert httpx.get(srv.url + "/console/api/packs").status_code == 401
        assert httpx.post(srv.url + "/console/api/explain", json=explain).status_code == 401
        wrong = {"Authorization": "Bearer nope"}
        assert httpx.get(srv.url + "/console/api/packs", headers=wrong).status_code == 403
        good = {"Authorization": f"Bearer {TOKEN}"}
        assert httpx.get(srv.url + "/console/api/packs", headers=good).status_code == 200
        assert httpx.post(srv.url + "/console/api/explain", json=explain, headers=good).status_code == 200


def test_token_mode_without_a_token_configured_serves_no_data(rules: Path) -> None:
    with ThreadServer(settings(rules, console="token")) as srv:
        r = httpx.get(srv.url + "/console/api/packs", headers={"Authorization": "Bearer x"})
        assert r.status_code == 404 and r.json()["error"] == "admin_disabled"


def test_explain_views_are_what_check_explain_prints(console: ThreadServer, rules: Path) -> None:
    import json
    import subprocess
    import sys

    profile = {"nickname": "國·務院", "bio": "加 vx abc_12345"}
    cli = subprocess.run([sys.executable, "-m", "acctcheck", "check", "--rules", str(rules), "--explain",
                          "--nickname", profile["nickname"], "--bio", profile["bio"]],
                         capture_output=True, text=True, timeout=60)
    assert cli.returncode == 1, cli.stderr  # not a pass
    body = httpx.post(console.url + "/console/api/explain", json={"fields": profile}).json()
    assert json.loads(cli.stdout)["views"] == body["views"]
