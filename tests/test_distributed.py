"""acctcheck.distributed on a real local Dask cluster (two worker processes on loopback)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("dask.bag")
distributed = pytest.importorskip("distributed")

from acctcheck.distributed import RulesBundle, scan_jsonl  # noqa: E402
from tests.conftest import write_small_rules  # noqa: E402


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
        keys = client.run(lambda: __import__("acctcheck.scan", fromlist=["_W"])._W.rules_dir)
    assert summary["partitions"] > 2
    assert summary["written"] == 2999 and summary["malformed"] == 1
    assert summary["decisions"] == {"reject": 300, "pass": 2699}
    assert summary["categories"] == {"official_impersonation": 300}
    assert f"bundle:{RulesBundle.from_dir(rules).digest}" in keys.values()
    got = [json.loads(x) for p in sorted(out.glob("part-*.jsonl")) for x in p.read_text().splitlines()]
    assert [g["id"] for g in got] == [i for i in range(3000) if i != 1234]  # partition order = input order
    [err_file] = list((out / "errors").glob("*.jsonl"))
    assert json.loads(err_file.read_text())["input"] == "{broken\n"
