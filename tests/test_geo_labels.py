"""Display rules of acctcheck.geo.labels (no database involved)."""

import ipaddress
import subprocess
import sys

import pytest

from acctcheck.geo import labels


@pytest.mark.parametrize("code,names,expected", [
    ("GD", None, "GD"),
    ("CN-GD", None, "GD"),
    ("44", None, "GD"),
    ("gd", None, "GD"),
    (None, {"zh-CN": "广东省"}, "GD"),
    (None, {"en": "Inner Mongolia"}, "NM"),
    (None, {"zh-CN": "内蒙古自治区"}, "NM"),
    (None, {"zh-CN": "新疆维吾尔自治区"}, "XJ"),
    ("91", None, "HK"),
    ("ZZ", {"en": "Atlantis"}, None),
    (None, None, None),
])
def test_province_code(code, names, expected):
    assert labels.province_code(code, names) == expected


def test_all_31_mainland_provinces_have_short_names():
    assert len(labels.MAINLAND_PROVINCES) == 31
    assert labels.MAINLAND_PROVINCES["NM"] == "内蒙古"
    assert labels.MAINLAND_PROVINCES["XJ"] == "新疆"
    assert labels.MAINLAND_PROVINCES["BJ"] == "北京"
    assert not set(labels.MAINLAND_PROVINCES) & set(labels.HMT_LABELS)


@pytest.mark.parametrize("cc,prov,label,scope,precision,province", [
    ("CN", "GD", "广东", "domestic", "province", "广东"),
    ("CN", "NM", "内蒙古", "domestic", "province", "内蒙古"),
    ("CN", None, "中国", "domestic", "country", None),
    ("cn", "BJ", "北京", "domestic", "province", "北京"),
    ("HK", None, "中国香港", "hmt", "province", "香港"),
    ("MO", None, "中国澳门", "hmt", "province", "澳门"),
    ("TW", None, "中国台湾", "hmt", "province", "台湾"),
    ("CN", "TW", "中国台湾", "hmt", "province", "台湾"),  # a database filing TW under CN
    ("US", "CA", "美国", "foreign", "country", None),    # a foreign subdivision is never shown
    ("JP", None, "日本", "foreign", "country", None),
    ("KR", None, "韩国", "foreign", "country", None),
    ("GB", None, "英国", "foreign", "country", None),
    ("QQ", None, "未知", "unknown", "none", None),        # a code the CLDR table does not know
])
def test_region_labels(cc, prov, label, scope, precision, province):
    r = labels.region("203.0.113.9", cc, prov, "main", "2026-01-01")
    assert (r.label, r.scope, r.precision, r.province) == (label, scope, precision, province)
    if scope != "unknown":
        assert r.source == "main" and r.database == "2026-01-01"


def test_country_table_is_cldr_and_complete():
    names = labels.country_names()
    assert names["US"] == "美国" and names["DE"] == "德国" and names["AU"] == "澳大利亚"
    assert len(names) > 240
    assert all(len(k) == 2 and k.isupper() for k in names)
    assert "ZZ" not in names and "EU" not in names


@pytest.mark.parametrize("ip", [
    "10.0.0.1", "172.16.5.4", "192.168.1.1", "127.0.0.1", "169.254.1.1", "100.64.0.1", "0.0.0.0",
    "192.0.2.1", "198.51.100.1", "203.0.113.1", "198.18.0.1", "224.0.0.1", "240.0.0.1",
    "255.255.255.255", "::", "::1", "fe80::1", "fe80::1%eth0", "fc00::1", "fd12:3456::1", "2001:db8::1",
    "3fff::1", "ff02::1", "64:ff9b::1.2.3.4", "fec0::1", "::ffff:10.0.0.1",
])
def test_non_global(ip):
    assert labels.is_non_global(labels.parse_ip(ip))


@pytest.mark.parametrize("ip", ["8.8.8.8", "61.135.169.121", "2001:4860:4860::8888", "240e::1"])
def test_global(ip):
    assert not labels.is_non_global(labels.parse_ip(ip))


def test_parse_maps_ipv4_mapped_ipv6_to_ipv4():
    assert labels.parse_ip("::ffff:61.135.169.121") == ipaddress.IPv4Address("61.135.169.121")
    assert labels.parse_ip(" 8.8.8.8 ") == ipaddress.IPv4Address("8.8.8.8")


@pytest.mark.parametrize("bad", ["", "1.2.3", "1.2.3.256", "example.com", "1.2.3.4/24", "::g", "x" * 500])
def test_parse_invalid_names_the_input(bad):
    with pytest.raises(ValueError, match="invalid IP address"):
        labels.parse_ip(bad)


def test_engine_does_not_import_fastapi():
    code = "import sys, acctcheck.geo, acctcheck.geo.resolver; assert 'fastapi' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
