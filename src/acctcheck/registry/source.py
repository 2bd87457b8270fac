"""Reading a registry file: UTF-8 text, one entry a line, `name` or `name<TAB>account_id`, `#` comments,
gzip when the name ends in .gz. Streams line by line: a daily file holds millions of names."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

MAX_NAME_CHARS = 64
MAX_ACCOUNT_ID_CHARS = 128  # the same limit as the request's account_id


class RegistryFileError(ValueError):
    """The file as a whole cannot be read (missing, not UTF-8, not gzip)."""


@dataclass(frozen=True, slots=True)
class Entry:
    line: int
    name: str
    account_id: str  # "" when the line has none


@dataclass(frozen=True, slots=True)
class BadLine:
    line: int
    reason: str


def file_digest(path: Path) -> str:
    """sha256 of the file as stored (compressed bytes for .gz); hashlib releases the GIL on each chunk."""
    try:
        with path.open("rb") as f:
            return "sha256:" + hashlib.file_digest(f, "sha256").hexdigest()
    except OSError as exc:
        raise RegistryFileError(f"cannot read {path.name}: {exc.strerror or exc}") from None


def read_source(path: Path) -> tuple[str, bytes]:
    """(digest, bytes) from one read, so what is compiled is exactly what the digest names even when the file
    is replaced meanwhile."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RegistryFileError(f"cannot read {path.name}: {exc.strerror or exc}") from None
    return "sha256:" + hashlib.sha256(data).hexdigest(), data


def read_entries(path: Path, bad: list[BadLine] | None = None, data: bytes | None = None) -> Iterator[Entry]:
    """Entries in file order. Lines that cannot be an entry (empty name, too long, more than one tab) go to
    `bad` (when given) instead of stopping the read: one stray line must not hold back a daily refresh, and
    the compiler reports every one of them."""
    no = 0
    try:
        with contextlib.ExitStack() as stack:
            raw_io = stack.enter_context(io.BytesIO(data) if data is not None else path.open("rb"))
            if path.name.endswith(".gz"):  # GzipFile does not close the file it reads: the stack does
                raw_io = stack.enter_context(gzip.GzipFile(fileobj=raw_io, mode="rb"))
            f = stack.enter_context(io.TextIOWrapper(cast("IO[bytes]", raw_io), encoding="utf-8", errors="strict",
                                                     newline=None))
            for no, raw in enumerate(f, 1):
                line = raw.rstrip("\r\n")
                stripped = line.strip()
                if not stripped or stripped.startswith("#"):
                    continue
                name, tab, account = line.partition("\t")
                name, account = name.strip(), account.strip()
                reason = None
                if "\t" in account:
                    reason = "more than one tab"
                elif not name:
                    reason = "empty name"
                elif len(name) > MAX_NAME_CHARS:
                    reason = f"name longer than {MAX_NAME_CHARS} characters"
                elif len(account) > MAX_ACCOUNT_ID_CHARS:
                    reason = f"account id longer than {MAX_ACCOUNT_ID_CHARS} characters"
                elif tab and not account:
                    reason = "a tab but no account id"
                if reason is not None:
                    if bad is not None:
                        bad.append(BadLine(no, reason))
                    continue
                yield Entry(no, name, account)
    except UnicodeDecodeError as exc:
        raise RegistryFileError(f"{path.name} is not UTF-8 ({exc.reason}, after line {no})") from None
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise RegistryFileError(f"cannot read {path.name}: {getattr(exc, 'strerror', None) or exc}") from None
