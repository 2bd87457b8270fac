"""`acctcheck scan`: re-check stored accounts in bulk (Article 15, 动态核验 of 存量账号).

Reads JSON Lines (``{"id": ..., <the /validate request keys>}``) or CSV (columns id, account_type, nickname,
bio, signature, certification, ip, verified as JSON), judges every account with the engine in worker
processes (each holds one snapshot) or against a server (``--url``, POST /validate/batch), and appends
``{"id": ..., "verdict": {...}}`` lines to the output in input order. ``--resume`` skips ids already in
the output. Malformed lines are reported on stderr, in line order, as ``FILE:LINE: reason`` (LINE counts every
physical line, a CSV header included) and skipped; exit code 3 says so.
"""

from __future__ import annotations

import csv
import io
import multiprocessing as mp
import re
import signal
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson
from pydantic import ValidationError

from acctcheck.contract import TEXT_FIELDS, ValidateRequest, Verdict
from acctcheck.field_limits import check_fields, describe_invalid

EXIT_OK, EXIT_FATAL, EXIT_USAGE, EXIT_MALFORMED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
CSV_COLUMNS = ("id", "account_type", *TEXT_FIELDS, "ip", "verified")

# (line number, id, request dict) in — or (line number, error message, None) for a line already found malformed
# while reading, carried along so that every complaint is printed in line order;
# (line number, output line or None, error message or decision, categories) out
Item = tuple[int, Any, dict[str, Any] | None]
Outcome = tuple[int, bytes | None, str, tuple[str, ...]]


class ScanError(Exception):
    """A problem that stops the whole scan before it starts (bad rules, unreadable files)."""


# -- input ---------------------------------------------------------------------------------------------------
def _record_id(rec: dict[str, Any]) -> Any:
    ident = rec.pop("id", None)
    if isinstance(ident, bool) or not isinstance(ident, (str, int)) or ident == "":
        raise ValueError('every line needs an "id" (a non-empty string or an integer)')
    return ident


def read_jsonl(stream: IO[bytes]) -> Iterator[tuple[int, Any, dict[str, Any] | None, str | None]]:
    """(line number, id, request dict, error) per non-blank line."""
    for line_no, raw in enumerate(stream, 1):
        if not raw.strip():
            continue
        try:
            rec = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            yield line_no, None, None, f"not JSON: {exc}"
            continue
        if not isinstance(rec, dict):
            yield line_no, None, None, "not a JSON object"
            continue
        try:
            ident = _record_id(rec)
        except ValueError as exc:
            yield line_no, None, None, str(exc)
            continue
        yield line_no, ident, rec, None


def _csv_request(row: dict[str, str]) -> dict[str, Any]:
    req: dict[str, Any] = {"fields": {k: row[k] for k in TEXT_FIELDS if row.get(k)}}
    if row.get("account_type"):
        req["account_type"] = row["account_type"]
    if row.get("ip"):
        req["ip"] = row["ip"]
    if row.get("verified"):
        try:
            req["verified"] = orjson.loads(row["verified"])
        except orjson.JSONDecodeError as exc:
            raise ValueError(f"verified column is not JSON: {exc}") from None
    return req


def read_csv(stream: IO[bytes]) -> Iterator[tuple[int, Any, dict[str, Any] | None, str | None]]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    reader = csv.DictReader(text)
    header = reader.fieldnames or []
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if "id" not in header or "nickname" not in header or unknown:
        raise ScanError(f"CSV header must have id and nickname and only {', '.join(CSV_COLUMNS)}; "
                        f"got {', '.join(header) or 'nothing'}")
    end = reader.line_num  # the header's last line
    for row in reader:
        line_no, end = end + 1, reader.line_num  # where the record starts (a quoted field may span lines)
        if None in row or None in row.values():
            yield line_no, None, None, f"expected {len(header)} columns"
            continue
        try:
            ident = row["id"].strip()
            if not ident:
                raise ValueError("empty id")
            yield line_no, ident, _csv_request(row), None
        except ValueError as exc:
            yield line_no, None, None, str(exc)


def count_lines(path: Path) -> int | None:
    """Total lines for the progress bar's ETA (about 0.3 s per GB); None for pipes."""
    if not path.is_file():
        return None
    n = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            n += chunk.count(b"\n")
    return n


# -- judging (runs in worker processes) ----------------------------------------------------------------------
@dataclass
class _Worker:
    snapshot: Any = None
    rules_dir: str | None = None
    geo: Any = None
    max_chars: int = 512


_W = _Worker()


def load_engine(rules_dir: str, run_examples: bool = True) -> None:
    """Build the snapshot for this process, once. Under fork the parent's is inherited and reused."""
    if _W.snapshot is not None and _W.rules_dir == rules_dir:
        return
    from acctcheck.ruleset import build_snapshot
    from acctcheck.settings import Settings

    settings = Settings()
    _W.snapshot = build_snapshot(Path(rules_dir), run_examples=run_examples)
    _W.rules_dir = rules_dir
    _W.max_chars = settings.max_field_chars
    try:
        from acctcheck.geo.resolver import GeoResolver

        _W.geo = GeoResolver(settings.geoip_main_db, settings.geoip_domestic_db)
    except Exception:
        _W.geo = None


def _init_worker(rules_dir: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the pool
    load_engine(rules_dir, run_examples=False)


def check_request(req: ValidateRequest, max_chars: int) -> None:
    """The service's field limits, so a scan refuses exactly what POST /validate refuses."""
    check_fields(req, max_chars)
    images = getattr(req, "images", None)
    if images is not None and images.items():
        raise ValueError("images are not checked by a bulk scan; send this account to POST /validate")


def output_line(ident: Any, verdict_json: bytes) -> bytes:
    return b'{"id":' + orjson.dumps(ident) + b',"verdict":' + verdict_json + b"}\n"


def _categories(verdict: Verdict) -> tuple[str, ...]:
    return tuple(sorted({str(f.category.value if hasattr(f.category, "value") else f.category)
                         for f in verdict.findings}))


def invalid(exc: ValidationError) -> str:
    """`invalid request: fields.nickname: Field required`: the complaint names the field, as the API does."""
    return f"invalid request: {describe_invalid(exc)}"


def judge_chunk(chunk: list[Item]) -> list[Outcome]:
    from acctcheck.engine import validate

    out: list[Outcome] = []
    for line_no, ident, data in chunk:
        if data is None:  # malformed when read: `ident` holds the complaint
            out.append((line_no, None, ident, ()))
            continue
        try:
            req = ValidateRequest.model_validate(data)
            check_request(req, _W.max_chars)
            region = _W.geo.lookup(req.ip) if (req.ip and _W.geo is not None) else None
        except ValidationError as exc:
            out.append((line_no, None, invalid(exc), ()))
            continue
        except ValueError as exc:
            out.append((line_no, None, f"invalid request: {exc}", ()))
            continue
        verdict = validate(_W.snapshot, req, ip_lookup=(lambda _ip, r=region: r) if region else None)
        out.append((line_no, output_line(ident, verdict.model_dump_json().encode()), verdict.decision,
                    _categories(verdict)))
    return out


def validate_within_budget(client: Any, requests: list[ValidateRequest]) -> list[Any]:
    """`client.validate_many`, halving a batch the server refuses as beyond its work budget (413
    `batch_too_large`, the server's max_batch_work): a chunk of long texts or images still goes through, and the
    client need not know the server's budget. An account over the budget on its own becomes its error entry."""
    from acctcheck.client import BatchItemError, RequestRejected

    if not requests:
        return []
    try:
        return client.validate_many(requests)
    except RequestRejected as exc:
        if exc.body.error != "batch_too_large":
            raise
        if len(requests) == 1:
            return [BatchItemError(error=exc.body)]
        mid = len(requests) // 2
        return validate_within_budget(client, requests[:mid]) + validate_within_budget(client, requests[mid:])


def _server_judge(client: Any, summary: Summary) -> Callable[[list[Item]], list[Outcome]]:
    """The same contract through POST /validate/batch (acctcheck.client)."""
    from acctcheck.client import BatchItemError

    def judge(chunk: list[Item]) -> list[Outcome]:
        out: list[Outcome] = []
        valid: list[tuple[int, Any, ValidateRequest]] = []
        for line_no, ident, data in chunk:
            if data is None:  # malformed when read: `ident` holds the complaint
                out.append((line_no, None, ident, ()))
                continue
            try:
                valid.append((line_no, ident, ValidateRequest.model_validate(data)))
            except ValidationError as exc:
                out.append((line_no, None, invalid(exc), ()))
        results = validate_within_budget(client, [r for _, _, r in valid]) if valid else []
        for (line_no, ident, _), res in zip(valid, results, strict=True):
            if isinstance(res, BatchItemError):
                out.append((line_no, None, f"refused by the server: {_server_reason(res)}", ()))
            else:
                summary.revisions.add(res.rules_revision)
                out.append((line_no, output_line(ident, res.model_dump_json().encode()), res.decision,
                            _categories(res)))
        out.sort(key=lambda o: o[0])
        return out

    return judge


def _server_reason(res: Any) -> str:
    """The server's complaint about one item, located in the account (`fields.nickname …`) rather than in the
    batch it happened to travel in (`body.items.17.fields.nickname …`)."""
    return _BATCH_LOC.sub("", res.error.message)


_BATCH_LOC = re.compile(r"\bbody\.items\.\d+\.")


# -- output, resume, progress, summary -----------------------------------------------------------------------
@dataclass
class Summary:
    lines: int = 0
    written: int = 0
    resumed: int = 0
    malformed: int = 0
    decisions: Counter[str] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)
    revisions: set[str] = field(default_factory=set)
    records: int = 0
    startup_s: float = 0.0  # reading the rules, building the snapshot, starting workers
    elapsed_s: float = 0.0  # the whole command, start-up included

    def add(self, decision: str, categories: tuple[str, ...]) -> None:
        self.decisions[decision] += 1
        self.categories.update(categories)

    def render(self) -> str:
        judging = self.elapsed_s - self.startup_s
        rate = self.written / judging if judging > 0 else 0.0
        lines = [
            f"scanned {self.records} record(s) on {self.lines} line(s): {self.written} verdict(s) written"
            + (f" (+{self.resumed} from an earlier run)" if self.resumed else "")
            + f", {self.malformed} malformed line(s) skipped",
            "decisions: " + (", ".join(f"{k} {v}" for k, v in sorted(self.decisions.items())) or "none"),
            "categories: " + (", ".join(f"{k} {v}" for k, v in self.categories.most_common()) or "none"),
            f"rules revision: {', '.join(sorted(self.revisions)) or 'n/a'}",
            f"elapsed {self.elapsed_s:.1f} s (start-up {self.startup_s:.1f} s), "
            f"{rate:.0f} accounts/s after start-up",
        ]
        return "\n".join(lines)


def load_done(output: Path, summary: Summary) -> set[bytes]:
    """Ids already in the output (their verdicts counted into summary). A torn last line from an interrupted
    run is cut off; damage anywhere else stops the scan rather than guess."""
    done: set[bytes] = set()
    if not output.exists():
        return done
    good_end = 0
    with output.open("rb") as f:
        for n, raw in enumerate(f, 1):
            if not raw.endswith(b"\n"):
                break  # torn tail: re-judged below
            try:
                rec = orjson.loads(raw)
                key = orjson.dumps(rec["id"])
                verdict = rec["verdict"]
                summary.add(verdict["decision"], tuple(sorted({x["category"] for x in verdict["findings"]})))
                summary.revisions.add(verdict["rules_revision"])
            except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
                raise ScanError(f"{output}: line {n} is not a scan result ({exc}); not resuming") from None
            done.add(key)
            good_end += len(raw)
    if good_end != output.stat().st_size:
        with output.open("r+b") as f:
            f.truncate(good_end)
    summary.resumed = len(done)
    return done


class Progress:
    """tqdm's bar (lines done, rate, ETA) on a terminal; elsewhere (a log file, CI) tqdm's same meter as a plain
    line every 10 s, since a redrawn bar would fill a log with carriage returns."""

    def __init__(self, stream: IO[str], total: int | None, enabled: bool = True) -> None:
        from tqdm import tqdm

        self.stream = stream
        self.total = total
        self.enabled = enabled
        self.tty = enabled and stream.isatty()
        self.start = self.last = time.monotonic()
        self.bar = tqdm(total=total, unit="line", file=stream, disable=not self.tty, mininterval=0.2,
                        dynamic_ncols=True, smoothing=0.1)
        self._meter = tqdm.format_meter

    def update(self, line: int, done: int, force: bool = False) -> None:
        if not self.enabled:
            return
        if self.tty:
            self.bar.set_postfix_str(f"{done} verdicts", refresh=False)
            self.bar.update(line - self.bar.n)
            return
        now = time.monotonic()
        if force or now - self.last >= 10.0:
            self.last = now
            meter = self._meter(line, self.total, now - self.start, unit="line", postfix=f"{done} verdicts")
            self.stream.write(meter + "\n")
            self.stream.flush()

    def close(self) -> None:
        self.bar.close()


# -- the command -----------------------------------------------------------------------------------------------
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


def _chunks(source: Iterator[tuple[int, Any, dict[str, Any] | None, str | None]], done: set[bytes],
            size: int, summary: Summary) -> Iterator[list[Item]]:
    """Group records into chunks; skip resumed ids. Lines malformed when read and duplicate ids travel in
    their chunk as (line, complaint, None), so that complaints come out in line order with the rest."""
    chunk: list[Item] = []
    seen: dict[bytes, int] = {}
    for line_no, ident, data, error in source:
        summary.lines = line_no
        summary.records += 1
        if error is None:
            key = orjson.dumps(ident)
            if key in seen:
                error = f"duplicate id {key.decode()} (first at line {seen[key]})"
            else:
                seen[key] = line_no
                if key in done:
                    continue
        chunk.append((line_no, error, None) if error is not None else (line_no, ident, data))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


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
        judge, close = _judge(opts, summary)
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
            for outcomes in judge(_chunks(reader, done, opts.chunk_size, summary)):
                for line_no, line, what, cats in outcomes:
                    if line is None:
                        report(line_no, what)
                    else:
                        out.write(line)
                        summary.written += 1
                        summary.add(what, cats)
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


def _judge(opts: ScanOptions, summary: Summary) -> tuple[Callable[[Iterator[list[Item]]], Iterator[list[Outcome]]],
                                                        Callable[[], None]]:
    """The ordered chunk pipeline: in-process, a process pool, a server or a Dask cluster; and how to stop it."""
    if opts.url and opts.dask:
        raise ScanError("give --url (a running service judges) or --dask (a Dask cluster judges), not both")
    if opts.url:
        from concurrent.futures import ThreadPoolExecutor

        from acctcheck.client import Client

        client = Client(opts.url, on_unavailable="raise", batch_timeout=120.0)
        remote = _server_judge(client, summary)
        pool = ThreadPoolExecutor(max(opts.workers, 1))

        def judge_remote(chunks: Iterator[list[Item]]) -> Iterator[list[Outcome]]:
            yield from _ordered(chunks, lambda c: pool.submit(remote, c), lambda fut: fut.result(),
                                opts.workers * 2)

        def close_remote() -> None:
            pool.shutdown(cancel_futures=True)
            client.close()

        return judge_remote, close_remote

    from acctcheck.packs.errors import PackSetError

    try:
        load_engine(str(opts.rules_dir))  # once here (examples included): a broken rules dir stops the scan
    except PackSetError as exc:
        raise ScanError("rules refused:\n  " + "\n  ".join(str(i) for i in exc.issues)) from None
    summary.revisions.add(_W.snapshot.revision)
    if opts.dask:
        from acctcheck.distributed import dask_judge

        return dask_judge(opts.dask, opts.rules_dir)
    if opts.workers <= 1:
        return (lambda chunks: map(judge_chunk, chunks)), (lambda: None)

    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"  # fork: workers inherit the snapshot
    procs = mp.get_context(method).Pool(opts.workers, initializer=_init_worker, initargs=(str(opts.rules_dir),))

    def judge_pool(chunks: Iterator[list[Item]]) -> Iterator[list[Outcome]]:
        yield from _ordered(chunks, lambda c: procs.apply_async(judge_chunk, (c,)), lambda r: r.get(),
                            opts.workers * 3)

    def close_pool() -> None:
        procs.terminate()
        procs.join()

    return judge_pool, close_pool


def _ordered(chunks: Iterator[list[Item]], submit: Callable[[list[Item]], Any], result: Callable[[Any], Any],
             window: int) -> Iterator[list[Outcome]]:
    """Keep at most `window` chunks in flight (a bounded read-ahead) and yield results in input order."""
    pending: deque[Any] = deque()
    for chunk in chunks:
        pending.append(submit(chunk))
        if len(pending) >= window:
            yield result(pending.popleft())
    while pending:
        yield result(pending.popleft())


def main(args: Any) -> int:
    """Entry point for the `scan` sub-command (argparse namespace from acctcheck.cli)."""
    opts = ScanOptions(
        input=Path(args.input), output=Path(args.output), rules_dir=Path(args.rules), workers=args.workers,
        url=args.url, resume=args.resume, overwrite=args.overwrite, fmt=args.format, chunk_size=args.chunk_size,
        progress=not args.no_progress, dask=getattr(args, "dask", None),
    )
    if not opts.input.exists():
        print(f"acctcheck scan: {opts.input}: no such file", file=sys.stderr)
        return EXIT_USAGE
    return run_scan(opts)
