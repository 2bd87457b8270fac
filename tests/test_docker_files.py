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


def test_build_context_and_pinned_install() -> None:
    """The context holds only what the Dockerfile copies (not .venv and .git), and the image installs the
    versions constraints.txt pins, with the rules the wheel build reads through src/acctcheck/rules."""
    ignore = [line.strip() for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")]
    assert ignore[0] == "*"
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    copied = {part.rstrip("/") for line in text.splitlines() if line.startswith("COPY ") and "--from" not in line
              for part in line.split()[1:-1]}
    assert copied <= allowed and {".venv", ".git"}.isdisjoint(allowed)
    assert "--constraint constraints.txt" in text and "COPY rules ./rules" in text
    assert "/app/rules" not in text  # the image serves /rules
    assert (ROOT / "src" / "acctcheck" / "rules").resolve() == (ROOT / "rules").resolve()
