"""Reading the scan's input: JSON Lines or CSV, one Record per account, with the line it starts on.

A JSON line is parsed by the service's own parser (acctcheck.admission.parse_json), so a line the service
would refuse as a body (duplicate keys, bytes that are not UTF-8) is refused here with the same code."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from pydantic import JsonValue

from acctcheck.admission import Refusal, parse_json
from acctcheck.contract import TEXT_FIELDS
from acctcheck.scan.records import Complaint, Ident, Record, Request, ScanError

CSV_COLUMNS = ("id", "account_type", *TEXT_FIELDS, "ip", "verified")


def _record_id(rec: dict[str, JsonValue]) -> Ident:
    ident = rec.pop("id", None)
    if isinstance(ident, bool) or not isinstance(ident, (str, int)) or ident == "":
        raise ValueError('every line needs an "id" (a non-empty string or an integer)')
    return ident


def read_jsonl(lines: Iterable[bytes]) -> Iterator[Record]:
    """A Record per non-blank line (`lines`: a file opened "rb", or any iterable of byte lines)."""
    for line_no, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            rec = parse_json(raw)
        except Refusal as exc:
            yield Record(line_no, None, None, Complaint(exc.error, f"not JSON: {exc.one_line()}"))
            continue
        if not isinstance(rec, dict):
            yield Record(line_no, None, None, Complaint("invalid_request", "not a JSON object"))
            continue
        try:
            ident = _record_id(rec)
        except ValueError as exc:
            yield Record(line_no, None, None, Complaint("invalid_request", str(exc)))
            continue
        yield Record(line_no, ident, rec, None)


def _csv_request(row: dict[str, str]) -> Request:
    req: Request = {"fields": {k: row[k] for k in TEXT_FIELDS if row.get(k)}}
    if row.get("account_type"):
        req["account_type"] = row["account_type"]
    if row.get("ip"):
        req["ip"] = row["ip"]
    if row.get("verified"):
        req["verified"] = parse_json(row["verified"].encode("utf-8", "surrogateescape"))
    return req


def read_csv(stream: IO[bytes]) -> Iterator[Record]:
    """A Record per CSV record; ScanError for a header that is not the contract's columns."""
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
            yield Record(line_no, None, None, Complaint("invalid_request", f"expected {len(header)} columns"))
            continue
        ident = row["id"].strip()
        if not ident:
            yield Record(line_no, None, None, Complaint("invalid_request", "empty id"))
            continue
        try:
            yield Record(line_no, ident, _csv_request(row), None)
        except Refusal as exc:
            yield Record(line_no, None, None, Complaint(exc.error, f"verified column is not JSON: {exc.one_line()}"))


def count_lines(path: Path) -> int | None:
    """Total lines for the progress bar's ETA (about 0.3 s per GB); None for pipes."""
    if not path.is_file():
        return None
    n = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            n += chunk.count(b"\n")
    return n
