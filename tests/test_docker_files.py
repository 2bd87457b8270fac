"""No Docker engine runs here: keep the container files honest by reading them."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_compose_service_healthcheck_and_readonly_rules() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    svc = compose["services"]["acctcheck"]
    assert "./rules:/rules:ro" in svc["volumes"]
    assert "/readyz" in " ".join(svc["healthcheck"]["test"])
    assert svc["environment"]["ACCTCHECK_RULES_DIR"] == "/rules"
    geo = compose["services"]["geoipupdate"]
    assert geo["profiles"] == ["geoip"] and "geoip:/usr/share/GeoIP" in geo["volumes"]


def test_dockerfile_is_non_root_and_serves() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "\nUSER acct\n" in text
    assert '"acctcheck", "serve"' in text and "/readyz" in text
    assert "FROM python:3.11-slim" in text
