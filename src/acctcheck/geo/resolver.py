"""IP属地 lookup through ``geoip2.database.Reader.city()`` over up to two operator layers and an
embedded default.

Layers
- ``main``: the operator's GeoIP2/GeoLite2 City file (kept current by ``geoipupdate``). Answers the
  country everywhere.
- ``domestic``: a City-layout file with mainland provinces. Its answer wins for addresses it places in
  mainland China.
- ``embedded``: the package's own file (``data/embedded-city.mmdb``, ip2region provinces over NRO
  countries). It stands in for each layer that is not configured or has never loaded, so with no
  settings at all it serves alone, and with only a GeoLite2 main file it still supplies provinces
  (GeoLite2 has a province for about a quarter of mainland addresses). Pass ``embedded=False`` to
  switch the stand-in off.

Decision for one address (after the non-global check in ``labels``):
1. the domestic layer places it in mainland China with a province → that answer;
2. the domestic layer says mainland without a province → the main layer's answer if it also says
   mainland (it may know the province), else the domestic answer (``中国``);
3. otherwise the main layer's answer; otherwise the domestic layer's; otherwise ``未知`` (unknown).

Reload: :meth:`GeoResolver.refresh` re-stats the operator files and re-opens the changed ones. A file
that cannot be opened (garbage, wrong database type, half-written) leaves the last good reader serving
and is reported by :meth:`status`. Files are copied into private memory (a memfd on Linux) before they
are opened, so a file overwritten in place (``cp new old``) can never pull data out from under a
running reader; ``geoipupdate``'s atomic rename works either way.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import NamedTuple, TypedDict

import geoip2.database
import geoip2.errors
import maxminddb

from acctcheck.geo import labels
from acctcheck.geo.region import IpRegion

EMBEDDED_NAME = "embedded-city.mmdb"

# probes used to check that a freshly opened file answers without errors
_PROBES_V4 = (ipaddress.IPv4Address("1.0.1.1"), ipaddress.IPv4Address("8.8.8.8"))
_PROBES_V6 = (ipaddress.IPv6Address("2001:4860::1"), ipaddress.IPv6Address("240e::1"))


def embedded_path() -> Path:
    """Path of the embedded default database shipped as package data."""
    return Path(str(resources.files("acctcheck.geo").joinpath("data", EMBEDDED_NAME)))


def _utc(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="seconds")


def _date(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%d")


@dataclass(frozen=True)
class _Loaded:
    """One opened database (immutable; swapped as a whole)."""

    reader: geoip2.database.Reader
    source: str  # "main" | "domestic" | "embedded"
    database: str  # build date
    database_type: str
    build_epoch: int
    ip_version: int
    signature: tuple[int, int, int, int] | None  # (dev, ino, size, mtime_ns) of the file read
    loaded_at: float


class LayerStatus(TypedDict):
    """One database layer in /status (main, domestic, embedded)."""

    path: str | None
    configured: bool
    loaded: bool
    serving_as: list[str]  # "main" and/or "domestic": the roles it answers lookups in
    database_type: str | None
    build_date: str | None
    loaded_at: str | None  # ISO 8601, UTC
    error: str | None
    error_at: str | None


class GeoStatus(TypedDict):
    """/status's `ip_databases`."""

    layers: dict[str, LayerStatus]
    last_error: str | None
    ok: bool


@dataclass
class _Layer:
    name: str
    path: Path | None
    loaded: _Loaded | None = None
    seen: tuple[int, int, int, int] | None = None  # signature of the last file we tried
    error: str | None = None
    error_at: float | None = None


def _signature(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _open_reader(path: str) -> geoip2.database.Reader:
    try:
        return geoip2.database.Reader(path, mode=maxminddb.MODE_MMAP_EXT)
    except ValueError:  # C extension unavailable
        return geoip2.database.Reader(path, mode=maxminddb.MODE_AUTO)


def _open_private(path: Path) -> tuple[geoip2.database.Reader, tuple[int, int, int, int]]:
    """Open a private in-memory copy of ``path`` (memfd where available, else the file itself)."""
    with path.open("rb") as src:
        sig = _signature(os.fstat(src.fileno()))
        if not hasattr(os, "memfd_create") or not Path("/proc/self/fd").is_dir():
            return _open_reader(str(path)), sig
        fd = os.memfd_create("acctcheck-geo", getattr(os, "MFD_CLOEXEC", 0))
        try:
            with open(fd, "wb", closefd=False) as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            return _open_reader(f"/proc/self/fd/{fd}"), sig
        finally:
            os.close(fd)  # the reader's mapping keeps the memory alive


def _check(reader: geoip2.database.Reader) -> None:
    """Refuse files geoip2 cannot answer ``city()`` from, and corrupt ones that fail on first use."""
    meta = reader.metadata()
    if "City" not in meta.database_type:
        raise ValueError(f"database_type {meta.database_type!r} is not a City database")
    probes = _PROBES_V4 + (_PROBES_V6 if meta.ip_version == 6 else ())
    for addr in probes:
        try:
            reader.city(addr)
        except geoip2.errors.AddressNotFoundError:
            pass


def _load(source: str, path: Path, private: bool) -> _Loaded:
    if private:
        reader, sig = _open_private(path)
    else:
        reader, sig = _open_reader(str(path)), None
    try:
        _check(reader)
    except Exception:
        reader.close()
        raise
    meta = reader.metadata()
    return _Loaded(reader=reader, source=source, database=_date(meta.build_epoch),
                   database_type=meta.database_type, build_epoch=meta.build_epoch,
                   ip_version=meta.ip_version, signature=sig, loaded_at=dt.datetime.now().timestamp())


@dataclass(frozen=True)
class _Serving:
    """What lookups read: one reference, swapped whole on reload."""

    domestic: _Loaded | None
    main: _Loaded | None


class GeoResolver:
    """Resolve IP addresses to :class:`IpRegion` labels.

    ``lookup`` is synchronous, thread-safe and does no I/O beyond the memory-mapped databases.
    ``refresh`` does file I/O (copying a changed file); call it from a worker thread.
    """

    def __init__(self, main_path: Path | str | None = None, domestic_path: Path | str | None = None,
                 *, embedded: bool | Path | str = True) -> None:
        self._lock = threading.Lock()
        self._main = _Layer("main", Path(main_path) if main_path else None)
        self._domestic = _Layer("domestic", Path(domestic_path) if domestic_path else None)
        self._embedded = _Layer("embedded", None)
        if embedded:
            self._embedded.path = embedded_path() if embedded is True else Path(embedded)
            # the embedded file is package data: a failure here is a packaging bug, so it raises
            self._embedded.loaded = _load("embedded", self._embedded.path, private=False)
        self._serving = _Serving(None, None)
        self.refresh()

    # -------------------------------------------------------------------------------- lookup

    def lookup(self, ip: str) -> IpRegion:
        """Label for one address. Raises ValueError("invalid IP address: …") for a malformed one."""
        addr = labels.parse_ip(ip)
        if labels.is_non_global(addr):
            return labels.reserved(ip)
        serving = self._serving
        dom = _query(serving.domestic, addr)
        if dom is not None and dom.country == "CN":
            if dom.province is not None:
                return dom.label(ip)
            main = _query(serving.main, addr)  # a Chinese address without a province: the main layer may know
            if main is not None and main.country == "CN":
                return main.label(ip)
            return dom.label(ip)
        main = _query(serving.main, addr)
        if main is not None:
            return main.label(ip)
        if dom is not None:
            return dom.label(ip)
        return labels.unknown(ip)

    def lookup_many(self, ips: list[str]) -> list[IpRegion]:
        """Labels in input order; raises ValueError naming the first invalid address and its index."""
        out = []
        for i, ip in enumerate(ips):
            try:
                out.append(self.lookup(ip))
            except ValueError as e:
                raise ValueError(f"ips[{i}]: {e}") from None
        return out

    # -------------------------------------------------------------------------------- reload

    def refresh(self) -> bool:
        """Re-stat the operator files and re-open those that changed.

        Returns True when a layer was (re)loaded. A file that fails to open keeps the previous reader
        serving; the error is kept for :meth:`status` until a later load succeeds.
        """
        with self._lock:
            changed = False
            for layer in (self._main, self._domestic):
                if layer.path is None:
                    continue
                changed |= self._refresh_layer(layer)
            if changed or (self._serving.main is None and self._serving.domestic is None):
                self._serving = self._compose()
            return changed

    def _refresh_layer(self, layer: _Layer) -> bool:
        assert layer.path is not None
        try:
            st = layer.path.stat()
        except OSError as e:
            if layer.seen is not None or layer.error is None:
                what = "serving the last good copy" if layer.loaded else "layer not loaded"
                self._record(layer, f"cannot read {layer.path}: {e.strerror or e}; {what}")
                layer.seen = None
            return False
        sig = _signature(st)
        if sig == layer.seen:
            return False
        layer.seen = sig
        try:
            loaded = _load(layer.name, layer.path, private=True)
        except Exception as e:
            what = "serving the last good copy" if layer.loaded else "layer not loaded"
            self._record(layer, f"cannot open {layer.path}: {type(e).__name__}: {e}; {what}")
            return False
        layer.seen = loaded.signature or sig
        layer.loaded = loaded
        layer.error = None
        layer.error_at = None
        return True

    @staticmethod
    def _record(layer: _Layer, message: str) -> None:
        layer.error = message
        layer.error_at = dt.datetime.now().timestamp()

    def _compose(self) -> _Serving:
        main = self._main.loaded
        domestic = self._domestic.loaded
        embedded = self._embedded.loaded
        if main is None and domestic is None:
            return _Serving(domestic=None, main=embedded)
        return _Serving(domestic=domestic or embedded, main=main or embedded)

    # -------------------------------------------------------------------------------- status

    def status(self) -> GeoStatus:
        """For /status: per layer its path, whether it serves, database build date and last error."""
        serving = self._serving
        layers: dict[str, LayerStatus] = {}
        for layer in (self._main, self._domestic, self._embedded):
            loaded = layer.loaded
            roles = [role for role, s in (("main", serving.main), ("domestic", serving.domestic))
                     if s is not None and loaded is not None and s is loaded]
            layers[layer.name] = {
                "path": str(layer.path) if layer.path else None,
                "configured": layer.path is not None,
                "loaded": loaded is not None,
                "serving_as": roles,
                "database_type": loaded.database_type if loaded else None,
                "build_date": loaded.database if loaded else None,
                "loaded_at": _utc(loaded.loaded_at) if loaded else None,
                "error": layer.error,
                "error_at": _utc(layer.error_at) if layer.error_at else None,
            }
        errors = [(x.error_at, x.error) for x in (self._main, self._domestic) if x.error]
        return {
            "layers": layers,
            "last_error": max(errors)[1] if errors else None,
            "ok": not errors and (serving.main is not None or serving.domestic is not None),
        }


class _Answer(NamedTuple):
    """What one layer says of an address, and which layer said it (the label cites its source and build)."""

    country: str
    province: str | None  # canonical province code
    layer: _Loaded

    def label(self, ip: str) -> IpRegion:
        return labels.region(ip, self.country, self.province, self.layer.source, self.layer.database)


def _query(loaded: _Loaded | None, addr: labels.IPAddress) -> _Answer | None:
    """The layer's answer, or None when it has none."""
    if loaded is None:
        return None
    try:
        city = loaded.reader.city(addr)
    except geoip2.errors.AddressNotFoundError:
        return None
    except ValueError:  # an IPv6 address in an IPv4-only database
        return None
    cc = city.country.iso_code or city.registered_country.iso_code
    if not cc:
        return None
    province = None
    if city.subdivisions:
        sub = city.subdivisions[0]
        province = labels.province_code(sub.iso_code, sub.names)
    if cc == "CN" and province in labels.HMT_LABELS:  # HK/MO/TW filed as subdivisions of CN
        return _Answer(province, None, loaded)
    return _Answer(cc, province, loaded)
