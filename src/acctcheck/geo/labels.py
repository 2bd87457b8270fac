"""Display rules for IP属地 labels. Every label string shown to users is decided here.

Rules (Article 12; granularity from the 2021 draft and platform practice, see docs/regulation.md §5):
- mainland China with a province → the province's short name (广东, 内蒙古, 新疆, 北京), scope ``domestic``;
- mainland China without a province in the data → ``中国``, precision ``country``;
- Hong Kong, Macau, Taiwan → ``中国香港`` / ``中国澳门`` / ``中国台湾``, scope ``hmt`` (never a country label);
- any other country → its Chinese short name from a CLDR-generated table keyed by ISO code
  (``data/country_names_zh.json``), never a database's own name strings;
- non-global addresses (private, loopback, link-local, CGNAT, documentation, multicast, …) → ``未知``,
  scope ``reserved``, decided before any lookup;
- not in the data, or a code the table does not know → ``未知``, scope ``unknown``.
"""

from __future__ import annotations

import ipaddress
import json
from functools import cache
from importlib import resources

from acctcheck.geo.region import IpRegion

UNKNOWN_LABEL = "未知"
CHINA_LABEL = "中国"

HMT_LABELS: dict[str, str] = {"HK": "中国香港", "MO": "中国澳门", "TW": "中国台湾"}
HMT_SHORT: dict[str, str] = {"HK": "香港", "MO": "澳门", "TW": "台湾"}

# Provincial-level units of China: ISO 3166-2:CN code (current letter form), GB/T 2260 numeric code
# (used by older ISO 3166-2 editions and some databases), short name (the label), and the other
# spellings databases use (full Chinese name, English/pinyin names). HK/MO/TW are included so that a
# database that files them as subdivisions of CN still yields the HMT label.
# one line each: code, number, short name, the other spellings separated by |
_PROVINCE_LINES = """
BJ 11 北京 北京市|Beijing
TJ 12 天津 天津市|Tianjin
HE 13 河北 河北省|Hebei
SX 14 山西 山西省|Shanxi
NM 15 内蒙古 内蒙古自治区|Inner Mongolia|Nei Mongol|Inner Mongolia Autonomous Region
LN 21 辽宁 辽宁省|Liaoning
JL 22 吉林 吉林省|Jilin
HL 23 黑龙江 黑龙江省|Heilongjiang
SH 31 上海 上海市|Shanghai
JS 32 江苏 江苏省|Jiangsu
ZJ 33 浙江 浙江省|Zhejiang
AH 34 安徽 安徽省|Anhui
FJ 35 福建 福建省|Fujian
JX 36 江西 江西省|Jiangxi
SD 37 山东 山东省|Shandong
HA 41 河南 河南省|Henan
HB 42 湖北 湖北省|Hubei
HN 43 湖南 湖南省|Hunan
GD 44 广东 广东省|Guangdong
GX 45 广西 广西壮族自治区|Guangxi|Guangxi Zhuang Autonomous Region
HI 46 海南 海南省|Hainan
CQ 50 重庆 重庆市|Chongqing
SC 51 四川 四川省|Sichuan
GZ 52 贵州 贵州省|Guizhou
YN 53 云南 云南省|Yunnan
XZ 54 西藏 西藏自治区|Tibet|Xizang|Tibet Autonomous Region
SN 61 陕西 陕西省|Shaanxi
GS 62 甘肃 甘肃省|Gansu
QH 63 青海 青海省|Qinghai
NX 64 宁夏 宁夏回族自治区|Ningxia|Ningxia Hui Autonomous Region
XJ 65 新疆 新疆维吾尔自治区|Xinjiang|Xinjiang Uyghur Autonomous Region
TW 71 台湾 台湾省|Taiwan
HK 91 香港 香港特别行政区|Hong Kong
MO 92 澳门 澳门特别行政区|Macau|Macao
"""
_PROVINCES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = tuple(
    (code, num, short, tuple(others.split("|")))
    for code, num, short, others in (line.split(" ", 3) for line in _PROVINCE_LINES.strip().splitlines())
)

#: mainland province code → short name (the label)
MAINLAND_PROVINCES: dict[str, str] = {c: short for c, _, short, _ in _PROVINCES if c not in HMT_LABELS}


def _fold(s: str) -> str:
    return "".join(s.split()).casefold()


_PROVINCE_BY_CODE: dict[str, str] = {}
_PROVINCE_BY_NAME: dict[str, str] = {}
for _code, _num, _short, _aliases in _PROVINCES:
    for _k in (_code, f"CN-{_code}", _num, f"CN-{_num}"):
        _PROVINCE_BY_CODE[_k] = _code
    for _name in (_short, *_aliases):
        _PROVINCE_BY_NAME[_fold(_name)] = _code


def province_code(iso_code: str | None, names: dict[str, str] | None = None) -> str | None:
    """Canonical ISO 3166-2:CN letter code of a Chinese subdivision as a database spells it.

    Accepts the letter code (``GD``, ``CN-GD``), the old numeric code (``44``), or, failing those, any
    of the subdivision's names (``广东省``, ``广东``, ``Guangdong``). Returns None when unrecognised.
    """
    if iso_code:
        code = _PROVINCE_BY_CODE.get(iso_code.strip().upper())
        if code:
            return code
    if names:
        for name in names.values():
            if isinstance(name, str):
                code = _PROVINCE_BY_NAME.get(_fold(name))
                if code:
                    return code
    return None


@cache
def country_names() -> dict[str, str]:
    """ISO 3166-1 alpha-2 → Chinese short name, generated from CLDR by ``tools/build_geo_db.py names``."""
    raw = resources.files("acctcheck.geo").joinpath("data", "country_names_zh.json").read_text("utf-8")
    return dict(json.loads(raw)["names"])


# ---------------------------------------------------------------------------------------------
# Addresses

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_EXTRA_NON_GLOBAL_V6 = (
    ipaddress.IPv6Network("3fff::/20"),  # documentation (RFC 9637); not yet in every ipaddress release
    ipaddress.IPv6Network("5f00::/16"),  # SRv6 SIDs (RFC 9602)
)


def parse_ip(text: str) -> IPAddress:
    """Parse an address; IPv4-mapped IPv6 (``::ffff:1.2.3.4``) becomes the IPv4 address.

    Raises ValueError naming the input when it is not an IPv4 or IPv6 address.
    """
    if not isinstance(text, str):
        raise ValueError(f"invalid IP address: {text!r}")
    try:
        addr = ipaddress.ip_address(text.strip())
    except ValueError:
        shown = text if len(text) <= 64 else text[:61] + "..."
        raise ValueError(f"invalid IP address: {shown!r}") from None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def is_non_global(addr: IPAddress) -> bool:
    """True for addresses that have no IP属地: private, loopback, link-local, CGNAT (100.64/10),
    documentation, benchmarking, unspecified, multicast, reserved (240/4, 64:ff9b::/96, …), site-local."""
    if not addr.is_global or addr.is_multicast or addr.is_reserved:
        return True
    if isinstance(addr, ipaddress.IPv6Address):
        return addr.is_site_local or any(addr in n for n in _EXTRA_NON_GLOBAL_V6)
    return False


# ---------------------------------------------------------------------------------------------
# Labels


def reserved(ip: str) -> IpRegion:
    return IpRegion(ip=ip, label=UNKNOWN_LABEL, country_code=None, province=None, scope="reserved",
                    precision="none", source=None, database=None)


def unknown(ip: str) -> IpRegion:
    return IpRegion(ip=ip, label=UNKNOWN_LABEL, country_code=None, province=None, scope="unknown",
                    precision="none", source=None, database=None)


def region(ip: str, country_code: str | None, province: str | None,
           source: str | None, database: str | None) -> IpRegion:
    """Build the label from what a layer answered.

    ``country_code`` is ISO 3166-1 alpha-2 as the database gives it; ``province`` is a canonical
    province code from :func:`province_code` (or None).
    """
    cc = (country_code or "").strip().upper()
    if cc == "CN" and province in HMT_LABELS:  # a database filing HK/MO/TW under CN
        cc, province = province, None
    if cc == "CN":
        short = MAINLAND_PROVINCES.get(province or "")
        if short:
            return IpRegion(ip=ip, label=short, country_code="CN", province=short, scope="domestic",
                            precision="province", source=source, database=database)
        return IpRegion(ip=ip, label=CHINA_LABEL, country_code="CN", province=None, scope="domestic",
                        precision="country", source=source, database=database)
    if cc in HMT_LABELS:
        return IpRegion(ip=ip, label=HMT_LABELS[cc], country_code=cc, province=HMT_SHORT[cc], scope="hmt",
                        precision="province", source=source, database=database)
    name = country_names().get(cc)
    if name is None:
        return unknown(ip)
    return IpRegion(ip=ip, label=name, country_code=cc, province=None, scope="foreign",
                    precision="country", source=source, database=database)
