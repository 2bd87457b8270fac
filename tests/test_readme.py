"""The README's examples run as written: every tour command against a live server (the README's
localhost:8000 pointed at this test's server) answers what the README shows, ids and revisions aside; every
command-line example runs from a checkout and exits as documented. A stale README fails here: regenerate the
tour with `make readme` (tools/readme_tour.py)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import RULES, Server

pytestmark = pytest.mark.slow  # `make test-fast` leaves it out: see the `slow` marker in pyproject.toml

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
_spec = importlib.util.spec_from_file_location("readme_tour", ROOT / "tools" / "readme_tour.py")
assert _spec is not None and _spec.loader is not None
tour = sys.modules["readme_tour"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tour)


@pytest.fixture(scope="module")
def service(bundled_artifact: Callable[[], None]) -> Iterator[Server]:
    """The README's service; it and the command-line examples load the session's stored build of rules/
    (tests/conftest.py) instead of each compiling it."""
    bundled_artifact()
    srv = Server(RULES, env={"ACCTCHECK_ADMIN_TOKEN": "s3cret", "ACCTCHECK_WATCH": "false"})
    try:
        srv.wait_ready(timeout=120)
        yield srv
    finally:
        srv.stop()


def test_readme_opens_with_the_two_commands() -> None:
    first_block = README.split("```")[1]
    assert [line.split()[:2] for line in first_block.strip().splitlines()] == [["make", "serve"], ["make", "test"]]


def test_every_tour_command_answers_what_the_readme_shows(service: Server) -> None:
    steps = tour.tour_steps(README)
    assert len(steps) >= 10 and all("localhost:8000" in s.command for s in steps)
    address = f"127.0.0.1:{service.port}"
    for step in steps:
        assert step.shown.strip(), f"no output shown for `{step.command}`: run make readme"
        diffs = tour.compare(step.shown, tour.run(step.command, address))
        assert not diffs, f"README is stale for `{step.command}` (run make readme):\n" + "\n".join(diffs)


def test_the_admin_example_says_how_to_enable_it() -> None:
    start, end = tour.tour_bounds(README)
    section = README[start:end]
    admin = section.index("/admin/reload")
    assert "ACCTCHECK_ADMIN_TOKEN=s3cret make serve" in section[max(0, admin - 400):admin]


def test_the_comparison_catches_a_stale_answer() -> None:
    shown = '{"decision":"reject","findings":[{"category":"a"}],"decision_id":"x","rules_revision":"r1"}'
    assert tour.compare(shown, shown.replace('"x"', '"y"').replace("r1", "r2")) == []
    assert tour.compare(shown, shown.replace("reject", "review"))
    assert tour.compare(shown, shown.replace('{"category":"a"}', '{"category":"a"},{"category":"b"}'))
    assert tour.compare(shown, shown.replace('"decision_id":"x",', ""))  # a key gone is a difference


def cli_commands() -> list[str]:
    block = README[README.index("<!-- cli:begin -->"):README.index("<!-- cli:end -->")]
    return [line[2:] for line in block.splitlines() if line.startswith("$ ")]


def test_every_command_line_example_runs_as_written(service: Server, bundled_rules: Path, tmp_path: Path) -> None:
    for name in ("rules", "tests", "examples"):  # a checkout's layout, with the outputs kept out of it
        (tmp_path / name).symlink_to(ROOT / name)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    commands = cli_commands()
    assert commands[0] == ". .venv/bin/activate" and len(commands) >= 7
    for command in commands[1:]:
        runnable = re.sub(r"(localhost|127\.0\.0\.1):8000", f"127.0.0.1:{service.port}", command.split("  #")[0])
        r = subprocess.run(["bash", "-c", runnable], cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=300)
        quiet = r.stderr if not command.startswith("acctcheck scan") else ""  # scan's progress meter is stderr
        assert quiet == "" and "Traceback" not in r.stderr, f"`{command}`: {r.stderr}"
        if command.startswith("acctcheck check"):  # exit 0 pass, 1 review or reject (as the README says)
            verdict = json.loads(r.stdout)
            assert r.returncode == (0 if verdict["decision"] == "pass" else 1), command
        else:
            assert r.returncode == 0, f"`{command}` exited {r.returncode}: {r.stdout[-500:]}"
    assert (tmp_path / "verdicts.jsonl").read_text(encoding="utf-8").count("\n") == 10
