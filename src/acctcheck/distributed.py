"""Beyond one machine: the scan engine on a Dask cluster.

Two entry points, both judging with exactly the code `acctcheck scan` uses (:func:`acctcheck.scan.judge_chunk`,
through the scan package's public interface only):

- ``acctcheck scan INPUT -o OUT --dask ADDRESS`` (:func:`dask_judge`): the ordinary scan — one input file read
  here, one output in input order, ``--resume``, progress, summary — with the judging spread over a Dask
  cluster (``tcp://scheduler:8786``) or a LocalCluster of worker processes on this machine (``local:N``).
- :func:`scan_jsonl`: for inputs already split over shared storage, read by the workers themselves.

Install with ``pip install 'acctcheck[distributed]'``. For :func:`scan_jsonl` input is JSON Lines (the
`acctcheck scan` format), read in byte-range partitions with ``dask.bag.read_text`` from anything fsspec
reaches (local or shared disks; ``s3://`` etc. with the matching fsspec driver). Each partition is judged by
exactly the code `acctcheck scan` uses (:func:`acctcheck.scan.judge_chunk`) and written to ``part-NNNNN.jsonl``;
malformed lines go to ``errors/part-NNNNN.jsonl``. The rules travel with the job (a :class:`RulesBundle` of
file contents, sent once per worker), so workers need no copy of the rules directory; each worker process
builds its snapshot once per rules digest and reuses it for every partition.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypedDict

import orjson

from acctcheck import scan

if TYPE_CHECKING:
    from distributed import Client, Future

CHUNK = 512


class Counts(TypedDict):
    """What one partition of :func:`scan_jsonl` wrote."""

    written: int
    malformed: int
    decisions: dict[str, int]
    categories: dict[str, int]


@dataclass(frozen=True)
class RulesBundle:
    """A rules directory as data: (relative path, bytes) pairs and their digest."""

    digest: str
    files: tuple[tuple[str, bytes], ...]

    @classmethod
    def from_dir(cls, root: Path | str) -> RulesBundle:
        root = Path(root)
        files = tuple(
            (p.relative_to(root).as_posix(), p.read_bytes())
            for p in sorted(root.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
        )
        h = hashlib.sha256()
        for name, data in files:
            h.update(name.encode() + b"\0" + data + b"\0")
        return cls(h.hexdigest(), files)


_build_lock = threading.Lock()


def ensure_engine(bundle: RulesBundle) -> None:
    """Make this worker process's scan engine judge with `bundle` (built once per process and digest)."""
    key = f"bundle:{bundle.digest}"
    if scan.engine_key() == key:
        return
    with _build_lock:
        if scan.engine_key() == key:
            return
        with tempfile.TemporaryDirectory(prefix="acctcheck-rules-") as tmp:
            for name, data in bundle.files:
                target = Path(tmp, name)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            scan.load_engine(tmp, run_examples=False, key=key)


def judge_lines(lines: Iterable[str | bytes], bundle: RulesBundle) -> tuple[list[bytes], list[bytes], Counts]:
    """Judge one partition of JSON Lines: (verdict lines, error lines, counts). Line numbers are
    partition-relative (1-based); a duplicate id across partitions is not detected here."""
    ensure_engine(bundle)
    raw = [ln.encode() if isinstance(ln, str) else ln for ln in lines]
    out: list[bytes] = []
    errors: list[bytes] = []
    decisions: Counter[str] = Counter()
    categories: Counter[str] = Counter()

    def error(line_no: int, message: str) -> None:
        errors.append(orjson.dumps({"line": line_no, "error": message,
                                    "input": raw[line_no - 1][:200].decode("utf-8", "replace")}) + b"\n")

    items: list[scan.Item] = []
    for record in scan.read_jsonl(raw):
        if record.complaint is not None:
            error(record.line_no, record.complaint.text)
        elif record.ident is not None:
            items.append((record.line_no, record.ident, record.request))
    for start in range(0, len(items), CHUNK):
        for outcome in scan.judge_chunk(items[start:start + CHUNK]):
            if outcome.line is None:
                error(outcome.line_no, outcome.what)
            else:
                out.append(outcome.line)
                decisions[outcome.what] += 1
                categories.update(outcome.categories)
    counts: Counts = {"written": len(out), "malformed": len(errors), "decisions": dict(decisions),
                      "categories": dict(categories)}
    return out, errors, counts


def _write_partition(lines: list[str], bundle: RulesBundle, output_dir: str, index: int) -> Counts:
    import fsspec

    out, errors, counts = judge_lines(lines, bundle)
    with fsspec.open(f"{output_dir}/part-{index:05d}.jsonl", "wb", auto_mkdir=True) as f:
        f.write(b"".join(out))
    if errors:
        with fsspec.open(f"{output_dir}/errors/part-{index:05d}.jsonl", "wb", auto_mkdir=True) as f:
            f.write(b"".join(errors))
    return counts


def scan_jsonl(inputs: str | list[str], output_dir: str, rules_dir: Path | str, *,
               blocksize: str | int = "64MiB", client: Client | None = None) -> dict[str, Any]:
    """Judge JSON Lines `inputs` (paths or globs) into `output_dir` on the current Dask scheduler (or
    `client`); return the summary: lines written, malformed, counts per decision and per category."""
    import dask.bag as db
    from dask.base import compute
    from dask.delayed import delayed

    bundle = delayed(RulesBundle.from_dir(rules_dir), pure=True)  # one graph key: shipped once per worker
    parts = db.read_text(inputs, blocksize=blocksize).to_delayed()
    tasks = [delayed(_write_partition)(part, bundle, output_dir, i) for i, part in enumerate(parts)]
    results: list[Counts] = client.compute(tasks, sync=True) if client is not None else compute(*tasks)
    summary: dict[str, Any] = {"partitions": len(tasks), "written": 0, "malformed": 0,
                               "decisions": Counter(), "categories": Counter()}
    for counts in results:
        summary["written"] += counts["written"]
        summary["malformed"] += counts["malformed"]
        summary["decisions"].update(counts["decisions"])
        summary["categories"].update(counts["categories"])
    summary["decisions"] = dict(summary["decisions"])
    summary["categories"] = dict(summary["categories"])
    return summary


# -- `acctcheck scan --dask` -------------------------------------------------------------------------------------
Judged = tuple[list[scan.Outcome], str]  # a chunk's outcomes, and the address of the worker that judged it


def judge_items(items: list[scan.Item], bundle: RulesBundle) -> Judged:
    """One chunk of the scan on a Dask worker: its outcomes, and which worker judged it (for the report)."""
    from distributed import get_worker

    ensure_engine(bundle)
    return scan.judge_chunk(items), get_worker().address


def connect(address: str) -> tuple[Client, Callable[[], None]]:
    """A Client for `address`: a scheduler (``tcp://host:8786``, ``tls://…``), or ``local`` / ``local:N`` for a
    LocalCluster of N single-threaded worker processes on 127.0.0.1 (default: one per CPU)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise scan.ScanError("--dask needs Dask: pip install 'acctcheck[distributed]'") from None
    if address == "local" or address.startswith("local:"):
        count = address.partition(":")[2]
        if count and not (count.isdigit() and int(count) > 0):
            raise scan.ScanError(f"--dask {address}: give local or local:N with N >= 1")
        cluster = LocalCluster(n_workers=int(count) if count else (os.cpu_count() or 1), threads_per_worker=1,
                               processes=True, host="127.0.0.1", dashboard_address=None)
        client = Client(cluster)

        def close_local() -> None:
            client.close()
            cluster.close()

        return client, close_local
    try:
        client = Client(address, timeout="30s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise scan.ScanError(f"--dask {address}: cannot reach the scheduler ({exc})") from None
    return client, client.close


def dask_judge(address: str, rules_dir: Path, stderr: IO[str] | None = None) -> tuple[
        Callable[[Iterator[list[scan.Item]]], Iterator[list[scan.Outcome]]], Callable[[], None]]:
    """The scan's ordered chunk pipeline on a Dask cluster: chunks are submitted as they are read, at most three
    per worker thread in flight, and come back in input order. The rules travel once per worker (a scattered
    RulesBundle). At the end, the accounts each worker judged are reported on stderr."""
    out = stderr or sys.stderr
    client, close_client = connect(address)
    try:
        bundle = client.scatter(RulesBundle.from_dir(rules_dir), broadcast=True)
        threads = sum(client.nthreads().values())
        if threads == 0:
            raise scan.ScanError(f"--dask {address}: the cluster has no workers")
    except BaseException:
        close_client()
        raise
    judged: Counter[str] = Counter()

    def submit(chunk: list[scan.Item]) -> Future[Judged]:
        return client.submit(judge_items, chunk, bundle, pure=False)

    def result(future: Future[Judged]) -> list[scan.Outcome]:
        outcomes, worker = future.result()
        judged[worker] += sum(1 for o in outcomes if o.line is not None)  # verdicts, not malformed lines
        return outcomes

    def judge(chunks: Iterator[list[scan.Item]]) -> Iterator[list[scan.Outcome]]:
        yield from scan.ordered(chunks, submit, result, max(threads * 3, 2))

    def close() -> None:
        close_client()
        if judged:
            print(f"dask: {len(judged)} worker(s) judged " + ", ".join(f"{w} {n}" for w, n in sorted(judged.items())),
                  file=out)

    return judge, close
