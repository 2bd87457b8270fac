"""Structured JSON logs (one object per line) for `acctcheck serve`, uvicorn's own loggers included.

Privacy rule: account field values never reach a log line. The decision log carries ids, categories and
timings only; as a safety net every other string at INFO and below has long digit runs (phone, ID-card, QQ
numbers) masked, in case a message ever interpolates user input.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any

import orjson

# Attributes every LogRecord has; anything else was passed through `extra=` and is emitted as a field.
_STANDARD = frozenset(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None))) | {
    "message", "asctime", "taskName", "color_message"}  # uvicorn duplicates msg with ANSI colours
_DIGIT_RUN = re.compile(r"\d(?:[\s\-.]?\d){6,}")
# Fields we generate ourselves (never user input), exempt from masking.
SAFE_FIELDS = frozenset({"decision_id", "rules_revision", "revision", "latency_ms", "categories",
                         "shadow_categories", "rules", "decision", "event", "trigger", "pid"})


def mask(text: str) -> str:
    """Replace runs of 7+ digits (separators allowed) with a marker."""
    return _DIGIT_RUN.sub("[digits]", text) if any(c.isdigit() for c in text) else text


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        quiet = record.levelno <= logging.INFO
        msg = record.getMessage()
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": mask(msg) if quiet else msg,
        }
        for key, value in record.__dict__.items():
            if key in _STANDARD or key.startswith("_"):
                continue
            if quiet and key not in SAFE_FIELDS and isinstance(value, str):
                value = mask(value)
            out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(out, default=str).decode()


def log_config(level: str = "info", fmt: str = "json") -> dict[str, Any]:
    """A logging.config dict for uvicorn (applied in every worker process)."""
    lvl = level.upper()
    formatter = ({"()": "acctcheck.logging_setup.JsonFormatter"} if fmt == "json"
                 else {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"})
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "main", "stream": "ext://sys.stderr"}},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": lvl, "propagate": False},
            "uvicorn.access": {"handlers": ["stderr"], "level": lvl, "propagate": False},
            "acctcheck": {"handlers": ["stderr"], "level": lvl, "propagate": False},
        },
        "root": {"handlers": ["stderr"], "level": "WARNING"},
    }
