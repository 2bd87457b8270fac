"""One /metrics scrape covers every worker of `acctcheck serve --workers 2` (prometheus-client multiprocess mode in
the per-start directory serve makes), against real uvicorn workers on loopback."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from acctcheck.metrics_dir import ENV, PREFIX, remove_stale, worker_metrics_dir
from tests.conftest import Server, write_small_rules
from tests.support.exposition import parse
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow  # `make test-fast` leaves it out: see the `slow` marker in pyproject.toml

VALIDATE = 'acctcheck_requests_total{endpoint="/validate",status="200"}'


def scrape(url: str) -> tuple[dict[str, float], str]:
    text = httpx.get(f"{url}/metrics", headers={"Connection": "close"}, timeout=10).text
    return parse(text), text


def per_worker_counts(directory: Path) -> dict[int, float]:
    """POST /validate 200s in each worker's own counter file."""
    from prometheus_client.multiprocess import MultiProcessCollector

    out: dict[int, float] = {}
    for path in directory.glob("counter_*.db"):
        pid = int(path.stem.rsplit("_", 1)[1])
        for metric in MultiProcessCollector.merge([str(path)]):
            for s in metric.samples:
                if s.name == "acctcheck_requests_total" and s.labels == {"endpoint": "/validate", "status": "200"}:
                    out[pid] = s.value
    return out


@pytest.fixture()
def two_workers(tmp_path: Path):
    parent = tmp_path / "metrics"
    srv = Server(write_small_rules(tmp_path / "rules"), env={"ACCTCHECK_METRICS_DIR": str(parent)}, workers=2)
    try:
        srv.wait_ready()
        wait_until(lambda: scrape(srv.url)[0].get("acctcheck_workers") == 2, "both workers", 30)
        [directory] = parent.glob(f"{PREFIX}{srv.proc.pid}-*")
        yield srv, directory
    finally:
        srv.stop()


def post_on_new_connections(url: str, n: int) -> None:
    """n POST /validate, each on its own connection, 8 at a time: the kernel hands them to both workers."""
    def one(i: int) -> int:
        r = httpx.post(f"{url}/validate", json={"fields": {"nickname": f"用户{i}"}},
                       headers={"Connection": "close"}, timeout=10)
        return r.status_code

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(one, range(n))) == {200}


def test_one_scrape_counts_every_request_of_both_workers(two_workers) -> None:
    srv, directory = two_workers
    sent = 0
    while sent < 2000:
        post_on_new_connections(srv.url, 100)
        sent += 100
        split = per_worker_counts(directory)
        if len(split) == 2 and all(split.values()):
            break
    assert len(split) == 2 and all(split.values()), f"requests did not reach both workers: {split}"
    m, text = scrape(srv.url)
    assert m[VALIDATE] == sent  # exactly: not one worker's share
    assert sum(split.values()) == sent
    assert m['acctcheck_request_seconds_count{endpoint="/validate"}'] == sent
    assert m['acctcheck_decisions_total{decision="pass"}'] == sent
    # per-worker gauges carry the worker's pid; both serve the same revision, each built it once at start
    revisions = re.findall(r'acctcheck_rules_info\{pid="(\d+)",revision="([^"]+)"\} 1\.0', text)
    assert {int(pid) for pid, _ in revisions} == set(split) and len({rev for _, rev in revisions}) == 1
    assert m['acctcheck_reloads_total{result="ok"}'] == 2 and m['acctcheck_reloads_total{result="failed"}'] == 0
    assert m["acctcheck_workers"] == 2


def test_a_rules_change_shows_per_worker_and_a_killed_worker_leaves_the_view(two_workers, tmp_path: Path) -> None:
    srv, directory = two_workers
    post_on_new_connections(srv.url, 20)
    _, text = scrape(srv.url)
    [old] = set(re.findall(r'acctcheck_rules_info\{pid="\d+",revision="([^"]+)"\} 1\.0', text))
    rules = tmp_path / "rules" / "mini.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("[中央]", "[中央, 马甲]"), encoding="utf-8")

    def converged() -> dict[str, str] | None:
        _, text = scrape(srv.url)
        serving = dict(re.findall(r'acctcheck_rules_info\{pid="(\d+)",revision="([^"]+)"\} 1\.0', text))
        return serving if len(serving) == 2 and old not in serving.values() else None

    serving = wait_until(converged, "both workers on the new revision", 30)
    _, text = scrape(srv.url)
    for pid in serving:  # the revision a worker left reads 0 (a multiprocess file keeps its series)
        assert f'acctcheck_rules_info{{pid="{pid}",revision="{old}"}} 0.0' in text

    victim = int(next(iter(serving)))
    os.kill(victim, signal.SIGKILL)  # uvicorn's supervisor starts a replacement; its start drops the dead one's gauges

    def replaced() -> dict[str, float] | None:
        m, text = scrape(srv.url)
        pids = set(re.findall(r'acctcheck_rules_info\{pid="(\d+)"', text))
        return m if m.get("acctcheck_workers") == 2 and str(victim) not in pids and len(pids) == 2 else None

    # uvicorn's supervisor looks every 0.5 s, after pinging the live worker (up to our 30 s health-check
    # timeout), then spawns a fresh interpreter: on a loaded CI machine that has taken over 30 s once
    m = wait_until(replaced, "the killed worker replaced", 90)
    assert m[VALIDATE] == 20  # the dead worker's counts stay in the pod's totals
    assert m['acctcheck_reloads_total{result="ok"}'] >= 3  # two starts, the change in both, the replacement


def test_serve_removes_its_metrics_directory_at_exit(tmp_path: Path) -> None:
    parent = tmp_path / "metrics"
    srv = Server(write_small_rules(tmp_path / "rules"), env={"ACCTCHECK_METRICS_DIR": str(parent)})
    try:
        srv.wait_ready()
        assert len(list(parent.glob(f"{PREFIX}{srv.proc.pid}-*"))) == 1
    finally:
        srv.stop()
    assert srv.proc.returncode in (0, -signal.SIGTERM)
    assert list(parent.iterdir()) == []


def test_a_directory_left_by_a_dead_start_is_removed_and_a_running_ones_kept(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = tmp_path / f"{PREFIX}{int(gone.stdout)}-abc"
    running = tmp_path / f"{PREFIX}{os.getppid()}-def"
    other = tmp_path / "unrelated"
    for d in (dead, running, other):
        d.mkdir()
        (d / "counter_1.db").write_bytes(b"x")
    monkeypatch.delenv(ENV, raising=False)
    with worker_metrics_dir(tmp_path) as mine:
        assert os.environ[ENV] == str(mine) and mine.name.startswith(f"{PREFIX}{os.getpid()}-")
        assert not dead.exists() and running.exists() and other.exists()
    assert ENV not in os.environ and not mine.exists()
    assert remove_stale(tmp_path) == []  # nothing else is stale


def test_an_unwritable_metrics_parent_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    out = subprocess.run([sys.executable, "-m", "acctcheck", "serve", "--port", "1", "--rules",
                          str(write_small_rules(tmp_path / "rules")), "--metrics-dir", str(blocker / "sub")],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "--metrics-dir" in out.stderr and "Traceback" not in out.stderr


def _worker_cmdlines(supervisor: int) -> list[str]:
    children = Path(f"/proc/{supervisor}/task/{supervisor}/children").read_text().split()
    return [Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode() for pid in children]


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc")
@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_workers_are_forked_from_the_loaded_supervisor(tmp_path: Path, start: str) -> None:
    """By default the workers are forked from a supervisor that has imported the app and built the normaliser
    (cli._fork_workers: start → ready on two cores without two interpreters importing everything again);
    ACCTCHECK_WORKER_START=spawn keeps uvicorn's spawned interpreters. Both serve the same answers."""
    srv = Server(write_small_rules(tmp_path / "rules"), env={"ACCTCHECK_WORKER_START": start}, workers=2)
    try:
        srv.wait_ready()
        wait_until(lambda: scrape(srv.url)[0].get("acctcheck_workers") == 2, "both workers", 30)
        cmdlines = [c for c in _worker_cmdlines(srv.proc.pid) if "resource_tracker" not in c]
        assert len(cmdlines) == 2, cmdlines
        spawned = ["spawn_main" in c for c in cmdlines]
        assert spawned == [start == "spawn"] * 2, cmdlines
        post_on_new_connections(srv.url, 16)
        assert scrape(srv.url)[0][VALIDATE] == 16
    finally:
        srv.stop()
    assert srv.proc.returncode in (0, -signal.SIGTERM), srv.stderr_tail()
