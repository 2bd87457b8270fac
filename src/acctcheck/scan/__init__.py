"""`acctcheck scan`: re-check stored accounts in bulk (Article 15, 动态核验 of 存量账号).

Reads JSON Lines (``{"id": ..., <the /validate request keys>}``) or CSV (columns id, account_type, nickname,
bio, signature, certification, ip, verified as JSON), judges every account with the engine in worker
processes (each holds one snapshot), against a server (``--url``, POST /validate/batch) or on a Dask cluster
(``--dask``, acctcheck.distributed), and appends ``{"id": ..., "verdict": {...}}`` lines to the output in input
order. ``--resume`` skips ids already in the output. Every record is admitted as the service admits a body
(acctcheck.admission): a line the service would refuse is refused here with the same error code. Malformed
lines are reported on stderr, in line order, as ``FILE:LINE: reason`` (LINE counts every physical line, a CSV
header included) and skipped; exit code 3 says so.

Modules: ``readers`` (input to Records), ``worker`` (the engine a process holds, judging one chunk),
``remote`` (judging through a service), ``resume`` (ids already written), ``report`` (progress, summary),
``runner`` (the command), ``records`` (what travels between them).

The public interface, which acctcheck.distributed (and anything else that spreads a scan) uses:

- :class:`ScanOptions`, :func:`run_scan`: the whole command.
- :func:`read_jsonl`, :func:`read_csv`: input to :class:`Record` s; :func:`chunks` groups them into chunks of
  :data:`Item` (resumed ids skipped, duplicate ids refused).
- :func:`load_engine` (once per process and rules key), :func:`engine_key`, :func:`engine_revision`,
  :func:`judge_chunk`: a chunk of Items to :class:`Outcome` s, in a worker process; :func:`admit_record` is
  the admission each record passes.
- :func:`ordered`: a bounded window of chunks in flight on any executor, results in input order.
- :class:`ScanError`: stops the scan with exit code 2.
"""

from acctcheck.scan.readers import read_csv, read_jsonl
from acctcheck.scan.records import Complaint, Item, Outcome, Record, ScanError
from acctcheck.scan.report import Summary
from acctcheck.scan.runner import ScanOptions, chunks, main, ordered, run_scan
from acctcheck.scan.worker import admit_record, engine_key, engine_revision, judge_chunk, load_engine

__all__ = [
    "Complaint", "Item", "Outcome", "Record", "ScanError", "ScanOptions", "Summary", "admit_record", "chunks",
    "engine_key", "engine_revision", "judge_chunk", "load_engine", "main", "ordered", "read_csv", "read_jsonl",
    "run_scan",
]
