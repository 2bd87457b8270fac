#!/usr/bin/env python3
"""Take the screenshots of docs/console.md with the same headless Chromium the browser tests use.

Starts `acctcheck serve` on a copy of the bundled rules (so a broken pack can be dropped in for the packs page),
checks a profile on the playground, sends a little traffic for the activity page, and writes
docs/console-playground.png, docs/console-explain.png, docs/console-packs.png and docs/console-activity.png.

    .venv/bin/python tools/console_screenshots.py      # needs `make browser`; ~1-2 min (bundled rules build)
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser import browser_missing, chrome, page_errors  # noqa: E402
from tests.conftest import RULES, Server  # noqa: E402

DOCS = ROOT / "docs"
PROFILE = {
    "nickname": "國務院 官方客服",
    "bio": "加 vx: abc_12345 领取补贴",
    "signature": "每天读人民日报",
    "ip": "114.114.114.114",
}
BROKEN_PACK = """\
schema_version: 1
name: local-extra
version: "2026.12.06"
description: an operator's edit with a typo
rules:
  - id: sale-terms
    kind: terms
    category: prohibited_content
    article: 第八条第（一）项
    action: block
    message: "违法信息：{matched}"
    terms: [代开发票]
examples:
  - fields: {nickname: 代开发票}
    expect: [prohibited_content]
"""
TRAFFIC = [{"fields": {"nickname": n}} for n in ("外交部官方", "张三", "国家队球迷", "人民日报评论", "小王",
                                                   "vx abc12345", "李四的小店", "國務院")]


def full_page(driver, path: Path, width: int = 1400) -> None:  # noqa: ANN001 - selenium WebDriver
    driver.set_window_size(width, 600)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(max(height + 150, 600), 4000))  # the window includes the browser frame
    time.sleep(0.3)
    driver.save_screenshot(str(path))
    print(f"wrote {path.relative_to(ROOT)} ({width}x{height})")


def traffic(url: str, stop: threading.Event) -> None:
    i = 0
    with httpx.Client() as client:
        while not stop.is_set():
            client.post(f"{url}/validate", content=json.dumps(TRAFFIC[i % len(TRAFFIC)], ensure_ascii=False).encode(),
                        headers={"content-type": "application/json"})
            i += 1
            stop.wait(0.05 + 0.3 * ((i // 40) % 3))  # a rate that changes, so the chart has a shape


def main() -> int:
    missing = browser_missing()
    if missing:
        print(f"console_screenshots: {missing}", file=sys.stderr)
        return 2
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "rules"
        shutil.copytree(RULES, rules)
        srv = Server(rules, env={"ACCTCHECK_RELOAD_POLL_S": "1"})
        driver = chrome()
        stop = threading.Event()
        try:
            srv.wait_ready(timeout=180)
            driver.get(f"{srv.url}/console/")
            for name, value in PROFILE.items():
                driver.find_element(By.ID, name).send_keys(value)
            driver.find_element(By.ID, "check").click()
            WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.ID, "decision"))
            for details in driver.find_elements(By.CSS_SELECTOR, "details.explain"):
                driver.execute_script("arguments[0].open = false", details)
            full_page(driver, DOCS / "console-playground.png")
            details = driver.find_element(By.CSS_SELECTOR, "#field-nickname details.explain")
            driver.execute_script("arguments[0].open = true", details)
            driver.set_window_size(1400, 1000)
            card = driver.find_element(By.ID, "field-nickname")
            card.screenshot(str(DOCS / "console-explain.png"))
            print("wrote docs/console-explain.png")

            (rules / "local-extra.yaml").write_text(BROKEN_PACK, encoding="utf-8")
            driver.get(f"{srv.url}/console/#tab=packs")
            WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.ID, "refused-build"))
            driver.find_element(By.CSS_SELECTOR, "tr.pack-row[data-pack=official-bodies] button.link").click()
            WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".pack-detail"))
            full_page(driver, DOCS / "console-packs.png")

            driver.get(f"{srv.url}/console/?metrics_ms=1000#tab=activity")
            worker = threading.Thread(target=traffic, args=(srv.url, stop), daemon=True)
            worker.start()
            time.sleep(40)
            full_page(driver, DOCS / "console-activity.png")
            errors = page_errors(driver)
            if errors:
                print(f"page logged: {errors}", file=sys.stderr)
                return 1
        finally:
            stop.set()
            driver.quit()
            srv.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
