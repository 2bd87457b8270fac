"""GeoResolver on real MMDB files: the embedded default and small City-layout files built here with
mmdb-writer (test dependency)."""

import os
from pathlib import Path

import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from acctcheck.geo import GeoResolver, IpRegion
from acctcheck.geo.resolver import embedded_path

EPOCH_2026_03_03 = 1772539200  # 2026-03-03T12:00Z
EPOCH_2026_04_04 = 1775304000  # 2026-04-04T12:00Z


def write_city_mmdb(path: Path, entries: dict[str, dict], *, ip_version: int = 6,
                    database_type: str = "GeoLite2-City", epoch: int = EPOCH_2026_03_03) -> Path:
    """Write a GeoIP2-City-layout MMDB: ``entries`` maps a CIDR to its City record."""

    class Writer(MMDBWriter):
        def _build_meta(self):
            return {**super()._build_meta(), "build_epoch": epoch}

    w = Writer(ip_version=ip_version, ipv4_compatible=ip_version == 6, database_type=database_type,
               languages=["en"], description={"en": "acctcheck test"})
    for cidr, record in entries.items():
        w.insert_network(IPSet([cidr]), record)
    tmp = path.with_suffix(".tmp")
    w.to_db_file(str(tmp))
    os.replace(tmp, path)  # like geoipupdate: atomic rename
    return path


def country(cc, sub=None, sub_names=None, **extra):
    rec = {"country": {"iso_code": cc, "names": {"en": f"name-of-{cc}", "zh-CN": "数据库自带名"}}, **extra}
    if sub or sub_names:
        s = {}
        if sub:
            s["iso_code"] = sub
        if sub_names:
            s["names"] = sub_names
        rec["subdivisions"] = [s]
    return rec


MAIN = {
    "1.2.0.0/16": country("CN", "GD"),
    "1.3.0.0/16": country("CN"),
    "1.4.0.0/16": country("US", "CA"),
    "1.5.0.0/16": country("HK"),
    "1.6.0.0/16": country("MO"),
    "1.7.0.0/16": country("TW"),
    "1.8.0.0/16": country("FR"),
    "1.9.0.0/16": country("CN", "44"),                              # old numeric subdivision code
    "1.10.0.0/16": {"registered_country": {"iso_code": "DE"}},     # no located country
    "1.11.0.0/16": country("QQ"),                                   # code nobody knows
    "1.12.0.0/16": country("CN", "BJ"),
    "1.13.0.0/16": country("SG"),
    "2400:1::/32": country("JP"),
    "2400:2::/32": country("CN"),
    "2400:4::/32": country("CN", "SH"),
}

DOMESTIC = {  # IPv4-only, provinces by name only for some rows, like a converted domestic dataset
    "1.2.0.0/16": country("CN", sub_names={"zh-CN": "浙江省"}),
    "1.3.0.0/16": country("CN", "NM"),
    "1.4.0.0/16": country("CN", "XJ"),
    "1.5.0.0/16": country("CN", "HK"),
    "1.12.0.0/16": country("CN"),
    "1.13.0.0/16": country("CN"),
    "1.14.0.0/16": country("JP"),
}


@pytest.fixture(scope="module")
def embedded():
    return GeoResolver()


@pytest.fixture
def dbs(tmp_path):
    main = write_city_mmdb(tmp_path / "main.mmdb", MAIN)
    domestic = write_city_mmdb(tmp_path / "domestic.mmdb", DOMESTIC, ip_version=4,
                               database_type="Acme-Domestic-City", epoch=EPOCH_2026_04_04)
    return main, domestic


def brief(r: IpRegion):
    return r.label, r.scope, r.precision, r.source


# ------------------------------------------------------------------------------- embedded default

@pytest.mark.parametrize("ip,label,scope,precision", [
    ("61.135.169.121", "北京", "domestic", "province"),        # Baidu, Beijing
    ("202.96.128.86", "广东", "domestic", "province"),         # China Telecom Guangdong DNS
    ("114.114.114.114", "江苏", "domestic", "province"),       # 114DNS, Nanjing
    ("223.5.5.5", "浙江", "domestic", "province"),             # AliDNS, Hangzhou
    ("::ffff:61.135.169.121", "北京", "domestic", "province"),
    ("8.8.8.8", "美国", "foreign", "country"),
    ("1.1.1.1", "澳大利亚", "foreign", "country"),              # what the NRO data says (APNIC, AU)
    ("2001:4860:4860::8888", "美国", "foreign", "country"),
    ("240e::1", "中国", "domestic", "country"),                 # mainland IPv6: no province
    ("203.198.7.66", "中国香港", "hmt", "province"),            # PCCW
    ("168.95.1.1", "中国台湾", "hmt", "province"),              # HiNet
    ("202.175.3.3", "中国澳门", "hmt", "province"),             # CTM
    ("10.0.0.1", "未知", "reserved", "none"),
    ("172.16.0.1", "未知", "reserved", "none"),                # the source wrongly says AU
    ("192.168.1.1", "未知", "reserved", "none"),               # the source wrongly says AU
    ("100.64.0.1", "未知", "reserved", "none"),
    ("2001:db8::1", "未知", "reserved", "none"),
])
def test_embedded_known_addresses(embedded, ip, label, scope, precision):
    r = embedded.lookup(ip)
    assert (r.label, r.scope, r.precision) == (label, scope, precision)
    assert r.ip == ip
    if scope == "reserved":
        assert (r.source, r.database, r.country_code) == (None, None, None)
    else:
        assert r.source == "embedded" and r.database and len(r.database) == 10


def test_embedded_has_no_private_ranges_in_data():
    import maxminddb

    with maxminddb.open_database(str(embedded_path())) as db:
        for ip in ("10.1.2.3", "172.16.0.1", "172.31.255.254", "192.168.0.1", "127.0.0.1", "100.64.0.1"):
            assert db.get(ip) is None, ip


def test_embedded_status(embedded):
    s = embedded.status()
    assert s["ok"] is True and s["last_error"] is None
    assert s["layers"]["embedded"]["serving_as"] == ["main"]
    assert s["layers"]["main"]["configured"] is False


def test_invalid_ip_raises_value_error(embedded):
    with pytest.raises(ValueError, match="invalid IP address: 'nope'"):
        embedded.lookup("nope")
    with pytest.raises(ValueError, match=r"ips\[1\]: invalid IP address"):
        embedded.lookup_many(["8.8.8.8", "300.1.1.1"])


def test_lookup_many_keeps_order(embedded):
    ips = ["8.8.8.8", "61.135.169.121", "10.0.0.1", "202.96.128.86"]
    assert [r.label for r in embedded.lookup_many(ips)] == ["美国", "北京", "未知", "广东"]


# ------------------------------------------------------------------------------- layering

def test_main_only_without_embedded(dbs):
    main, _ = dbs
    geo = GeoResolver(main, None, embedded=False)
    assert brief(geo.lookup("1.2.3.4")) == ("广东", "domestic", "province", "main")
    assert geo.lookup("1.2.3.4").database == "2026-03-03"
    assert brief(geo.lookup("1.3.3.4")) == ("中国", "domestic", "country", "main")
    assert brief(geo.lookup("1.4.3.4")) == ("美国", "foreign", "country", "main")
    assert brief(geo.lookup("1.5.3.4")) == ("中国香港", "hmt", "province", "main")
    assert brief(geo.lookup("1.6.3.4")) == ("中国澳门", "hmt", "province", "main")
    assert brief(geo.lookup("1.7.3.4")) == ("中国台湾", "hmt", "province", "main")
    assert geo.lookup("1.8.3.4").label == "法国"          # CLDR table, never the database's names
    assert geo.lookup("1.9.3.4").label == "广东"          # numeric subdivision code
    assert geo.lookup("1.10.3.4").label == "德国"         # registered country as fallback
    assert brief(geo.lookup("1.11.3.4")) == ("未知", "unknown", "none", None)
    assert brief(geo.lookup("9.9.9.9")) == ("未知", "unknown", "none", None)
    assert brief(geo.lookup("2400:1::5")) == ("日本", "foreign", "country", "main")
    assert brief(geo.lookup("2400:2::5")) == ("中国", "domestic", "country", "main")
    assert brief(geo.lookup("2400:4::5")) == ("上海", "domestic", "province", "main")
    assert brief(geo.lookup("::ffff:1.2.3.4")) == ("广东", "domestic", "province", "main")
    assert brief(geo.lookup("10.0.0.1")) == ("未知", "reserved", "none", None)


def test_domestic_wins_for_mainland(dbs):
    main, domestic = dbs
    geo = GeoResolver(main, domestic, embedded=False)
    r = geo.lookup("1.2.3.4")                              # main GD, domestic 浙江省 (by name)
    assert brief(r) == ("浙江", "domestic", "province", "domestic") and r.database == "2026-04-04"
    assert brief(geo.lookup("1.3.3.4")) == ("内蒙古", "domestic", "province", "domestic")
    assert brief(geo.lookup("1.4.3.4")) == ("新疆", "domestic", "province", "domestic")  # main said US
    assert brief(geo.lookup("1.5.3.4")) == ("中国香港", "hmt", "province", "main")  # HK is not mainland
    # domestic knows mainland but no province: main's province if main also says mainland ...
    assert brief(geo.lookup("1.12.3.4")) == ("北京", "domestic", "province", "main")
    # ... else the domestic answer
    assert brief(geo.lookup("1.13.3.4")) == ("中国", "domestic", "country", "domestic")
    # not mainland per domestic, unknown to main: the domestic answer
    assert brief(geo.lookup("1.14.3.4")) == ("日本", "foreign", "country", "domestic")
    # foreign per main, unknown to domestic
    assert brief(geo.lookup("1.8.3.4")) == ("法国", "foreign", "country", "main")
    # IPv6 against an IPv4-only domestic file falls through to main
    assert brief(geo.lookup("2400:4::5")) == ("上海", "domestic", "province", "main")


def test_domestic_only_embedded_stands_in_for_main(dbs):
    _, domestic = dbs
    geo = GeoResolver(None, domestic)
    assert brief(geo.lookup("1.3.3.4")) == ("内蒙古", "domestic", "province", "domestic")
    assert brief(geo.lookup("8.8.8.8")) == ("美国", "foreign", "country", "embedded")
    assert geo.status()["layers"]["embedded"]["serving_as"] == ["main"]


def test_main_only_embedded_stands_in_for_domestic(tmp_path):
    # a main file that knows Beijing's address only as "CN": the embedded layer supplies the province
    main = write_city_mmdb(tmp_path / "main.mmdb", {"61.135.0.0/16": country("CN"), "8.8.8.0/24": country("US")})
    geo = GeoResolver(main, None)
    assert brief(geo.lookup("61.135.169.121")) == ("北京", "domestic", "province", "embedded")
    assert brief(geo.lookup("8.8.8.8")) == ("美国", "foreign", "country", "main")
    assert geo.status()["layers"]["embedded"]["serving_as"] == ["domestic"]


def test_nothing_configured_and_no_embedded_answers_unknown():
    geo = GeoResolver(None, None, embedded=False)
    assert brief(geo.lookup("8.8.8.8")) == ("未知", "unknown", "none", None)
    assert geo.status()["ok"] is False


# ------------------------------------------------------------------------------- reload

V1 = {"1.2.0.0/16": country("CN", "GD")}
V2 = {"1.2.0.0/16": country("CN", "SH")}


def test_refresh_keeps_last_good_and_picks_up_new_file(tmp_path):
    path = write_city_mmdb(tmp_path / "GeoLite2-City.mmdb", V1)
    geo = GeoResolver(path, None, embedded=False)
    assert geo.lookup("1.2.3.4").label == "广东"
    assert geo.refresh() is False                                  # nothing changed

    garbage = tmp_path / "garbage.tmp"
    garbage.write_bytes(b"this is not a maxmind database" * 100)
    os.replace(garbage, path)
    assert geo.refresh() is False
    assert geo.lookup("1.2.3.4").label == "广东"                   # old reader keeps serving
    st = geo.status()
    assert "cannot open" in st["layers"]["main"]["error"] and "last good" in st["layers"]["main"]["error"]
    assert st["last_error"] == st["layers"]["main"]["error"] and st["ok"] is False
    assert geo.refresh() is False                                  # the same bad file is not retried

    write_city_mmdb(path, V2, epoch=EPOCH_2026_04_04)
    assert geo.refresh() is True
    r = geo.lookup("1.2.3.4")
    assert (r.label, r.database) == ("上海", "2026-04-04")
    st = geo.status()
    assert st["layers"]["main"]["error"] is None and st["ok"] is True
    assert st["layers"]["main"]["build_date"] == "2026-04-04"


def test_overwrite_in_place_cannot_break_the_serving_reader(tmp_path):
    path = write_city_mmdb(tmp_path / "main.mmdb", V1)
    geo = GeoResolver(path, None, embedded=False)
    with path.open("wb") as f:                                      # `cp garbage main.mmdb`: same inode, truncated
        f.write(b"\0" * 10)
    assert geo.lookup("1.2.3.4").label == "广东"                   # private copy: no SIGBUS, no garbage
    assert geo.refresh() is False
    assert geo.lookup("1.2.3.4").label == "广东"


def test_wrong_database_type_is_refused(tmp_path):
    path = write_city_mmdb(tmp_path / "main.mmdb", V1)
    geo = GeoResolver(path, None, embedded=False)
    write_city_mmdb(path, V2, database_type="GeoLite2-Country")
    assert geo.refresh() is False
    assert "not a City database" in geo.status()["layers"]["main"]["error"]
    assert geo.lookup("1.2.3.4").label == "广东"


def test_missing_file_at_start_then_appears(tmp_path):
    path = tmp_path / "later.mmdb"
    geo = GeoResolver(path, None)                                   # embedded serves meanwhile
    assert geo.lookup("1.2.3.4").source == "embedded"
    assert "cannot read" in geo.status()["layers"]["main"]["error"]
    write_city_mmdb(path, V2)
    assert geo.refresh() is True
    assert brief(geo.lookup("1.2.3.4")) == ("上海", "domestic", "province", "main")


def test_deleted_file_keeps_serving(tmp_path):
    path = write_city_mmdb(tmp_path / "main.mmdb", V1)
    geo = GeoResolver(path, None, embedded=False)
    path.unlink()
    assert geo.refresh() is False
    assert geo.lookup("1.2.3.4").label == "广东"
    assert "serving the last good copy" in geo.status()["layers"]["main"]["error"]
