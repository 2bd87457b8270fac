"""Operator faults on a real `acctcheck serve` process: the rules directory vanishing or unreadable, a pack
truncated mid-write, the IP database overwritten with garbage. The service keeps answering /validate from the
last good state, /readyz stays 200 (docs/operations.md), and /status names the problem. Then SIGTERM under
load: every accepted request completes, and the process exits within the graceful timeout."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from acctcheck.geo.resolver import embedded_path
from tests.conftest import SMALL_PACK, Server, write_small_rules
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow  # `make test-fast` leaves it out: see the `slow` marker in pyproject.toml

POLL_S = 0.3
OTHER_PACK = SMALL_PACK.replace("name: mini", "name: other").replace("外交部, 国务院", "马甲大王").replace(
    "terms: [中央]", "terms: [影子部门]")


class Faulty:
    """A served rules directory with two packs and a private copy of a City MMDB as the main IP database."""

    def __init__(self, root: Path) -> None:
        self.rules = write_small_rules(root / "rules")
        (self.rules / "other.yaml").write_text(OTHER_PACK, encoding="utf-8")
        self.mmdb = root / "main-city.mmdb"
        shutil.copyfile(embedded_path(), self.mmdb)
        self.srv = Server(self.rules, env={"ACCTCHECK_RELOAD_POLL_S": str(POLL_S), "ACCTCHECK_RELOAD_DEBOUNCE_MS": "50",
                                           "ACCTCHECK_GEOIP_MAIN_DB": str(self.mmdb)})
        self.srv.wait_ready()
        self.revision = self.status()["active"]["revision"]

    def status(self) -> dict:
        return httpx.get(self.srv.url + "/status", timeout=5).json()

    def validate(self, nickname: str, ip: str | None = None) -> dict:
        body: dict = {"fields": {"nickname": nickname}}
        if ip:
            body["ip"] = ip
        r = httpx.post(self.srv.url + "/validate", json=body, timeout=10)
        assert r.status_code == 200, r.text
        return r.json()

    def assert_serving_last_good(self) -> None:
        """/validate answers from the last good revision, with both packs; /readyz stays 200."""
        v = self.validate("外交部")
        assert v["decision"] == "reject" and v["rules_revision"] == self.revision
        assert self.validate("马甲大王")["decision"] == "reject"
        assert self.validate("小明")["decision"] == "pass"
        ready = httpx.get(self.srv.url + "/readyz", timeout=5)
        assert ready.status_code == 200 and ready.json()["revision"] == self.revision

    def refused(self) -> list[dict]:
        wait_until(lambda: bool(self.status()["last_error"]), "/status to report the refused reload")
        st = self.status()
        assert st["active"]["revision"] == self.revision and st["reloads"]["failed"] >= 1
        return st["last_error"]

    def recovered(self) -> None:
        wait_until(lambda: self.status()["last_error"] is None, "/status to clear last_error")
        assert self.status()["active"]["revision"] == self.revision  # same content, same revision
        self.assert_serving_last_good()


@pytest.fixture()
def faulty(tmp_path: Path) -> Iterator[Faulty]:
    f = Faulty(tmp_path)
    try:
        yield f
    finally:
        f.srv.stop()


def test_rules_directory_vanishes_and_returns(faulty: Faulty) -> None:
    away = faulty.rules.with_name("rules.away")
    faulty.rules.rename(away)
    errors = faulty.refused()
    assert any("not found" in e["message"] or "no rule packs" in e["message"] for e in errors), errors
    faulty.assert_serving_last_good()
    away.rename(faulty.rules)
    faulty.recovered()


def test_rules_directory_replaced_by_a_file(faulty: Faulty) -> None:
    away = faulty.rules.with_name("rules.away")
    faulty.rules.rename(away)
    faulty.rules.write_text("not a directory", encoding="utf-8")
    faulty.refused()
    faulty.assert_serving_last_good()
    faulty.rules.unlink()
    away.rename(faulty.rules)
    faulty.recovered()


def test_pack_truncated_mid_write_then_completed(faulty: Faulty) -> None:
    """A writer that rewrites a pack in place: the half-written file is refused (keep last good), the completed
    one is activated."""
    pack = faulty.rules / "mini.yaml"
    full = SMALL_PACK.replace('version: "1"', 'version: "2"').encode()
    cut = full.index(b"terms: [\xe5\xa4\x96") + 12  # inside the flow list: `terms: [外交…`
    with pack.open("wb") as fh:
        fh.write(full[:cut])
        fh.flush()
        os.fsync(fh.fileno())
        errors = faulty.refused()
        assert any(e["file"] == "mini.yaml" for e in errors), errors
        faulty.assert_serving_last_good()
        fh.write(full[cut:])
    wait_until(lambda: faulty.status()["active"]["revision"] != faulty.revision, "the completed pack to activate")
    st = faulty.status()
    assert st["last_error"] is None and {p["version"] for p in st["active"]["packs"] if p["name"] == "mini"} == {"2"}
    assert faulty.validate("外交部")["decision"] == "reject"


def test_policy_deleted_is_refused_and_named_on_status(faulty: Faulty) -> None:
    """Deleting policy.yaml must not switch the service to built-in defaults: refused, /status says why."""
    policy = (faulty.rules / "policy.yaml").read_bytes()
    (faulty.rules / "policy.yaml").unlink()
    errors = faulty.refused()
    assert any(e["file"] == "policy.yaml" and "missing" in e["message"] for e in errors), errors
    faulty.assert_serving_last_good()
    (faulty.rules / "policy.yaml").write_bytes(policy)
    faulty.recovered()


def test_pack_truncated_to_nothing(faulty: Faulty) -> None:
    (faulty.rules / "mini.yaml").write_bytes(b"")
    errors = faulty.refused()
    assert any(e["file"] == "mini.yaml" and "empty" in e["message"] for e in errors), errors
    faulty.assert_serving_last_good()


@pytest.mark.parametrize("how", ["directory", "dangling symlink"])
def test_unreadable_pack_keeps_last_good(faulty: Faulty, how: str) -> None:
    """Tests run as root, so chmod 000 would not stop reads: make the pack unreadable another way."""
    pack = faulty.rules / "mini.yaml"
    pack.unlink()
    if how == "directory":
        pack.mkdir()
    else:
        pack.symlink_to(faulty.rules / "gone" / "mini.yaml")
    faulty.refused()  # waits for the poll (or the watch) to have tried the unreadable pack
    faulty.assert_serving_last_good()  # 外交部 comes from the pack that became unreadable


def test_ip_database_replaced_by_garbage(faulty: Faulty) -> None:
    before = faulty.validate("小明", ip="202.96.128.86")["ip_region"]
    assert before["label"] == "广东"
    assert faulty.status()["ip_databases"]["ok"] is True
    with faulty.mmdb.open("r+b") as fh:  # overwritten in place, as a careless `cp` or a failed download would
        fh.write(os.urandom(faulty.mmdb.stat().st_size))
    wait_until(lambda: faulty.status()["ip_databases"]["last_error"] is not None, "/status to report the IP database")
    geo = faulty.status()["ip_databases"]
    assert geo["ok"] is False and str(faulty.mmdb) in geo["last_error"]
    assert geo["layers"]["main"]["loaded"] is True  # the last good copy still serves
    assert faulty.validate("小明", ip="202.96.128.86")["ip_region"] == before
    r = httpx.get(faulty.srv.url + "/ip-region", params={"ip": "202.96.128.86"}, timeout=5)
    assert r.status_code == 200 and r.json()["label"] == "广东"
    faulty.assert_serving_last_good()
    shutil.copyfile(embedded_path(), faulty.mmdb)
    wait_until(lambda: faulty.status()["ip_databases"]["ok"] is True, "the IP database to recover")
    # then truncated to nothing: reported again (from a clean status, so the report is this one's), still serving
    faulty.mmdb.write_bytes(b"")
    wait_until(lambda: faulty.status()["ip_databases"]["last_error"] is not None,
               "/status to report the truncated IP database")
    assert faulty.status()["ip_databases"]["layers"]["main"]["loaded"] is True
    assert faulty.validate("小明", ip="8.8.8.8")["ip_region"]["label"] == "美国"
    shutil.copyfile(embedded_path(), faulty.mmdb)
    wait_until(lambda: faulty.status()["ip_databases"]["ok"] is True, "the IP database to recover")


def test_ip_database_vanishes(faulty: Faulty) -> None:
    faulty.mmdb.unlink()
    wait_until(lambda: faulty.status()["ip_databases"]["last_error"] is not None, "/status to report the IP database")
    assert faulty.validate("小明", ip="202.96.128.86")["ip_region"]["label"] == "广东"


# ------------------------------------------------------------------------------------------- SIGTERM


GRACEFUL_S = 20  # `acctcheck serve --graceful-timeout` default
BATCH = {"items": [{"fields": {"nickname": f"外交部{i}号", "bio": "国务院 中央 " * 20}} for i in range(150)]}


def test_sigterm_drains_in_flight_requests(tmp_path: Path) -> None:
    """8 threads send batches (each takes tens of ms on the server) on fresh connections; SIGTERM mid-load.
    Every response is a complete 200 — nothing is cut mid-response — and some requests in flight at the signal
    complete after it. Not accepted, and acceptable: a refused connection after the signal, and a connection
    closed before any response byte (uvicorn closes connections whose request head had not been read yet:
    the application never saw those requests; see docs/operations.md)."""
    srv = Server(write_small_rules(tmp_path / "rules"), env={"ACCTCHECK_WATCH": "false"})
    srv.wait_ready()
    stop = threading.Event()
    sigterm_at: list[float] = []
    outcomes: Counter[str] = Counter()
    bad: list[str] = []
    lock = threading.Lock()

    def client() -> None:
        with httpx.Client(timeout=GRACEFUL_S + 10, headers={"Connection": "close"}) as c:
            while not stop.is_set():
                sent = time.monotonic()
                got_head = False
                try:
                    with c.stream("POST", srv.url + "/validate/batch", json=BATCH) as r:
                        got_head = True
                        body = r.read()
                    ok = r.status_code == 200 and body.endswith(b"]}") and body.count(b'"decision"') == 150
                    kind = "complete" if ok else f"bad:{r.status_code}"
                except httpx.ConnectError:
                    kind = "refused"
                except httpx.HTTPError as exc:
                    kind = "cut_mid_response" if got_head else f"closed_before_response:{type(exc).__name__}"
                with lock:
                    outcomes[kind.split(":")[0]] += 1
                    before_signal = not sigterm_at or sent < sigterm_at[0]
                    if kind == "complete" and sigterm_at and sent < sigterm_at[0]:
                        outcomes["drained"] += 1  # in flight when the signal came, and completed
                    if kind.startswith(("bad", "cut")) or (kind == "refused" and before_signal):
                        bad.append(f"{kind} (sent {'before' if before_signal else 'after'} SIGTERM)")
                if kind in ("refused",) or kind.startswith("closed"):
                    return

    threads = [threading.Thread(target=client, daemon=True) for _ in range(8)]
    for t in threads:
        t.start()
    try:
        wait_until(lambda: outcomes["complete"] >= 16, "load to build up", 60)
        with lock:
            sigterm_at.append(time.monotonic())
        srv.proc.send_signal(signal.SIGTERM)
        code = srv.proc.wait(timeout=GRACEFUL_S + 5)
        exited_after = time.monotonic() - sigterm_at[0]
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=GRACEFUL_S + 15)
        srv.stop()  # already exited: only keeps its log and closes the file
    assert not bad, (bad, dict(outcomes))
    assert outcomes["cut_mid_response"] == 0
    assert outcomes["drained"] >= 1, dict(outcomes)  # the signal did land mid-load
    assert outcomes["complete"] >= 16, dict(outcomes)
    print(f"SIGTERM drain: {dict(outcomes)}, exited {exited_after:.2f} s after the signal")
    # uvicorn re-raises the captured SIGTERM once it has shut down cleanly, so the status is "killed by SIGTERM"
    assert code in (0, -signal.SIGTERM), srv.stderr_tail()
    log = srv.stderr_tail(10**7)
    assert "Traceback" not in log, log[-2000:]
    # drained, not cut off: uvicorn logs this when the graceful timeout ran out with requests still in flight
    assert "timeout graceful shutdown exceeded" not in log, log[-2000:]
