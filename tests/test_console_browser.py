"""The console in a real browser: headless Chromium from the Debian packages driven by Selenium, against a real
`acctcheck serve` on loopback. Skipped, with the reason, only where no browser can be had (`make browser`
installs one; `make test` runs it first)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser import browser_missing, chrome, page_errors
from tests.conftest import Server

MISSING = browser_missing()
pytestmark = [pytest.mark.slow,  # `make test-fast` leaves it out: see the `slow` marker in pyproject.toml
              pytest.mark.skipif(MISSING is not None, reason=f"console browser tests skipped: {MISSING}")]

XSS = "<img src=x onerror=alert(1)>"
BROKEN_PACK = """\
schema_version: 1
name: broken
version: "1"
description: a pack with a wrong action
rules:
  - id: bad-action
    kind: terms
    category: strict_term
    article: 第十条第二款
    action: block
    message: "{matched}"
    terms: [国家队]
...
"""
SHADOW_PACK = """\
schema_version: 1
name: trial
version: "1"
description: a rule tried in shadow mode first
rules:
  - id: official-claim
    kind: terms
    category: misleading_claim
    article: 第八条第（七）项
    action: review
    mode: shadow
    message: "自称官方：{matched}"
    terms: [官方]
...
"""
WAIT_S = 20  # the watcher sees a file change within ~1 s; the reload poll (0.5 s here) is the fallback


@pytest.fixture(scope="module")
def server(small_rules: Path) -> Iterator[Server]:
    (small_rules / "trial.yaml").write_text(SHADOW_PACK, encoding="utf-8")
    with Server(small_rules, env={"ACCTCHECK_RELOAD_POLL_S": "0.5", "ACCTCHECK_RELOAD_DEBOUNCE_MS": "50"}) as srv:
        yield srv


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    d = chrome()
    try:
        yield d
    finally:
        d.quit()


@pytest.fixture()
def page(driver: Any, server: Server) -> Iterator[Any]:
    """The driver on a fresh console page; after the test, the page must have logged no error or warning."""
    driver.get("about:blank")
    page_errors(driver)  # drop what earlier pages logged
    yield driver
    assert page_errors(driver) == []


def wait(driver: Any, condition: Any, timeout: float = WAIT_S) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(condition)


def by_css(driver: Any, css: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, css)


def texts(driver: Any, css: str) -> list[str]:
    """textContent of every match, read in one script call: the packs and activity pages redraw themselves
    every few seconds, so element handles found earlier may be stale."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0]), (n) => n.textContent)", css)


def check_profile(driver: Any, server: Server, **fields: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{server.url}/console/")
    for name, value in fields.items():
        box = driver.find_element(By.ID, name)
        box.clear()
        box.send_keys(value)
    driver.find_element(By.ID, "check").click()
    wait(driver, lambda d: by_css(d, "#decision"))


def test_traditional_name_shows_its_highlight_method_and_views(page: Any, server: Server) -> None:
    check_profile(page, server, nickname="國務院")
    assert "reject" in by_css(page, "#decision")[0].text
    marks = by_css(page, "#field-nickname mark.hl")
    assert len(marks) == 1
    assert marks[0].get_attribute("textContent") == "國務院1"  # the user's characters, then the finding number
    assert "action-reject" in marks[0].get_attribute("class")
    finding = by_css(page, "#field-nickname li.finding")[0]
    assert finding.find_element("css selector", "dd.method").text == "繁体 (traditional)"
    assert finding.find_element("css selector", "dd.rule").text == "organ"
    assert finding.find_element("css selector", "dd.pack").text == "mini"
    assert finding.find_element("css selector", "dd.article").text == "第八条第（二）项"
    rows = by_css(page, "#field-nickname table.skeleton tbody tr")
    cells = [[c.get_attribute("textContent") for c in r.find_elements("css selector", "td")] for r in rows]
    assert cells[0][:5] == ["0", "国", "國", "[0, 1)", "繁体 (traditional)"]
    assert all("hit" in r.get_attribute("class") for r in rows)


def test_shadow_findings_are_shown_apart(page: Any, server: Server) -> None:
    check_profile(page, server, nickname="國務院官方")
    assert texts(page, "#field-nickname mark.hl") == ["國務院1"]  # the shadow hit is not among the enforced
    assert texts(page, "#shadow mark.hl.shadow") == ["官方2"]
    assert texts(page, "#shadow li.finding dd.rule") == ["official-claim"]
    assert "reject" in texts(page, "#decision")[0]


def test_xss_nickname_renders_inert_as_text(page: Any, server: Server) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    check_profile(page, server, nickname=XSS + "国务院", bio=XSS)
    assert by_css(page, "#result img") == []
    text = by_css(page, "#field-nickname .field-text")[0].get_attribute("textContent")
    assert text.startswith(XSS)
    assert by_css(page, "#field-bio .field-text")[0].get_attribute("textContent") == XSS
    with pytest.raises(NoAlertPresentException):
        page.switch_to.alert.text  # noqa: B018 - raises when no alert() ran
    # the same profile through a share link (the fragment is decoded and rendered on load): still text
    page.find_element("id", "share").click()
    shared = page.current_url
    assert "#tab=playground&q=" in shared
    page.get("about:blank")
    page.get(shared)
    wait(page, lambda d: by_css(d, "#field-nickname .field-text"))
    assert by_css(page, "#field-nickname .field-text")[0].get_attribute("textContent").startswith(XSS)
    assert page.find_element("id", "nickname").get_attribute("value") == XSS + "国务院"
    assert by_css(page, "#result img") == []


def test_broken_pack_shows_its_located_error(page: Any, server: Server, small_rules: Path) -> None:
    page.get(f"{server.url}/console/#tab=packs")
    wait(page, lambda d: by_css(d, "tr.pack-row[data-pack=mini]"))
    (revision,) = texts(page, "#active-revision")
    (small_rules / "broken.yaml").write_text(BROKEN_PACK, encoding="utf-8")
    try:
        wait(page, lambda d: by_css(d, "#refused-build tr.located-error"))
        cells = texts(page, "#refused-build tr.located-error td")
        assert cells[:3] == ["broken.yaml", "rule bad-action", "action"]
        assert "reject" in cells[3]  # pydantic's message lists the allowed actions
        assert texts(page, "#active-revision") == [revision]  # the last good one keeps serving
    finally:
        (small_rules / "broken.yaml").unlink()
    wait(page, lambda d: not by_css(d, "#refused-build"))


def test_pack_examples_are_listed_with_their_outcome(page: Any, server: Server, small_rules: Path) -> None:
    pack = (small_rules / "mini.yaml").read_text(encoding="utf-8")
    examples = 'examples:\n  - fields: {nickname: 國務院}\n    expect: [official_impersonation]\n' \
               '  - fields: {nickname: 张三}\n    expect: pass\n    note: an ordinary name\n...\n'
    (small_rules / "mini.yaml").write_text(pack.removesuffix("...\n") + examples, encoding="utf-8")
    try:
        page.get(f"{server.url}/console/#tab=packs")
        wait(page, lambda d: "2 / 2" in texts(d, "tr.pack-row[data-pack=mini] td.ok"))
        page.execute_script("document.querySelector('tr.pack-row[data-pack=mini] button.link').click()")
        wait(page, lambda d: texts(d, ".pack-detail table.examples tbody tr.ok td:nth-child(2)") == ["國務院", "张三"])
    finally:
        (small_rules / "mini.yaml").write_text(pack, encoding="utf-8")


def test_activity_charts_decisions_read_from_metrics(page: Any, server: Server) -> None:
    page.get(f"{server.url}/console/?metrics_ms=500#tab=activity")
    samples = "return Number(document.getElementById('activity-status').dataset.samples || 0)"
    wait(page, lambda d: d.execute_script(samples) >= 1)  # the first sample is taken
    for _ in range(3):
        r = httpx.post(f"{server.url}/validate", content=json.dumps({"fields": {"nickname": "外交部"}}),
                       headers={"content-type": "application/json"})
        assert r.json()["decision"] == "reject"
    # the reject bar of the decisions chart counts the three decisions made since the first sample
    wait(page, lambda d: "3" in texts(d, "#decision-chart text"))
    assert texts(page, "#decision-chart rect.bar-reject")
    assert texts(page, "#rate-chart polyline.rate")
    assert "official_impersonation" in texts(page, "#category-chart text")


def test_english_is_available(page: Any, server: Server) -> None:
    check_profile(page, server, nickname="國務院")
    page.find_element("id", "lang").click()
    assert page.find_element("css selector", "[data-tab=packs]").text == "Rule packs"
    assert by_css(page, "#field-nickname dd.method")[0].text == "traditional"
    page.find_element("id", "lang").click()  # back to Chinese for the other tests (kept in localStorage)
    assert page.find_element("css selector", "[data-tab=packs]").text == "规则包"


def test_token_mode_needs_the_admin_token_for_data_and_reload(driver: Any, tmp_path: Path) -> None:
    """ACCTCHECK_CONSOLE=token: the page loads, shows no data and performs no reload until the operator types
    the admin token; then both work. (401s the page provokes on purpose are logged by the browser.)"""
    from tests.conftest import write_small_rules

    token = "console-browser-token"
    env = {"ACCTCHECK_CONSOLE": "token", "ACCTCHECK_ADMIN_TOKEN": token}
    with Server(write_small_rules(tmp_path / "rules"), env=env) as srv:
        driver.get(f"{srv.url}/console/#tab=packs")
        wait(driver, lambda d: "管理令牌" in texts(d, "#notice")[0] and d.find_element("id", "notice").is_displayed())
        assert texts(driver, "tr.pack-row") == []
        driver.find_element("id", "reload").click()
        wait(driver, lambda d: texts(d, "#reload-result") == ["需要填写管理令牌。"])
        box = driver.find_element("id", "token")
        box.send_keys(token)
        driver.find_element("id", "reload").click()
        wait(driver, lambda d: texts(d, "#reload-result")[0].startswith("已重新加载"))
        wait(driver, lambda d: texts(d, "tr.pack-row[data-pack=mini] td:nth-child(2)") == ["1"])
        assert not driver.find_element("id", "notice").is_displayed()
        driver.execute_script("sessionStorage.clear()")
