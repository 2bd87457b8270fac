"""Shared fixtures and the one way tests start the service: the bundled rules snapshot (built once), a small
rules directory, `free_port`, and real uvicorn servers on loopback — `Server` (an `acctcheck serve`
subprocess, for workers, signals and logs) or `ThreadServer` (the app in a thread of the test process, for
settings chosen per test and access to the app object). Tests never start uvicorn any other way.

Compiled artifacts (the packs' snapshots, parsed YAML, the pinyin table) go to a directory of this session's
own (ACCTCHECK_ARTIFACT_DIR, set by pytest_configure), shared by the test process and every server and command
it starts: the `snapshot` fixture's build of the bundled packs is stored there (`bundled_artifact`,
`bundled_rules`), so servers and `acctcheck check`/`eval`/`scan` over rules/ load it instead of compiling it
again (~20 s each on a 2-core machine), and the suite neither depends on nor evicts what ~/.cache/acctcheck
holds for other checkouts."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
import uvicorn

from tests.support.processes import free_port, worker_pids

if TYPE_CHECKING:
    from acctcheck.packs.snapshot import Snapshot
    from acctcheck.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"
SRC = ROOT / "src"
# the environment of an `acctcheck` subprocess: this checkout's sources first, whatever is installed
SRC_ENV = {**os.environ, "PYTHONPATH": str(SRC)}

# Two rules with known verdicts: 外交部/国务院 reject, 中央 review. Builds in milliseconds, unlike RULES.
SMALL_PACK = """\
schema_version: 1
name: mini
version: "1"
description: small test pack
rules:
  - id: organ
    kind: terms
    category: official_impersonation
    article: 第八条第（二）项
    action: reject
    message: 仿冒：{matched}
    terms: [外交部, 国务院]
  - id: strict
    kind: terms
    category: strict_term
    article: 第十条第二款
    action: review
    message: 从严核验：{matched}
    terms: [中央]
...
"""
# The decision policy is a required file: with only `schema_version` it states the built-in defaults.
MINI_POLICY = "schema_version: 1\n...\n"


def write_small_rules(root: Path) -> Path:
    """Write SMALL_PACK as the only pack of root (created if missing), with a default policy, and return root."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "policy.yaml").write_text(MINI_POLICY, encoding="utf-8")
    (root / "mini.yaml").write_text(SMALL_PACK, encoding="utf-8")
    return root


class Server:
    """`acctcheck serve` in a subprocess on a free loopback port. `rules=None` serves the default (bundled) rules;
    `command` replaces `python -m acctcheck` (e.g. the `acctcheck` script of another virtualenv)."""

    def __init__(self, rules: Path | None, env: dict[str, str] | None = None, workers: int = 1,
                 log_level: str = "warning", command: list[str] | None = None, cwd: Path | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # stderr goes to a file: a pipe nobody reads would block a server that logs more than 64 KiB
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [*(command or [sys.executable, "-m", "acctcheck"]), "serve", "--port", str(self.port),
             *(["--rules", str(rules)] if rules is not None else []),
             "--workers", str(workers), "--log-level", log_level],
            env={**os.environ, **(env or {})},
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )

    def stderr_tail(self, n: int = 2000) -> str:
        if self.log.closed:  # stopped: what it wrote was kept
            return self._final_log[-n:]
        # pread, not seek and read: the server's processes write through this same open file description, so
        # moving its offset to 0 to read would send a worker's next line over the start of the log
        fd = self.log.fileno()
        return os.pread(fd, os.fstat(fd).st_size, 0).decode(errors="replace")[-n:]

    def wait_ready(self, timeout: float = 90.0, status: int = 200) -> httpx.Response:
        """Poll /readyz (the process coming up: no clock to inject) until it answers `status` (90 s: a cold snapshot
        build takes 22 s on a 2-core machine and more under load; a process that exits fails at once); 503 waits for a
        server that is up but has no rules. Fails when the process exits or `timeout` passes first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.stderr_tail()}")
            try:
                r = httpx.get(f"{self.url}/readyz", timeout=1)
                if r.status_code == status:
                    return r
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"server did not answer /readyz {status}: {self.stderr_tail()}")

    def __enter__(self) -> Server:
        """`with Server(...) as srv:` waits until it is ready and stops it afterwards (also if it never was)."""
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def worker_pids(self) -> set[int]:
        """uvicorn's worker processes (with --workers N)."""
        return worker_pids(self.proc.pid)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 15 s (and to the workers too, so none outlives the test)."""
        workers = self.worker_pids() if self.proc.poll() is None else set()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            for pid in workers:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        if not self.log.closed:  # keep the log readable (stderr_tail) and close the file (no ResourceWarning)
            self._final_log = self.stderr_tail(sys.maxsize)
            self.log.close()


class ThreadServer:
    """uvicorn serving the real app in a thread of the test process (settings chosen per test; `app` is the
    application object, for tests that look at its state)."""

    def __init__(self, settings: Settings, port: int | None = None) -> None:
        from acctcheck.service import create_app

        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = create_app(settings)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ThreadServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(15)


ARTIFACTS = pytest.StashKey[Path]()


def pytest_configure(config: pytest.Config) -> None:
    """The session's artifact directory, in the environment before any test module is imported (some keep a copy
    of it for their subprocesses) and in SRC_ENV. Here, not at import: benches and tools import this module for
    `Server` and keep their own ACCTCHECK_ARTIFACT_DIR."""
    path = Path(tempfile.mkdtemp(prefix="acctcheck-test-artifacts-"))
    config.stash[ARTIFACTS] = path
    os.environ["ACCTCHECK_ARTIFACT_DIR"] = SRC_ENV["ACCTCHECK_ARTIFACT_DIR"] = str(path)


def pytest_unconfigure(config: pytest.Config) -> None:
    if ARTIFACTS in config.stash:
        shutil.rmtree(config.stash[ARTIFACTS], ignore_errors=True)


def store_artifact(root: Path, snapshot: Snapshot) -> None:
    """Store `snapshot` (built in this process from `root`, examples run) as the artifact a server or command
    over the same contents loads, as a service's start would store it (the key does not depend on the path)."""
    from acctcheck.artifact.snapshot_store import artifact_path, snapshot_key, write_artifact
    from acctcheck.packs.files import read_tree
    from acctcheck.packs.loader import load_files
    from acctcheck.registry.artifact import default_cache_dir

    key = snapshot_key(load_files(read_tree(root), frozenset()))
    if not artifact_path(default_cache_dir(), key).is_file():
        write_artifact(snapshot, default_cache_dir(), key)


@pytest.fixture(scope="session")
def snapshot() -> Snapshot:
    """The bundled packs built in this process (the reference every artifact is compared with)."""
    from acctcheck.ruleset import build_snapshot

    return build_snapshot(RULES)


@pytest.fixture(scope="session")
def bundled_artifact(snapshot: Snapshot) -> Callable[[], None]:
    """Call it right before starting a server or a command over rules/: the `snapshot` fixture's build is then
    stored in the session's artifact directory, for it to load instead of compiling the bundled packs again.
    Stored again when other tests' artifacts have pushed it out (the newest 4 are kept)."""
    return lambda: store_artifact(RULES, snapshot)


@pytest.fixture
def bundled_rules(bundled_artifact: Callable[[], None]) -> Path:
    """rules/, with the session's build of it stored for the servers and commands this test starts."""
    bundled_artifact()
    return RULES


@pytest.fixture(scope="session")
def server(bundled_artifact: Callable[[], None]) -> Iterator[Server]:
    """`acctcheck serve` over the bundled rules for the whole session; it loads the `snapshot` fixture's build."""
    bundled_artifact()
    with Server(RULES) as srv:
        yield srv


@pytest.fixture(scope="module")
def small_rules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_small_rules(tmp_path_factory.mktemp("rules"))
