"""The `acctcheck` command as a user meets it: one-line errors with exit 2 instead of tracebacks, the API's field
limits, `check --ip`, a quiet broken pipe, text logs that keep their fields, and a service started without any
rules saying so."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Server

ENV = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}


def acctcheck(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "acctcheck", *args], env={**ENV, **(env or {})},
                          capture_output=True, text=True, timeout=120)


def one_line_error(r: subprocess.CompletedProcess[str], command: str, text: str) -> None:
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert r.stdout == "" and "Traceback" not in r.stderr
    assert r.stderr.count("\n") == 1 and r.stderr.startswith(f"acctcheck {command}: "), r.stderr
    assert text in r.stderr, r.stderr


@pytest.mark.parametrize(("verified", "text"), [
    ("{bad", "--verified is not JSON"),
    ('{"institution": {"name": "外交部", "kind": "ministry"}}', "verified.institution.kind: Input should be"),
    ('{"institution": {"name": "外交部"}}', "verified.institution.kind: Field required"),
    ('["physician"]', "verified: Input should be a valid dictionary"),
])
def test_check_bad_verified_is_one_line(small_rules: Path, verified: str, text: str) -> None:
    one_line_error(acctcheck("check", "--nickname", "小明", "--verified", verified, "--rules", str(small_rules)),
                   "check", text)


@pytest.mark.slow
def test_check_applies_the_service_field_limits(small_rules: Path) -> None:
    one_line_error(acctcheck("check", "--nickname", "长" * 513, "--rules", str(small_rules)),
                   "check", "fields.nickname is longer than 512 characters")
    # the same setting as the service's
    r = acctcheck("check", "--nickname", "小明", "--bio", "一二三四五", "--rules", str(small_rules),
                  env={"ACCTCHECK_MAX_FIELD_CHARS": "4"})
    one_line_error(r, "check", "fields.bio is longer than 4 characters")
    # bytes that are not UTF-8 arrive as lone surrogates: the service could never have been sent them
    lone = b"\xff\xfe".decode("utf-8", "surrogateescape")
    r = subprocess.run([sys.executable, "-m", "acctcheck", "check", "--nickname", lone,
                        "--rules", str(small_rules)], env=ENV, capture_output=True, timeout=120)
    assert r.returncode == 2 and b"fields.nickname contains an unpaired surrogate" in r.stderr


@pytest.mark.slow
def test_check_ip_and_exit_codes(small_rules: Path) -> None:
    r = acctcheck("check", "--nickname", "小明", "--ip", "202.96.128.86", "--rules", str(small_rules))
    assert r.returncode == 0, r.stderr
    verdict = json.loads(r.stdout)
    assert verdict["decision"] == "pass" and verdict["ip_region"]["label"] == "广东"
    assert acctcheck("check", "--nickname", "中央小李", "--rules", str(small_rules)).returncode == 1  # review
    assert acctcheck("check", "--nickname", "外交部", "--rules", str(small_rules)).returncode == 1  # reject
    one_line_error(acctcheck("check", "--nickname", "小明", "--ip", "1.2.3", "--rules", str(small_rules)),
                   "check", "--ip: invalid IP address")


@pytest.mark.slow
def test_no_rules_is_one_line(tmp_path: Path) -> None:
    one_line_error(acctcheck("check", "--nickname", "小明", "--rules", str(tmp_path / "none")),
                   "check", "no rules: ")
    (tmp_path / "empty").mkdir()
    one_line_error(acctcheck("check", "--nickname", "小明", "--rules", str(tmp_path / "empty")),
                   "check", "no rules: policy.yaml: missing")  # the first of its problems; lint lists all
    one_line_error(acctcheck("eval", str(tmp_path / "cases.yaml"), "--rules", str(tmp_path / "empty")),
                   "eval", "cannot read")
    one_line_error(acctcheck("lint"), "lint", "give a rules directory")
    one_line_error(acctcheck("reload", "--url", "http://127.0.0.1:9", "--token", "t"), "reload", "127.0.0.1:9")


def test_broken_pipe_is_quiet(small_rules: Path) -> None:
    """`acctcheck check … | head -c0`: the reader has gone before the verdict is written."""
    with subprocess.Popen([sys.executable, "-m", "acctcheck", "check", "--nickname", "外交部", "--explain",
                           "--rules", str(small_rules)],
                          env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        err = proc.stderr.read()
        assert proc.wait(120) == 141 and err == b""


def test_text_log_format_keeps_the_fields(capfd: pytest.CaptureFixture[str]) -> None:
    """`--log-format text` wires TextFormatter; its lines keep the record's fields (the reload's revision and
    errors, the decision line's decision), on the ordinary path and on the decision log's fast path."""
    from acctcheck.logging_setup import BufferedStderrHandler, TextFormatter, log_config, log_safe
    from acctcheck.reload import ReloadResult
    from acctcheck.watch import report

    assert log_config("info", "text")["formatters"]["main"] == {"()": "acctcheck.logging_setup.TextFormatter"}
    handler = BufferedStderrHandler()
    handler.setFormatter(TextFormatter())
    loggers = [logging.getLogger("acctcheck.reload"), logging.getLogger("acctcheck.decision")]
    saved = [(lg.handlers[:], lg.level, lg.propagate) for lg in loggers]
    for lg in loggers:  # only this handler, for this test; the process's logging is restored below
        lg.handlers, lg.propagate = [handler], False
        lg.setLevel(logging.INFO)
    try:
        report(ReloadResult(False, False, "sha256:0123456789abcdef",
                            [{"file": "tiny.yaml", "rule": "r1", "field": "terms", "message": "bad term"}]), "watch")
        log_safe(loggers[1], "decision", {"decision_id": "abc", "decision": "reject",
                                          "categories": ["official_impersonation"],
                                          "rules_revision": "sha256:0123456789abcdef"})
        handler.flush()
    finally:
        for lg, (handlers, level, propagate) in zip(loggers, saved, strict=True):
            lg.handlers, lg.propagate = handlers, propagate
            lg.setLevel(level)
        handler.close()
    refused, decision = capfd.readouterr().err.splitlines()[-2:]
    assert "WARNING acctcheck.reload rules refused; previous revision keeps serving" in refused
    assert "revision=sha256:0123456789abcdef" in refused and "trigger=watch" in refused
    assert '"file":"tiny.yaml"' in refused and '"message":"bad term"' in refused
    assert " decision decision_id=abc decision=reject " in decision and not decision.startswith("{")


@pytest.mark.slow
def test_service_without_rules_says_so(tmp_path: Path) -> None:
    srv = Server(tmp_path / "no-such-dir", env={"ACCTCHECK_WATCH": "false"}, log_level="info")
    try:
        srv.wait_ready(60, status=503)  # up, and not ready: the line is written during start-up
        line = next(json.loads(x) for x in srv.stderr_tail(20_000).splitlines() if "rules_refused" in x)
        assert line["level"] == "error" and line["msg"].startswith("no rules active, not ready: ")
        assert "rules directory not found" in line["msg"] and "previous revision" not in line["msg"]
    finally:
        srv.stop()


def test_serve_refuses_an_unknown_worker_start(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """ACCTCHECK_WORKER_START is fork (the default) or spawn; anything else is a usage error, not a silent default."""
    from acctcheck.cli import main

    monkeypatch.setenv("ACCTCHECK_WORKER_START", "frk")
    assert main(["serve", "--workers", "2", "--port", "1"]) == 2
    assert "ACCTCHECK_WORKER_START must be fork or spawn" in capsys.readouterr().err
