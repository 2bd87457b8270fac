"""The layers hold: the import-linter contracts in pyproject.toml ([tool.importlinter]) pass, they catch an
import that breaks them, and the client library and the engine import without any HTTP framework."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(cwd: Path, src: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--config", str(cwd / "pyproject.toml")], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=300, check=False)


def test_layer_contracts_hold() -> None:
    done = lint_imports(ROOT, ROOT / "src")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize(("module", "line", "contract", "shown"), [
    # matching that reads rules: the cycle this issue removed
    ("match/terms.py", "from acctcheck.packs import snapshot as _snapshot", "imports only from the layers below",
     "acctcheck.match.terms -> acctcheck.packs.snapshot"),
    # a check that calls the engine
    ("checks/base.py", "import acctcheck.engine", "imports only from the layers below",
     "acctcheck.checks.base -> acctcheck.engine"),
    # the engine that needs FastAPI
    ("engine.py", "import fastapi", "no HTTP framework", "acctcheck.engine -> fastapi"),
], ids=["match-reads-packs", "check-calls-engine", "engine-imports-fastapi"])
def test_a_broken_contract_fails(tmp_path: Path, module: str, line: str, contract: str, shown: str) -> None:
    """A copy of the package with one offending import, linted with the same contracts."""
    shutil.copytree(ROOT / "src" / "acctcheck", tmp_path / "src" / "acctcheck", symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__", "rules"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "src" / "acctcheck" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    done = lint_imports(tmp_path, tmp_path / "src")
    assert done.returncode != 0, done.stdout
    broken = [ln for ln in done.stdout.splitlines() if "BROKEN" in ln or ln.startswith(" ")]
    assert any(contract in ln for ln in done.stdout.splitlines() if "BROKEN" in ln), done.stdout
    assert shown in done.stdout, (broken, done.stdout)


@pytest.mark.parametrize("modules", ["acctcheck.client", "acctcheck.client_answers",
                                     "acctcheck.ruleset, acctcheck.engine, acctcheck.evaluation"])
def test_imports_without_an_http_framework(modules: str) -> None:
    """Platforms import the client (and bulk jobs the engine) without FastAPI, Starlette or uvicorn installed:
    a fresh interpreter imports them and loads none of those."""
    code = (f"import sys, {modules}\n"
            "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('fastapi', 'starlette', 'uvicorn'))\n"
            "print(loaded)\n"
            "sys.exit(1 if loaded else 0)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
