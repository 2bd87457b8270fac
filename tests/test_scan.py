"""`acctcheck scan` end to end: a generated file of 10,000+ accounts with malformed lines, worker processes,
resume after a killed run and after a torn output, CSV input, and the same scan through a server (--url)."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from acctcheck.scan import ScanOptions, run_scan
from acctcheck.settings import Settings
from tests.conftest import SRC_ENV, ThreadServer

N = 10_400
NAMES = ["小明", "外交部官方", "中央小李", "阿花", "快乐每一天", "旅行者", "国务院办公", "晴天"]


@pytest.fixture(scope="module")
def accounts(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], dict[int, str]]:
    """The input file, the ids expected in the output (in order), and line number → expected complaint."""
    path = tmp_path_factory.mktemp("in") / "accounts.jsonl"
    ids: list[str] = []
    bad: dict[int, str] = {}
    lines: list[str] = []
    for i in range(N):
        line_no = len(lines) + 1
        rec: dict = {"id": f"u{i}", "fields": {"nickname": f"{NAMES[i % len(NAMES)]}{i % 89}"}}
        if i % 3 == 0:
            rec["fields"]["bio"] = "热爱生活，记录日常"
        if i % 50 == 0:
            rec["ip"] = "202.96.128.86"
        if i % 997 == 5:
            lines.append('{"id": "torn", "fields": {"nick')
            bad[line_no] = "not JSON"
            continue
        if i % 1009 == 7:
            del rec["id"]
            bad[line_no] = 'needs an "id"'
        elif i % 1013 == 9:
            rec["fields"] = {"bio": "没有昵称"}
            bad[line_no] = "invalid request: fields.nickname"
        elif i % 1019 == 11:
            rec["fields"]["nickname"] = "长" * 600
            bad[line_no] = "longer than 512"
        elif i % 1021 == 13:
            rec["id"] = "u0"
            bad[line_no] = "duplicate id"
        else:
            ids.append(rec["id"])
        lines.append(json.dumps(rec, ensure_ascii=False))
        if i % 2000 == 0:
            lines.append("")  # blank lines are not accounts and not errors
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, ids, bad


def scan(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "acctcheck", "scan", *args], env=SRC_ENV, capture_output=True,
                          text=True, timeout=timeout)


def read_out(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.slow
def test_scan_with_two_workers(accounts, small_rules: Path, tmp_path: Path) -> None:
    src, ids, bad = accounts
    out = tmp_path / "verdicts.jsonl"
    r = scan(str(src), "--output", str(out), "--rules", str(small_rules), "--workers", "2")
    assert r.returncode == 3, r.stderr  # malformed lines were skipped: the exit code says so
    got = read_out(out)
    assert [x["id"] for x in got] == ids  # input order, every valid account exactly once
    reported = {int(line.split(":")[1]): line for line in r.stderr.splitlines() if line.startswith(str(src))}
    assert set(reported) == set(bad)
    assert list(reported) == sorted(reported)  # in line order, whichever stage found the problem
    for line_no, expected in bad.items():
        assert expected in reported[line_no]
    decisions = Counter(x["verdict"]["decision"] for x in got)
    assert decisions["reject"] and decisions["review"] and decisions["pass"]
    assert f"{len(ids)} verdict(s) written, {len(bad)} malformed" in r.stdout
    for decision, count in decisions.items():
        assert f"{decision} {count}" in r.stdout
    assert next(x for x in got if x["id"] == "u50")["verdict"]["ip_region"]["label"] == "广东"
    by_id = {x["id"]: x["verdict"] for x in got}
    assert by_id["u1"]["findings"][0]["matched"] == "外交部" and by_id["u1"]["decision"] == "reject"

    again = scan(str(src), "--output", str(out), "--rules", str(small_rules))
    assert again.returncode == 2 and "--resume" in again.stderr  # never clobbers earlier work silently


@pytest.mark.slow
def test_resume_after_kill_and_after_torn_output(accounts, small_rules: Path, tmp_path: Path) -> None:
    src, ids, _ = accounts
    out = tmp_path / "verdicts.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "acctcheck", "scan", str(src), "--output", str(out),
                             "--rules", str(small_rules), "--chunk-size", "16"], env=SRC_ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while (not out.exists() or out.stat().st_size < 50_000) and time.monotonic() < deadline:
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(10)
    partial = out.read_bytes().count(b"\n")
    assert 0 < partial < len(ids)
    with out.open("ab") as f:
        f.write(b'{"id": "u99999", "verd')  # a torn last line, as a crash mid-write leaves it
    r = scan(str(src), "--output", str(out), "--rules", str(small_rules), "--resume", "--workers", "2")
    assert r.returncode == 3, r.stderr
    assert [x["id"] for x in read_out(out)] == ids
    assert f"(+{partial} from an earlier run)" in r.stdout

    r = scan(str(src), "--output", str(out), "--rules", str(small_rules), "--resume")  # nothing left to do
    assert "0 verdict(s) written" in r.stdout and [x["id"] for x in read_out(out)] == ids


@pytest.mark.slow
def test_csv_input(small_rules: Path, tmp_path: Path) -> None:
    src = tmp_path / "accounts.csv"
    src.write_text(
        "id,account_type,nickname,bio,signature,certification,ip,verified\n"
        "a1,personal,外交部小编,,,,,\n"
        'a2,institution,中央新闻,简介,,,,"{""institution"": {""name"": ""中央新闻"", ""kind"": ""news_media""}}"\n'
        "a3,personal,小明,\"多行\n简介\",,,8.8.8.8,\n"
        "a4,personal,小红,,,,,{not json}\n"
        "a5,robot,小刚,,,,,\n"
        "a6,personal,晴天\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    r = scan(str(src), "--output", str(out), "--rules", str(small_rules))
    assert r.returncode == 3
    got = {x["id"]: x["verdict"] for x in read_out(out)}
    assert list(got) == ["a1", "a2", "a3"]
    assert got["a1"]["decision"] == "reject" and got["a2"]["decision"] == "pass"  # verified institution exempt
    assert got["a3"]["ip_region"]["label"] == "美国"
    assert "accounts.csv:6: verified column is not JSON" in r.stderr
    assert "accounts.csv:7: invalid request" in r.stderr and "accounts.csv:8: expected 8 columns" in r.stderr


@pytest.mark.slow
def test_scan_through_a_server(accounts, small_rules: Path, tmp_path: Path) -> None:
    src, ids, bad = accounts
    with ThreadServer(Settings(rules_dir=small_rules, watch=False)) as srv:
        out = tmp_path / "remote.jsonl"
        err = io.StringIO()
        code = run_scan(ScanOptions(input=src, output=out, rules_dir=small_rules, url=srv.url,
                                    workers=2, chunk_size=500, progress=False), stdout=io.StringIO(), stderr=err)
    assert code == 3
    got = read_out(out)
    assert [x["id"] for x in got] == ids
    reported = {int(line.split(":")[1]): line for line in err.getvalue().splitlines() if line.startswith(str(src))}
    assert list(reported) == sorted(bad)  # every malformed line, in line order
    for line_no, expected in bad.items():  # named as the local scan names it: the field, not the batch item
        assert expected in reported[line_no] and "items." not in reported[line_no], reported[line_no]
    local = {"u1": "reject", "u2": "review", "u0": "pass"}
    assert {x["id"]: x["verdict"]["decision"] for x in got if x["id"] in local} == local


@pytest.mark.slow
def test_scan_through_a_server_splits_chunks_over_the_work_budget(small_rules: Path, tmp_path: Path) -> None:
    """A chunk of long bios is more than the server's batch work budget (413 batch_too_large): the scan
    halves it until it fits, and every account is judged."""
    src = tmp_path / "long.jsonl"
    src.write_text("".join(json.dumps({"id": f"l{i}", "fields": {"nickname": "外交部" if i == 7 else "小明",
                                                                   "bio": "热爱生活" * 100}}, ensure_ascii=False) + "\n"
                           for i in range(40)), encoding="utf-8")
    with ThreadServer(Settings(rules_dir=small_rules, watch=False, max_batch_work=2_000)) as srv:
        out = tmp_path / "long-out.jsonl"
        err = io.StringIO()
        code = run_scan(ScanOptions(input=src, output=out, rules_dir=small_rules, url=srv.url, workers=1,
                                    chunk_size=40, progress=False), stdout=io.StringIO(), stderr=err)
    got = read_out(out)
    assert code == 0 and "refused" not in err.getvalue(), err.getvalue()[-2000:]
    assert [x["id"] for x in got] == [f"l{i}" for i in range(40)]
    assert [x["id"] for x in got if x["verdict"]["decision"] == "reject"] == ["l7"]


@pytest.mark.slow
def test_csv_record_spanning_lines_is_reported_where_it_starts(small_rules: Path, tmp_path: Path) -> None:
    """Line numbers are the file's physical lines, the header being line 1; a quoted field may span lines."""
    src = tmp_path / "accounts.csv"
    src.write_text('id,nickname,bio\nb1,小明,\nb2,"长\n名",bio\nb3,,\n', encoding="utf-8")
    r = scan(str(src), "--output", str(tmp_path / "out.jsonl"), "--rules", str(small_rules))
    assert r.returncode == 3
    assert [line for line in r.stderr.splitlines() if "accounts.csv:" in line] == [
        f"{src}:5: invalid request: fields.nickname: Field required"]
    assert "scanned 3 record(s) on 5 line(s)" in r.stdout
    (tmp_path / "out.jsonl").unlink()
    src.write_text('id,nickname,verified\nb1,"小\n明",{x\n', encoding="utf-8")
    r = scan(str(src), "--output", str(tmp_path / "out.jsonl"), "--rules", str(small_rules))
    assert f"{src}:2: verified column is not JSON" in r.stderr  # the record's first line, not its last


def test_summary_rate_excludes_start_up() -> None:
    from acctcheck.scan import Summary

    text = Summary(written=1000, startup_s=9.0, elapsed_s=10.0).render()
    assert "elapsed 10.0 s (start-up 9.0 s), 1000 accounts/s after start-up" in text


def test_progress_without_a_terminal_is_a_plain_meter_line(small_rules: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    lines = (f'{{"id": {i}, "fields": {{"nickname": "小明{i}"}}}}\n' for i in range(50))
    src.write_text("".join(lines), encoding="utf-8")
    err = io.StringIO()
    code = run_scan(ScanOptions(input=src, output=tmp_path / "out.jsonl", rules_dir=small_rules, chunk_size=10),
                    stdout=io.StringIO(), stderr=err)
    assert code == 0
    last = err.getvalue().splitlines()[-1]
    assert "\r" not in err.getvalue() and "50/50" in last and "100%" in last and "50 verdicts" in last


@pytest.mark.slow
@pytest.mark.usefixtures("bundled_rules")  # the scan loads the session's build of rules/ instead of compiling
def test_the_sample_file_scans(tmp_path: Path) -> None:
    """examples/accounts.jsonl (shipped for the README) against the bundled rules: every line judged."""
    sample = Path(__file__).resolve().parents[1] / "examples" / "accounts.jsonl"
    out = tmp_path / "verdicts.jsonl"
    r = scan(str(sample), "--output", str(out), timeout=300)
    assert r.returncode == 0, r.stderr
    lines = [json.loads(x) for x in sample.read_text(encoding="utf-8").splitlines() if x.strip()]
    got = read_out(out)
    assert [x["id"] for x in got] == [x["id"] for x in lines]
    decisions = Counter(x["verdict"]["decision"] for x in got)
    assert decisions["pass"] and decisions["review"] and decisions["reject"]
