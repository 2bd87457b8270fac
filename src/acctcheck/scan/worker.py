"""Judging in a worker process: the engine each process holds (one snapshot, the IP databases, the limits)
and the judging of one chunk. The same code judges in the scan's own process, its process pool and on a Dask
worker (acctcheck.distributed), so every way of scanning answers alike."""

from __future__ import annotations

import signal
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from acctcheck.admission import AdmissionLimits, Refusal, admit_request, answering, lookup_region
from acctcheck.contract import ValidateRequest, Verdict
from acctcheck.scan.records import Complaint, Item, Outcome, output_line

if TYPE_CHECKING:
    from acctcheck.geo.resolver import GeoResolver
    from acctcheck.packs.snapshot import Snapshot


@dataclass
class _Engine:
    snapshot: Snapshot | None = None
    key: str | None = None  # what the snapshot was built from: a rules directory, or a bundle digest
    geo: GeoResolver | None = None
    limits: AdmissionLimits = AdmissionLimits()


_ENGINE = _Engine()  # one per process: under fork the parent's is inherited and reused


def load_engine(rules_dir: str, run_examples: bool = True, key: str | None = None) -> None:
    """Build this process's snapshot from `rules_dir`, once per `key` (default: the directory itself; a Dask
    worker passes its rules bundle's digest, the directory being a temporary copy). The stored artifact is
    loaded when there is one (artifact.snapshot_store.load_dir)."""
    key = key or rules_dir
    if _ENGINE.snapshot is not None and _ENGINE.key == key:
        return
    from acctcheck.artifact.snapshot_store import load_dir
    from acctcheck.settings import Settings

    settings = Settings()
    _ENGINE.snapshot = load_dir(Path(rules_dir), run_examples=run_examples)
    _ENGINE.key = key
    _ENGINE.limits = AdmissionLimits.from_settings(settings)
    try:
        from acctcheck.geo.resolver import GeoResolver

        _ENGINE.geo = GeoResolver(settings.geoip_main_db, settings.geoip_domestic_db)
    except Exception:
        _ENGINE.geo = None


def engine_key() -> str | None:
    """What this process's engine was built from (load_engine's key), or None before it was."""
    return _ENGINE.key if _ENGINE.snapshot is not None else None


def engine_revision() -> str:
    """The rules revision this process judges with."""
    if _ENGINE.snapshot is None:
        raise RuntimeError("load_engine first")
    return _ENGINE.snapshot.revision


def init_pool_worker(rules_dir: str) -> None:
    """A process pool's initializer: the parent handles Ctrl-C and stops the pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    load_engine(rules_dir, run_examples=False)


def admit_record(data: object, limits: AdmissionLimits) -> ValidateRequest:
    """A record as the service would admit its body (acctcheck.admission, located without "body.": the
    complaint reads `fields.bio is longer than …`), and without images, which a bulk scan does not decode."""
    req = admit_request(data, limits, ())
    if req.images is not None and req.images.items():
        raise Refusal(422, "images_not_scanned",
                      "images are not checked by a bulk scan; send this account to POST /validate")
    return req


def refused(exc: Refusal) -> Complaint:
    """`invalid request: fields.nickname: Field required`: the complaint names the field, as the API does."""
    return Complaint(exc.error, f"invalid request: {exc.one_line()}")


def categories_of(verdict: Verdict) -> tuple[str, ...]:
    return tuple(sorted({str(f.category) for f in verdict.findings}))


def judge_chunk(chunk: list[Item]) -> list[Outcome]:
    """Judge one chunk with this process's engine (load_engine first)."""
    from acctcheck.engine import validate

    snapshot = _ENGINE.snapshot
    if snapshot is None:
        raise RuntimeError("load_engine first")
    out: list[Outcome] = []
    for line_no, ident, data in chunk:
        if isinstance(ident, Complaint):  # malformed when read
            out.append(Outcome.refused(line_no, ident))
            continue
        try:
            req = admit_record(data, _ENGINE.limits)
            region = lookup_region(_ENGINE.geo, req.ip, ())
        except Refusal as exc:
            out.append(Outcome.refused(line_no, refused(exc)))
            continue
        verdict = validate(snapshot, req, ip_lookup=answering(region))
        out.append(Outcome(line_no, output_line(ident, verdict.model_dump_json().encode()), verdict.decision,
                           categories_of(verdict)))
    return out
