"""Prometheus metrics, hand-written: a few dict increments per request (≈1 µs) instead of a client library's
locks and label objects on the hot path, and no extra dependency.

Metrics are per process. Request counters are only touched from the event loop thread (single-threaded);
reload counters and the active revision are read from the RuleStore at scrape time, so there is one source of
truth for them. With `--workers N` a scrape reaches one worker: see docs/operations.md.
"""

from __future__ import annotations

import os
from bisect import bisect_left
from typing import Any

from acctcheck.reload import RuleStore

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Seconds. /validate is sub-millisecond in the engine; the upper buckets catch event-loop stalls.
BUCKETS: tuple[float, ...] = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Histogram:
    __slots__ = ("counts", "sum")

    def __init__(self) -> None:
        self.counts = [0] * (len(BUCKETS) + 1)  # last slot: above every bound (+Inf only)
        self.sum = 0.0

    def observe(self, value: float) -> None:
        self.counts[bisect_left(BUCKETS, value)] += 1
        self.sum += value


class Metrics:
    """Counters of one process. `observe_*` are the hot path; `render` runs on a scrape."""

    def __init__(self) -> None:
        self.requests: dict[tuple[str, int], int] = {}
        self.latency: dict[str, Histogram] = {}
        self.decisions: dict[str, int] = {}
        self.findings: dict[tuple[str, str], int] = {}

    def observe_request(self, endpoint: str, status: int, seconds: float) -> None:
        key = (endpoint, status)
        self.requests[key] = self.requests.get(key, 0) + 1
        hist = self.latency.get(endpoint)
        if hist is None:
            hist = self.latency[endpoint] = Histogram()
        hist.observe(seconds)

    def observe_verdict(self, verdict: Any) -> None:
        """Count a Verdict: its decision, and every finding by category and mode (shadow rules included)."""
        self.decisions[verdict.decision] = self.decisions.get(verdict.decision, 0) + 1
        findings = self.findings
        for f in verdict.findings:
            key = (f.category, "enforce")
            findings[key] = findings.get(key, 0) + 1
        for f in verdict.shadow_findings:
            key = (f.category, "shadow")
            findings[key] = findings.get(key, 0) + 1

    def render(self, store: RuleStore | None = None) -> str:
        out: list[str] = []
        head(out, "acctcheck_requests_total", "counter", "HTTP requests by route template and status")
        for (endpoint, status), n in sorted(self.requests.items()):
            out.append(f'acctcheck_requests_total{{endpoint="{esc(endpoint)}",status="{status}"}} {n}')
        head(out, "acctcheck_request_seconds", "histogram", "request latency in seconds, to the last body byte")
        for endpoint, hist in sorted(self.latency.items()):
            ep = esc(endpoint)
            total = 0
            for bound, n in zip(BUCKETS, hist.counts):
                total += n
                out.append(f'acctcheck_request_seconds_bucket{{endpoint="{ep}",le="{bound}"}} {total}')
            total += hist.counts[-1]
            out.append(f'acctcheck_request_seconds_bucket{{endpoint="{ep}",le="+Inf"}} {total}')
            out.append(f'acctcheck_request_seconds_sum{{endpoint="{ep}"}} {hist.sum!r}')
            out.append(f'acctcheck_request_seconds_count{{endpoint="{ep}"}} {total}')
        head(out, "acctcheck_decisions_total", "counter", "validate decisions (pass, review, reject)")
        for decision, n in sorted(self.decisions.items()):
            out.append(f'acctcheck_decisions_total{{decision="{esc(decision)}"}} {n}')
        head(out, "acctcheck_findings_total", "counter",
             "findings by category; mode=shadow counts shadow rules, which never decide")
        for (category, mode), n in sorted(self.findings.items()):
            out.append(f'acctcheck_findings_total{{category="{esc(str(category))}",mode="{mode}"}} {n}')
        if store is not None:
            render_store(out, store)
        head(out, "acctcheck_process_info", "gauge", "the worker process that answered this scrape")
        out.append(f'acctcheck_process_info{{pid="{os.getpid()}"}} 1')
        return "\n".join(out) + "\n"


def render_store(out: list[str], store: RuleStore) -> None:
    head(out, "acctcheck_reloads_total", "counter", "rule set builds: ok = activated or confirmed, failed = refused")
    out.append(f'acctcheck_reloads_total{{result="ok"}} {store.successes}')
    out.append(f'acctcheck_reloads_total{{result="failed"}} {store.failures}')
    snap = store.snapshot
    head(out, "acctcheck_rules_info", "gauge", "the active rules revision (value is always 1)")
    if snap is not None:
        out.append(f'acctcheck_rules_info{{revision="{esc(snap.revision)}"}} 1')
    head(out, "acctcheck_rules_terms", "gauge", "compiled terms in the active snapshot")
    out.append(f"acctcheck_rules_terms {snap.term_count if snap is not None else 0}")
    head(out, "acctcheck_rules_last_error", "gauge", "1 while the last reload attempt was refused")
    out.append(f"acctcheck_rules_last_error {1 if store.last_error else 0}")
    if store.activated_at is not None:
        head(out, "acctcheck_rules_activated_timestamp_seconds", "gauge", "when the active revision was swapped in")
        out.append(f"acctcheck_rules_activated_timestamp_seconds {store.activated_at.timestamp()!r}")


def head(out: list[str], name: str, kind: str, help_text: str) -> None:
    out.append(f"# HELP {name} {help_text}")
    out.append(f"# TYPE {name} {kind}")


def esc(value: str) -> str:
    """Label value escaping of the text exposition format."""
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
