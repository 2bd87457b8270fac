"""The wheel, not the checkout: `uv build` makes an sdist and a wheel from it; the wheel, installed with the
pinned dependencies into a fresh virtualenv, serves and checks from a directory outside the repository with no
flags at all (the bundled rules and the embedded IP database are package data)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, RULES, Server

pytestmark = pytest.mark.slow  # `make test-fast` leaves it out: see the `slow` marker in pyproject.toml

UV = Path(sys.executable).parent / "uv"  # the test extra installs uv (also what `make lock` runs)
ENV = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "UV_NO_PROGRESS": "1"}
ENV.pop("PYTHONPATH", None)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    r = subprocess.run([str(UV), "build", "--out-dir", str(out), str(ROOT)], env=ENV, capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    return out


def bundled_files() -> set[str]:
    return {p.relative_to(RULES).as_posix() for p in RULES.rglob("*") if p.is_file() and not p.name.startswith(".")}


def test_sdist_and_wheel_carry_the_rules_and_the_ip_database(dist: Path) -> None:
    (wheel,) = dist.glob("acctcheck-*.whl")
    (sdist,) = dist.glob("acctcheck-*.tar.gz")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"acctcheck/rules/{f}" for f in bundled_files()} <= names
    assert "acctcheck/geo/data/embedded-city.mmdb" in names
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert "License-Expression: Apache-2.0" in metadata
    with tarfile.open(sdist) as tar:
        members = {m.name.split("/", 1)[-1]: m for m in tar.getmembers()}
    # real files, not the checkout's link: the sdist builds a wheel anywhere
    assert all(members[f"src/acctcheck/rules/{f}"].isfile() for f in bundled_files())


def test_installed_wheel_serves_and_checks_with_no_flags(dist: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    (wheel,) = dist.glob("acctcheck-*.whl")
    venv = tmp_path / "venv"
    for cmd in ([str(UV), "venv", "--quiet", "--python", sys.executable, str(venv)],
                [str(UV), "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"),
                 "--constraint", str(ROOT / "constraints.txt"), str(wheel)]):
        r = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stderr[-3000:]
    acctcheck = str(venv / "bin" / "acctcheck")
    elsewhere = tmp_path / "elsewhere"  # no rules/ here, and the checkout is not on the path
    elsewhere.mkdir()
    for name in ("ACCTCHECK_RULES_DIR", "PYTHONPATH"):
        monkeypatch.delenv(name, raising=False)
    # an artifact directory of its own, empty: nothing the checkout compiled is loaded, the wheel compiles its
    # bundled packs itself (the server at its start) and `check` then loads what that stored
    env = {**ENV, "ACCTCHECK_ARTIFACT_DIR": str(tmp_path / "artifacts")}

    srv = Server(None, env={"ACCTCHECK_WATCH": "false", "ACCTCHECK_ARTIFACT_DIR": env["ACCTCHECK_ARTIFACT_DIR"]},
                 command=[acctcheck], cwd=elsewhere)
    try:
        srv.wait_ready(timeout=180)
        v = httpx.post(f"{srv.url}/validate", json={"fields": {"nickname": "国务院"}, "ip": "202.96.128.86"},
                       timeout=30).json()
        assert v["decision"] == "reject" and v["ip_region"]["label"] == "广东"
    finally:
        srv.stop()
    assert list((tmp_path / "artifacts").glob("snapshot-*.pickle"))

    r = subprocess.run([acctcheck, "check", "--nickname", "国务院"], cwd=elsewhere, env=env, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 1, r.stderr
    verdict = json.loads(r.stdout)
    assert verdict["decision"] == "reject" and verdict["findings"][0]["matched"] == "国务院"
    help_text = subprocess.run([acctcheck, "check", "--help"], cwd=elsewhere, env=env, capture_output=True,
                               text=True, timeout=60).stdout
    assert f"{venv}/lib/" in "".join(help_text.split())  # the default rules --help names are the installed ones
