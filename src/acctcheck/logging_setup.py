"""Structured JSON logs (one object per line) for `acctcheck serve`, uvicorn's own loggers included.

Privacy rule: account field values never reach a log line. The decision log carries ids, categories and
timings only; as a safety net every other string at INFO and below has long digit runs (phone, ID-card, QQ
numbers) masked, in case a message ever interpolates user input.
"""

from __future__ import annotations

import logging
import os
import re
import select
import stat
import sys
import threading
import time
import weakref
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TextIO, cast

import orjson

# Attributes every LogRecord has; anything else was passed through `extra=` and is emitted as a field.
_STANDARD = frozenset(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None))) | {
    "message", "asctime", "taskName", "color_message"}  # uvicorn duplicates msg with ANSI colours
_DIGIT = re.compile(r"\d")
_DIGIT_RUN = re.compile(r"\d(?:[\s\-.]?\d){6,}")
# Fields we generate ourselves (never user input), exempt from masking.
SAFE_FIELDS = frozenset({"decision_id", "rules_revision", "revision", "latency_ms", "categories",
                         "shadow_categories", "rules", "decision", "event", "trigger", "pid"})


def mask(text: str) -> str:
    """Replace runs of 7+ digits (separators allowed) with a marker."""
    return _DIGIT_RUN.sub("[digits]", text) if _DIGIT.search(text) else text


class JsonFormatter(logging.Formatter):
    """One JSON object per line. A record whose `extra` is a single `safe` dict (the decision log, built
    from fields we generate ourselves) skips the masking walk: that line is written on every request."""

    _second = -1
    _stamp = ""

    def __init__(self) -> None:  # the line's layout is fixed: no format string to take
        super().__init__()
        # Our lines never carry thread or process names, so LogRecord need not look them up (the logging
        # module's documented switches; this runs in every worker, where dictConfig builds the formatter).
        logging.logThreads = False
        logging.logProcesses = False
        logging.logMultiprocessing = False

    def _ts(self, created: float) -> str:
        second = int(created)
        if second != self._second:  # the date part changes once a second: format it once a second
            self._stamp = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
            self._second = second
        return f"{self._stamp}.{int((created - second) * 1000):03d}+00:00"

    def safe_line(self, logger: str, msg: str, safe: Mapping[str, object]) -> str:
        """The INFO line `format` writes for a record whose extra is `safe` (SAFE_FIELDS only), without a
        LogRecord: what the decision log writes on every request."""
        out: dict[str, object] = {"ts": self._ts(time.time()), "level": "info", "logger": logger, "msg": msg}
        out.update(safe)
        return self.render(out)

    def render(self, out: dict[str, object]) -> str:
        """The line for one record's fields (ts, level, logger, msg, then the record's own)."""
        return orjson.dumps(out, default=str).decode()

    def format(self, record: logging.LogRecord) -> str:
        quiet = record.levelno <= logging.INFO
        msg = record.getMessage()
        out: dict[str, object] = {
            "ts": self._ts(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": mask(msg) if quiet else msg,
        }
        safe = record.__dict__.get("safe")
        if isinstance(safe, dict) and safe.keys() <= SAFE_FIELDS:
            out.update(safe)
        else:
            for key, value in record.__dict__.items():
                if key in _STANDARD or key.startswith("_"):
                    continue
                if quiet and key not in SAFE_FIELDS:
                    if isinstance(value, str):
                        value = mask(value)
                    elif isinstance(value, (dict, list, tuple)):  # containers are masked as their JSON text
                        value = mask(orjson.dumps(value, default=str).decode())
                out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return self.render(out)


class TextFormatter(JsonFormatter):
    """`--log-format text`: the same fields and masking as the JSON lines, for a human reading a terminal:
    `ts level logger message key=value …` (revision, file, errors, decision… are kept; values with spaces
    or structure are written as JSON)."""

    def render(self, out: dict[str, object]) -> str:
        head = f"{out.pop('ts')} {str(out.pop('level')).upper():<7} {out.pop('logger')} {out.pop('msg')}"
        exc = out.pop("exc", None)
        parts = [head, *(f"{key}={_text_value(value)}" for key, value in out.items())]
        return " ".join(parts) + (f"\n{exc}" if exc else "")


def _text_value(value: object) -> str:
    if isinstance(value, str) and value and not any(c.isspace() or c in "\"=" for c in value):
        return value
    return orjson.dumps(value, default=str).decode()


class WholeLines:
    """A write-only text stream over a descriptor that hands the OS whole lines only.

    Workers of one service share stderr. A buffered TextIOWrapper flushes wherever its buffer fills, mid-line,
    so two workers' blocks interleave into broken JSON lines. Here the buffer holds complete lines (every
    `write` is one formatted record) and `flush` writes them in runs of whole lines, each run one system call;
    on a pipe a run is at most PIPE_BUF bytes, which POSIX writes atomically. A single line longer than that
    goes alone (it cannot be atomic on a pipe)."""

    def __init__(self, fd: int, limit: int = 1 << 16) -> None:
        self._fd = fd
        self._limit = limit
        self._pending: list[bytes] = []
        self._size = 0
        self._run = select.PIPE_BUF if stat.S_ISFIFO(os.fstat(fd).st_mode) else limit
        self.closed = False

    def write(self, text: str) -> int:
        data = text.encode("utf-8", "backslashreplace")
        self._pending.append(data)
        self._size += len(data)
        if self._size >= self._limit:
            self.flush()
        return len(text)

    def flush(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed file")
        pending, self._pending, self._size = self._pending, [], 0
        run = bytearray()
        for data in pending:
            if run and len(run) + len(data) > self._run:
                self._write_all(run)
                run = bytearray()
            run += data
        if run:
            self._write_all(run)

    def _write_all(self, data: bytearray) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view):]

    def close(self) -> None:
        if not self.closed:
            try:
                self.flush()
            finally:
                self.closed = True
                os.close(self._fd)


class BufferedStderrHandler(logging.StreamHandler[TextIO]):
    """stderr written in blocks. With a decision line per request, one write system call per line cost the
    service more than building the line. Lines reach stderr within `interval` seconds (a background thread
    flushes), at once for WARNING and above, and at exit (logging.shutdown flushes every handler). A process
    killed with SIGKILL loses at most the last `interval` of INFO lines."""

    def __init__(self, interval: float = 0.2) -> None:
        # `warnings.warn` (Pillow's about odd images, a library's deprecation) would print raw lines on stderr;
        # routed to the "py.warnings" logger (log_config) they are formatted like every other line
        logging.captureWarnings(True)
        self.immediate = False  # set at shutdown (unbuffer_logs): every line is flushed as it is written
        _BUFFERED.add(self)
        stream: TextIO
        try:
            stream = cast(TextIO, WholeLines(os.dup(sys.stderr.fileno())))
        except (AttributeError, OSError, ValueError):  # stderr replaced by an object without a descriptor
            stream = sys.stderr
        super().__init__(stream)
        self._interval = interval
        threading.Thread(target=self._flush_every_interval, name="log-flush", daemon=True).start()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.stream.write(self.format(record) + self.terminator)
            if record.levelno >= logging.WARNING or self.immediate:
                self.stream.flush()
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)

    def takes_safe_lines(self) -> bool:
        """Whether `write_safe` writes what `emit` would (our formatter, no filters, INFO passes)."""
        return isinstance(self.formatter, JsonFormatter) and not self.filters and self.level <= logging.INFO

    def write_safe(self, logger: str, msg: str, safe: Mapping[str, object]) -> None:
        """Write the line `emit` would write for a `safe` record; only where `takes_safe_lines`."""
        line = cast(JsonFormatter, self.formatter).safe_line(logger, msg, safe) + self.terminator
        self.acquire()
        try:
            self.stream.write(line)
            if self.immediate:
                self.stream.flush()
        finally:
            self.release()

    def close(self) -> None:
        """Flush, and close the duplicated descriptor (StreamHandler leaves streams it was given open)."""
        self.acquire()  # Handler.lock is typed optional; acquire/release are its typed interface
        try:
            try:
                self.flush()
            finally:
                if self.stream is not sys.stderr and not self.stream.closed:
                    self.stream.close()
                super().close()
        finally:
            self.release()

    def _flush_every_interval(self) -> None:
        while True:
            time.sleep(self._interval)
            try:
                self.flush()
            except ValueError:  # closed at shutdown
                return
            except OSError:  # stderr gone (a closed pipe): those lines are lost, later ones may still go
                pass


def log_config(level: str = "info", fmt: str = "json") -> dict[str, Any]:
    """A logging.config dict for uvicorn (applied in every worker process)."""
    lvl = level.upper()
    formatter = {"()": f"acctcheck.logging_setup.{'JsonFormatter' if fmt == 'json' else 'TextFormatter'}"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "handlers": {"stderr": {"()": "acctcheck.logging_setup.BufferedStderrHandler", "formatter": "main"}},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": lvl, "propagate": False},
            "uvicorn.access": {"handlers": ["stderr"], "level": lvl, "propagate": False},
            "acctcheck": {"handlers": ["stderr"], "level": lvl, "propagate": False},
            "py.warnings": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        },
        "root": {"handlers": ["stderr"], "level": "WARNING"},
    }


_BUFFERED: weakref.WeakSet[BufferedStderrHandler] = weakref.WeakSet()


def unbuffer_logs() -> None:
    """Flush every buffered handler and write every later line at once. Called when the service shuts down:
    uvicorn ends a SIGTERM by re-raising the signal, which kills the process without running atexit (so
    logging.shutdown never flushes), and its last lines come after the application has stopped."""
    for handler in list(_BUFFERED):
        handler.immediate = True
        try:
            handler.flush()
        except ValueError:  # already closed
            pass


def log_safe(logger: logging.Logger, msg: str, safe: Mapping[str, object]) -> None:
    """One INFO line of fields we generate ourselves (SAFE_FIELDS) — the decision log, once per request.

    Where every handler that would receive the record is a BufferedStderrHandler with our formatter (JSON or
    text), the line is written without building a LogRecord or walking the logging machinery (together ~4 µs a
    request); any other configuration (filters, other handlers) takes the ordinary path."""
    if not logger.isEnabledFor(logging.INFO):
        return
    handlers: list[logging.Handler] = []
    node: logging.Logger | None = logger
    while node is not None:
        if node.filters:
            handlers = []
            break
        handlers.extend(node.handlers)
        node = node.parent if node.propagate else None
    direct = [h for h in handlers if isinstance(h, BufferedStderrHandler) and h.takes_safe_lines()]
    if handlers and len(direct) == len(handlers):
        for h in direct:
            h.write_safe(logger.name, msg, safe)
        return
    logger.handle(logger.makeRecord(logger.name, logging.INFO, "", 0, msg, (), None, extra={"safe": safe}))
