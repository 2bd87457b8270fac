"""The `acctcheck scan` command: read, group into chunks, judge in order (in this process, a process pool, a
server or a Dask cluster), write, report."""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TypeVar

import orjson

from acctcheck.scan.readers import count_lines, read_csv, read_jsonl
from acctcheck.scan.records import Complaint, Item, Outcome, Record, ScanError
from acctcheck.scan.report import Progress, Summary
from acctcheck.scan.resume import load_done
from acctcheck.scan.worker import engine_revision, init_pool_worker, judge_chunk, load_engine

EXIT_OK, EXIT_FATAL, EXIT_USAGE, EXIT_MALFORMED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

Judge = Callable[[Iterator[list[Item]]], Iterator[list[Outcome]]]  # chunks in, outcomes out, in input order
Pending = TypeVar("Pending")


@dataclass
class ScanOptions:
    input: Path
    output: Path
    rules_dir: Path
    workers: int = 1
    url: str | None = None
    resume: bool = False
    overwrite: bool = False
    fmt: str | None = None
    chunk_size: int = 256
    progress: bool = True
    dask: str | None = None  # a Dask scheduler address, or local[:N] (acctcheck.distributed.dask_judge)
    # how to judge on that cluster: acctcheck.distributed.dask_judge, handed in by the caller (the CLI) so
    # that scan, which distributed builds on, does not import it back
    cluster: Callable[[str, Path], tuple[Judge, Callable[[], None]]] | None = None


def chunks(records: Iterable[Record], done: set[bytes], size: int, summary: Summary) -> Iterator[list[Item]]:
    """Group records into chunks; skip resumed ids. Lines malformed when read and duplicate ids travel in
    their chunk as (line, complaint, None), so that complaints come out in line order with the rest."""
    chunk: list[Item] = []
    seen: dict[bytes, int] = {}
    for line_no, ident, data, complaint in records:
        summary.lines = line_no
        summary.records += 1
        if ident is not None:  # a record read whole: its id decides whether it is judged
            key = orjson.dumps(ident)
            if key in seen:
                complaint = Complaint("duplicate_id", f"duplicate id {key.decode()} (first at line {seen[key]})")
            elif key in done:
                seen[key] = line_no
                continue
            else:
                seen[key] = line_no
        if complaint is not None:
            chunk.append((line_no, complaint, None))
        elif ident is not None:
            chunk.append((line_no, ident, data))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def ordered(items: Iterator[list[Item]], submit: Callable[[list[Item]], Pending],
            result: Callable[[Pending], list[Outcome]], window: int) -> Iterator[list[Outcome]]:
    """Keep at most `window` chunks in flight (a bounded read-ahead) and yield results in input order."""
    pending: deque[Pending] = deque()
    for chunk in items:
        pending.append(submit(chunk))
        if len(pending) >= window:
            yield result(pending.popleft())
    while pending:
        yield result(pending.popleft())


def run_scan(opts: ScanOptions, stdout: IO[str] = sys.stdout, stderr: IO[str] = sys.stderr) -> int:
    started = time.monotonic()
    summary = Summary()
    fmt = opts.fmt or ("csv" if opts.input.suffix.lower() == ".csv" else "jsonl")
    if opts.output.exists() and opts.output.stat().st_size > 0 and not (opts.resume or opts.overwrite):
        print(f"acctcheck scan: {opts.output} exists; use --resume to continue it or --overwrite",
              file=stderr)
        return EXIT_USAGE
    try:
        done = load_done(opts.output, summary) if opts.resume else set()
        judge, close = _pipeline(opts, summary)
    except ScanError as exc:
        print(f"acctcheck scan: {exc}", file=stderr)
        return EXIT_USAGE
    summary.startup_s = time.monotonic() - started

    def report(line_no: int, message: str) -> None:
        summary.malformed += 1
        print(f"{opts.input}:{line_no}: {message}", file=stderr)

    progress = Progress(stderr, count_lines(opts.input), opts.progress)
    code = EXIT_OK
    try:
        with opts.input.open("rb") as src, opts.output.open("ab" if opts.resume else "wb") as out:
            reader = read_csv(src) if fmt == "csv" else read_jsonl(src)
            for outcomes in judge(chunks(reader, done, opts.chunk_size, summary)):
                for outcome in outcomes:
                    if outcome.line is None:
                        report(outcome.line_no, outcome.what)
                    else:
                        out.write(outcome.line)
                        summary.written += 1
                        summary.add(outcome.what, outcome.categories)
                out.flush()
                progress.update(summary.lines, summary.written)
        progress.update(summary.lines, summary.written, force=True)
    except ScanError as exc:
        print(f"acctcheck scan: {exc}", file=stderr)
        code = EXIT_USAGE
    except KeyboardInterrupt:
        print("\nacctcheck scan: interrupted; run again with --resume to continue", file=stderr)
        code = EXIT_INTERRUPTED
    except Exception as exc:
        from acctcheck.client import Unavailable

        if not isinstance(exc, Unavailable):
            raise
        print(f"acctcheck scan: {exc}; run again with --resume to continue", file=stderr)
        code = EXIT_FATAL
    finally:
        close()
        progress.close()
    summary.elapsed_s = time.monotonic() - started
    print(summary.render(), file=stdout)
    if code == EXIT_OK and summary.malformed:
        code = EXIT_MALFORMED
    return code


def _pipeline(opts: ScanOptions, summary: Summary) -> tuple[Judge, Callable[[], None]]:
    """The ordered chunk pipeline: in-process, a process pool, a server or a Dask cluster; and how to stop it."""
    if opts.url and opts.dask:
        raise ScanError("give --url (a running service judges) or --dask (a Dask cluster judges), not both")
    if opts.url:
        return _remote_pipeline(opts.url, opts.workers, summary)

    from acctcheck.packs.errors import PackSetError

    try:
        load_engine(str(opts.rules_dir))  # once here (examples included): a broken rules dir stops the scan
    except PackSetError as exc:
        raise ScanError("rules refused:\n  " + "\n  ".join(str(i) for i in exc.issues)) from None
    summary.revisions.add(engine_revision())
    if opts.dask:
        if opts.cluster is None:
            raise ScanError("--dask needs acctcheck.distributed (pip install 'acctcheck[distributed]')")
        return opts.cluster(opts.dask, opts.rules_dir)
    if opts.workers <= 1:
        return (lambda items: map(judge_chunk, items)), (lambda: None)

    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"  # fork: workers inherit the snapshot
    procs = mp.get_context(method).Pool(opts.workers, initializer=init_pool_worker,
                                        initargs=(str(opts.rules_dir),))

    def judge_pool(items: Iterator[list[Item]]) -> Iterator[list[Outcome]]:
        yield from ordered(items, lambda c: procs.apply_async(judge_chunk, (c,)), lambda r: r.get(),
                           opts.workers * 3)

    def close_pool() -> None:
        procs.terminate()
        procs.join()

    return judge_pool, close_pool


def _remote_pipeline(url: str, workers: int, summary: Summary) -> tuple[Judge, Callable[[], None]]:
    """Chunks to a running service, `workers` batches in flight."""
    from concurrent.futures import ThreadPoolExecutor

    from acctcheck.client import Client
    from acctcheck.scan.remote import server_judge

    client = Client(url, on_unavailable="raise", batch_timeout=120.0)
    remote = server_judge(client, summary.revisions)
    pool = ThreadPoolExecutor(max(workers, 1))

    def judge_remote(items: Iterator[list[Item]]) -> Iterator[list[Outcome]]:
        yield from ordered(items, lambda c: pool.submit(remote, c), lambda fut: fut.result(), workers * 2)

    def close_remote() -> None:
        pool.shutdown(cancel_futures=True)
        client.close()

    return judge_remote, close_remote


def main(args: argparse.Namespace,
         cluster: Callable[[str, Path], tuple[Judge, Callable[[], None]]] | None = None) -> int:
    """Entry point for the `scan` sub-command (argparse namespace from acctcheck.cli; `cluster` judges on Dask)."""
    opts = ScanOptions(
        input=Path(args.input), output=Path(args.output), rules_dir=Path(args.rules), workers=args.workers,
        url=args.url, resume=args.resume, overwrite=args.overwrite, fmt=args.format, chunk_size=args.chunk_size,
        progress=not args.no_progress, dask=getattr(args, "dask", None), cluster=cluster,
    )
    if not opts.input.exists():
        print(f"acctcheck scan: {opts.input}: no such file", file=sys.stderr)
        return EXIT_USAGE
    return run_scan(opts)
