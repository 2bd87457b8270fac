"""acctcheck.distributed on a real local Dask cluster (two worker processes on loopback)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # `make test-fast` leaves it out: see the `slow` marker in pyproject.toml

pytest.importorskip("dask.bag")
distributed = pytest.importorskip("distributed")

from acctcheck.distributed import RulesBundle, scan_jsonl  # noqa: E402
from tests.conftest import SRC_ENV, write_small_rules  # noqa: E402


def test_scan_on_a_local_cluster(tmp_path: Path) -> None:
    rules = write_small_rules(tmp_path / "rules")
    src = tmp_path / "in.jsonl"
    lines = []
    for i in range(3000):
        name = "外交部发言" if i % 10 == 0 else f"用户{i}"
        lines.append(json.dumps({"id": i, "fields": {"nickname": name}}, ensure_ascii=False))
    lines[1234] = "{broken"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as client:
        summary = scan_jsonl(str(src), str(out), rules, blocksize=20_000, client=client)
        # every worker built its snapshot from the shipped bundle, not from a rules directory of its own
        keys = client.run(lambda: __import__("acctcheck.scan", fromlist=["engine_key"]).engine_key())
    assert summary["partitions"] > 2
    assert summary["written"] == 2999 and summary["malformed"] == 1
    assert summary["decisions"] == {"reject": 300, "pass": 2699}
    assert summary["categories"] == {"official_impersonation": 300}
    assert f"bundle:{RulesBundle.from_dir(rules).digest}" in keys.values()
    got = [json.loads(x) for p in sorted(out.glob("part-*.jsonl")) for x in p.read_text().splitlines()]
    assert [g["id"] for g in got] == [i for i in range(3000) if i != 1234]  # partition order = input order
    [err_file] = list((out / "errors").glob("*.jsonl"))
    assert json.loads(err_file.read_text())["input"] == "{broken\n"


def strip_ids(path: Path) -> list[dict]:
    """Output records without the decision ids (random per verdict); everything else must match."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        rec["verdict"].pop("decision_id")
        out.append(rec)
    return out


def test_scan_dask_local_cluster_matches_one_process_and_resumes(tmp_path: Path) -> None:
    """`acctcheck scan --dask local:2`: a LocalCluster of two worker processes judges the chunks; the output is
    the single-process scan's, line for line (order, verdicts, IP labels, malformed lines reported), and a
    resumed run after a crash mid-write finishes it."""
    import subprocess
    import sys


    rules = write_small_rules(tmp_path / "rules")
    src = tmp_path / "in.jsonl"
    lines = []
    for i in range(4000):
        rec: dict = {"id": f"a{i}", "fields": {"nickname": ["外交部小编", "中央小李", f"用户{i}"][i % 3]}}
        if i % 7 == 0:
            rec["ip"] = "202.96.128.86"
        lines.append(json.dumps(rec, ensure_ascii=False))
    lines[777] = "{broken"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def run(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "acctcheck", "scan", str(src), "--output", str(out), "--rules",
                               str(rules), "--chunk-size", "100", "--no-progress", *extra],
                              env=SRC_ENV, capture_output=True, text=True, timeout=180)

    one = run(tmp_path / "one.jsonl")
    assert one.returncode == 3, one.stderr
    on_dask = run(tmp_path / "dask.jsonl", "--dask", "local:2")
    assert on_dask.returncode == 3, on_dask.stderr
    expected = strip_ids(tmp_path / "one.jsonl")
    assert len(expected) == 3999 and strip_ids(tmp_path / "dask.jsonl") == expected
    assert f"{src}:778: not JSON" in on_dask.stderr
    [report] = [ln for ln in on_dask.stderr.splitlines() if ln.startswith("dask: ")]
    assert report.startswith("dask: 2 worker(s) judged")  # both processes took chunks
    assert sum(int(n) for n in re.findall(r" (\d+)(?=,|$)", report)) == 3999
    assert "3999 verdict(s) written" in on_dask.stdout and "reject 1333" in on_dask.stdout

    partial = tmp_path / "dask.jsonl"
    kept = partial.read_bytes().splitlines(keepends=True)[:1500]
    partial.write_bytes(b"".join(kept) + b'{"id": "a1500", "verd')  # a crash mid-write
    resumed = run(partial, "--dask", "local:2", "--resume")
    assert resumed.returncode == 3, resumed.stderr
    assert strip_ids(partial) == expected and "(+1500 from an earlier run)" in resumed.stdout


def test_scan_dask_refuses_bad_addresses(tmp_path: Path) -> None:
    import io

    from acctcheck.distributed import dask_judge
    from acctcheck.scan import ScanOptions, run_scan

    rules = write_small_rules(tmp_path / "rules")
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": 1, "fields": {"nickname": "x"}}\n', encoding="utf-8")
    for dask, message in (("local:0", "local:N"), ("local:x", "local:N")):
        err = io.StringIO()
        code = run_scan(ScanOptions(input=src, output=tmp_path / "o.jsonl", rules_dir=rules, dask=dask,
                                    cluster=dask_judge,
                                    overwrite=True, progress=False), stdout=io.StringIO(), stderr=err)
        assert code == 2 and message in err.getvalue()
    err = io.StringIO()
    code = run_scan(ScanOptions(input=src, output=tmp_path / "o.jsonl", rules_dir=rules, dask="local:1",
                                    cluster=dask_judge,
                                url="http://127.0.0.1:9", overwrite=True, progress=False),
                    stdout=io.StringIO(), stderr=err)
    assert code == 2 and "not both" in err.getvalue()
