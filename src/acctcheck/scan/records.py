"""What travels through a scan: records read from the input, chunks of them to judge, and the outcome of each."""

from __future__ import annotations

from typing import NamedTuple

import orjson
from pydantic import JsonValue

Ident = str | int  # an account's id: a non-empty string or an integer
Request = dict[str, JsonValue]  # the /validate request keys of one record


class ScanError(Exception):
    """A problem that stops the whole scan (bad rules, an unreadable file or header, an unreachable cluster)."""


class Complaint(NamedTuple):
    """Why one input line is not judged: the service's error code for it (invalid_json, field_too_long, …, or
    duplicate_id) and the text printed as ``FILE:LINE: text``."""

    error: str
    text: str


class Record(NamedTuple):
    """One account read from the input (`ident` and `request` set), or a line that could not be read (only
    `complaint` set)."""

    line_no: int  # where the record starts, counting every physical line (a CSV header included)
    ident: Ident | None
    request: Request | None
    complaint: Complaint | None


# What a chunk holds (picklable, sent to worker processes): (line number, id, request), or (line number,
# complaint, None) for a line found malformed while reading, carried along so that every complaint is printed
# in line order.
Item = tuple[int, Ident | Complaint, Request | None]


class Outcome(NamedTuple):
    """The result for one Item: the output line, or None and the complaint."""

    line_no: int
    line: bytes | None  # the output line `{"id": …, "verdict": …}`; None for a refused record
    what: str  # the decision, or the complaint's text
    categories: tuple[str, ...] = ()  # the verdict's finding categories
    error: str | None = None  # a refused record's error code, the one the service answers with

    @classmethod
    def refused(cls, line_no: int, complaint: Complaint) -> Outcome:
        return cls(line_no, None, complaint.text, (), complaint.error)


def output_line(ident: Ident, verdict_json: bytes) -> bytes:
    return b'{"id":' + orjson.dumps(ident) + b',"verdict":' + verdict_json + b"}\n"
