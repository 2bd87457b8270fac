"""Headless Chromium from the Debian packages (`make browser`), driven by Selenium through the system
chromedriver: shared by the console's browser tests and tools/console_screenshots.py."""

from __future__ import annotations

import shutil
from typing import Any

INSTALL_HINT = "install it with `make browser` (apt-get install chromium chromium-driver, as root)"


def browser_missing() -> str | None:
    """Why no browser can be had here, or None when one can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        return f"no chromium binary on PATH: {INSTALL_HINT}"
    if not shutil.which("chromedriver"):
        return f"no chromedriver on PATH: {INSTALL_HINT}"
    return None


def chrome(width: int = 1400, height: int = 1000) -> Any:
    """A headless Chromium that keeps the page's console log (read with driver.get_log("browser"))."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser") or ""
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--disable-extensions", "--no-first-run", f"--window-size={width},{height}", "--lang=zh-CN"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))


def page_errors(driver: Any) -> list[dict]:
    """Console entries at WARNING or above (errors, CSP violations, failed loads) since the last call."""
    return [e for e in driver.get_log("browser") if e.get("level") in ("SEVERE", "WARNING")]
