"""Prometheus metrics through prometheus-client, so that one scrape covers every worker of a pod.

`acctcheck serve` gives its workers a fresh PROMETHEUS_MULTIPROC_DIR (acctcheck.metrics_dir): every worker
writes its values to memory-mapped files there and a scrape, answered by any worker, merges them all
(prometheus-client's multiprocess mode). Without that variable (the app in a test, or under another server)
the values live in the process, as they did before.

Hot path: a request adds to plain dicts (as the hand-written counters did, ~1 µs); `flush` writes the totals
to prometheus-client on the event loop's next turn, one write per series touched however many requests that
turn answered. A multiprocess write costs ~1.5 µs (a lock, getpid, the mmap), and a request touches four
series or more, so writing each request at once would cost ~5 µs of the ~280 µs a request takes
(bench/metrics_bench.py prints both). A request is in the files before its worker reads the next one.

The rule store's state (reloads ok/failed, the active revision per worker, the last reload's error) is copied
into the metrics by `sync` at every scrape (the answering worker) and every second by each worker
(`follow_store`): a worker that is not scraped still shows its revision within a second of a swap.
"""

from __future__ import annotations

import asyncio
import glob
import os
from bisect import bisect_left
from collections.abc import Hashable
from typing import Literal, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.values import ValueClass

from acctcheck.categories import Category
from acctcheck.contract import Verdict
from acctcheck.metrics_dir import other_process_running
from acctcheck.reload import RuleStore

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
# Seconds. /validate is sub-millisecond in the engine; the upper buckets catch event-loop stalls.
BUCKETS: tuple[float, ...] = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
SYNC_INTERVAL_S = 1.0
_K = TypeVar("_K", bound=Hashable)

disable_created_metrics()  # `_created` series double the output and no dashboard here reads them


def multiprocess_dir() -> str | None:
    """The directory shared by this pod's workers, when prometheus-client runs in multiprocess mode."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") if getattr(ValueClass, "_multiprocess", False) else None


class _PendingLatency:
    """One endpoint's latencies since the last flush: their sum and a count per bucket (+Inf last)."""

    __slots__ = ("counts", "total")

    def __init__(self) -> None:
        self.total = 0.0
        self.counts = [0] * (len(BUCKETS) + 1)


class Metrics:
    """The metrics of one process. `observe_*` are the hot path; `render` answers a scrape."""

    def __init__(self) -> None:
        self.dir = multiprocess_dir()
        # In multiprocess mode values are files keyed by name, so the metric objects never need a registry;
        # in-process, each Metrics has its own (several apps in one test process do not collide).
        self.registry = CollectorRegistry(auto_describe=False)
        reg = self.registry
        live: Literal["liveall"] = "liveall"  # one series per live worker (a `pid` label in multiprocess mode)
        self.requests = Counter("acctcheck_requests", "HTTP requests by route template and status",
                                ["endpoint", "status"], registry=reg)
        self.latency = Histogram("acctcheck_request_seconds", "request latency in seconds, to the last body byte",
                                 ["endpoint"], buckets=BUCKETS, registry=reg)
        self.decisions = Counter("acctcheck_decisions", "validate decisions (pass, review, reject)", ["decision"],
                                 registry=reg)
        self.findings = Counter("acctcheck_findings",
                                "findings by category; mode=shadow counts shadow rules, which never decide",
                                ["category", "mode"], registry=reg)
        self.reloads = Counter("acctcheck_reloads", "rule set builds: ok = activated or confirmed, failed = refused",
                               ["result"], registry=reg)
        self.rules_info = Gauge("acctcheck_rules_info", "1 for the rules revision a worker serves (0: one it left)",
                                ["revision"], registry=reg, multiprocess_mode=live)
        self.rules_terms = Gauge("acctcheck_rules_terms", "compiled terms in the active snapshot", registry=reg,
                                 multiprocess_mode=live)
        self.last_error = Gauge("acctcheck_rules_last_error", "1 while the last reload attempt was refused",
                                registry=reg, multiprocess_mode=live)
        self.activated = Gauge("acctcheck_rules_activated_timestamp_seconds",
                               "when the active revision was swapped in", registry=reg, multiprocess_mode=live)
        self.workers = Gauge("acctcheck_workers", "worker processes serving (summed over the pod's workers)",
                             registry=reg, multiprocess_mode="livesum")
        self.workers.set(1)
        for result in ("ok", "failed"):
            self.reloads.labels(result)  # both series exist from the start: rate() and alerts see a zero
        # counted on the hot path, written to the metrics once per event-loop turn (`flush`)
        self._pending_requests: dict[tuple[str, int], int] = {}
        self._pending_latency: dict[str, _PendingLatency] = {}
        self._pending_decisions: dict[str, int] = {}
        self._pending_findings: dict[tuple[Category, str], int] = {}  # (category, mode)
        self._flush_scheduled = False
        # label children, made once: (family, label key) -> child, and endpoint -> latency child
        self._counters: dict[tuple[Counter, Hashable], Counter] = {}
        self._latencies: dict[str, Histogram] = {}
        self._seen: tuple[int, int] = (0, 0)
        self._revision: str | None = None

    # -- hot path ------------------------------------------------------------------------------------------
    def observe_request(self, endpoint: str, status: int, seconds: float) -> None:
        key = (endpoint, status)
        pending = self._pending_requests
        pending[key] = pending.get(key, 0) + 1
        hist = self._pending_latency.get(endpoint)
        if hist is None:
            hist = self._pending_latency[endpoint] = _PendingLatency()
        hist.total += seconds
        hist.counts[bisect_left(BUCKETS, seconds)] += 1  # le is inclusive: bisect_left finds the first bound >= v
        if not self._flush_scheduled:
            self._schedule_flush()

    def observe_verdict(self, verdict: Verdict) -> None:
        """Count a Verdict: its decision, and every finding by category and mode (shadow rules included)."""
        pending = self._pending_decisions
        pending[verdict.decision] = pending.get(verdict.decision, 0) + 1
        findings = self._pending_findings
        for f in verdict.findings:
            key = (f.category, "enforce")
            findings[key] = findings.get(key, 0) + 1
        for f in verdict.shadow_findings:
            key = (f.category, "shadow")
            findings[key] = findings.get(key, 0) + 1
        if not self._flush_scheduled:
            self._schedule_flush()

    def _schedule_flush(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a script, a bench): write at once
            self.flush()
            return
        self._flush_scheduled = True
        loop.call_soon(self.flush)

    def flush(self) -> None:
        """Write what was counted since the last flush: one write per series touched, however many requests.
        Runs on the event loop's next turn (before this worker reads more from the network), and at a scrape."""
        self._flush_scheduled = False
        self._flush_counts(self.requests, self._pending_requests)
        self._flush_counts(self.decisions, self._pending_decisions)
        self._flush_counts(self.findings, self._pending_findings)
        if self._pending_latency:
            children = self._latencies
            for endpoint, pending in self._pending_latency.items():
                child = children.get(endpoint)
                if child is None:
                    child = children[endpoint] = self.latency.labels(endpoint)
                # the Histogram child's own values: observe() takes one observation, these are many
                child._sum.inc(pending.total)
                for bucket, n in zip(child._buckets, pending.counts, strict=True):  # both end with +Inf
                    if n:
                        bucket.inc(n)
            self._pending_latency.clear()

    def _flush_counts(self, family: Counter, pending: dict[_K, int]) -> None:
        """Add the pending counts to `family`, keyed by its label values (one, or a tuple of them)."""
        if not pending:
            return
        children = self._counters
        for key, n in pending.items():
            child = children.get((family, key))
            if child is None:
                labels = tuple(map(str, key)) if isinstance(key, tuple) else (str(key),)
                child = children[(family, key)] = family.labels(*labels)
            child.inc(n)
        pending.clear()

    # -- rule store and scrape -----------------------------------------------------------------------------
    def sync(self, store: RuleStore) -> None:
        """Copy the store's reload counts and active revision into the metrics (idempotent, cheap)."""
        ok, failed = store.successes, store.failures
        seen_ok, seen_failed = self._seen
        if ok > seen_ok:
            self.reloads.labels("ok").inc(ok - seen_ok)
        if failed > seen_failed:
            self.reloads.labels("failed").inc(failed - seen_failed)
        self._seen = (ok, failed)
        self.last_error.set(1 if store.last_error else 0)
        snap = store.snapshot
        revision = snap.revision if snap is not None else None
        if revision != self._revision:
            if self._revision is not None:
                if self.dir is None:
                    self.rules_info.remove(self._revision)
                else:  # a multiprocess file cannot drop a series: the left revision reads 0 until the worker exits
                    self.rules_info.labels(self._revision).set(0)
            if revision is not None:
                self.rules_info.labels(revision).set(1)
            self._revision = revision
        self.rules_terms.set(snap.term_count if snap is not None else 0)
        if store.activated_at is not None:
            self.activated.set(store.activated_at.timestamp())

    def render(self, store: RuleStore | None = None) -> str:
        self.flush()
        if store is not None:
            self.sync(store)
        if self.dir is None:
            body = generate_latest(self.registry)
        else:
            merged = CollectorRegistry(auto_describe=False)
            MultiProcessCollector(merged, self.dir)
            body = generate_latest(merged)
        return body.decode() + (
            "# HELP acctcheck_process_info the worker process that answered this scrape\n"
            "# TYPE acctcheck_process_info gauge\n"
            f'acctcheck_process_info{{pid="{os.getpid()}"}} 1\n')

    def close(self) -> None:
        """At a worker's exit: its per-worker gauges leave the merged view (its counters stay in the sums)."""
        self.flush()
        if self.dir is not None:
            mark_process_dead(os.getpid(), self.dir)

    def forget_dead_workers(self) -> None:
        """Drop the per-worker gauges of workers that died without `close` (killed, crashed): the supervisor
        starts a replacement, whose start calls this."""
        if self.dir is None:
            return
        for path in glob.glob(os.path.join(self.dir, "gauge_live*_*.db")):
            pid = os.path.basename(path)[:-3].rsplit("_", 1)[-1]
            if pid.isdigit() and int(pid) != os.getpid() and not other_process_running(int(pid)):
                mark_process_dead(int(pid), self.dir)


async def follow_store(metrics: Metrics, store: RuleStore, interval_s: float = SYNC_INTERVAL_S) -> None:
    """Keep this worker's rule-store metrics current while it runs (cancelled at shutdown)."""
    while True:
        metrics.sync(store)
        await asyncio.sleep(interval_s)
