#!/usr/bin/env python3
"""Generate the country / region term files of the `states-and-intl` rule pack.

Source of the short names: Unicode CLDR, as shipped inside `babel` (locale zh_Hans_CN, one display name per
ISO 3166-1 alpha-2 code). CLDR data is under the Unicode License v3 (see rules/NOTICE-data.md).
Official long names, extra short forms and the one-character abbreviations used in diplomatic usage
(美驻华大使馆) are a hand table in this file, curated for acctcheck.

Output (all under rules/states-and-intl/, overwritten on every run, do not edit by hand):
  countries.txt        `short|alias…` per state or territory: the first part of the compose rules
                       (X政府, X大使馆, X外交部 …). Only forms that are safe before 政府/大使馆 are listed.
  countries-envoy.txt  the same plus diplomatic one-character abbreviations and forms that are only
                       unambiguous before 驻华/驻上海… (美, 英, 蒙古 …).
  long-names.txt       official long names (美利坚合众国 …), matched alone (review).
  countries-en.txt     English names (CLDR `en` short name plus a hand table of other forms: Türkiye|Turkey,
                       Czechia|Czech Republic, DR Congo …) for the English compose rule "Embassy of X".
  countries-en-embassy.txt  the same plus adjectives and abbreviations that only read as a state in front of
                       "Embassy" / "Consulate" (American, British, US, U.S., UK …): the rule "X Embassy".

Chinese regions (CN, HK, MO, TW) are never treated as countries. Codes that are not ISO 3166-1 country
codes (CLDR's EU, EZ, UN, QO, ZZ, XA, XB, XK, AC, CP, CQ, DG, EA, IC, TA) and uninhabited territories
are dropped.

Usage:  python tools/build_countries.py [--check]
  --check  exit 1 if the files on disk differ from what would be generated (for CI).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from babel import Locale

OUT_DIR = Path(__file__).resolve().parent.parent / "rules" / "states-and-intl"

# Not countries for this pack: the PRC itself and its special administrative regions / Taiwan.
CHINESE_REGIONS = {"CN", "HK", "MO", "TW"}
# CLDR codes that are not ISO 3166-1 countries, plus uninhabited territories with no government to imitate.
NOT_COUNTRIES = {
    "EU", "EZ", "UN", "QO", "ZZ", "XA", "XB", "XK",      # groupings, pseudo and user-assigned codes
    "AC", "CP", "CQ", "DG", "EA", "IC", "TA",            # CLDR exceptional reservations
    "AQ", "BV", "HM", "GS", "TF", "UM", "IO",            # uninhabited / no civil government
}

# CLDR short names that are unusable as written (parentheses, "领土"), or that collide with Chinese place
# names in front of 政府 (内蒙古政府 ⊃ 蒙古政府; 中非政府间合作 ⊃ 中非政府): replacement short name.
SHORT_OVERRIDE = {
    "CD": "刚果（金）->刚果民主共和国",
    "CG": "刚果（布）->刚果共和国",
    "CC": "科科斯（基林）群岛->科科斯群岛",
    "PS": "巴勒斯坦领土->巴勒斯坦",
    "MN": "蒙古->蒙古国",
    "CF": "中非共和国->中非共和国",
    "FM": "密克罗尼西亚->密克罗尼西亚联邦",
}

# Extra names matched in front of every suffix (safe before 政府/大使馆/外交部).
EXTRA_ALIASES: dict[str, list[str]] = {
    "AE": ["阿联酋"],
    "SA": ["沙特"],
    "BA": ["波黑"],
    "AU": ["澳洲"],
    "ID": ["印尼"],
    "US": ["美利坚"],
    "RU": ["俄国"],
    "FR": ["法兰西"],
    "KP": ["北朝鲜", "北韩"],
    "KR": ["南韩"],
    "CD": ["刚果金"],
    "CG": ["刚果布"],
    "MK": ["马其顿"],
    "SZ": ["埃斯瓦蒂尼"],
    "VA": ["教廷"],
    "CI": ["象牙海岸"],
    "BD": ["孟加拉"],
    "KG": ["吉尔吉斯"],
    "DO": ["多米尼加"],
    "NL": ["尼德兰"],
    }

# Names that are only safe before 驻华 / 驻<城市> (diplomatic abbreviations and colliding short forms).
ENVOY_ONLY_ALIASES: dict[str, list[str]] = {
    "US": ["美"], "GB": ["英"], "FR": ["法"], "DE": ["德"], "JP": ["日"], "RU": ["俄"], "KR": ["韩"],
    "KP": ["朝"], "IT": ["意"], "CA": ["加"], "AU": ["澳"], "IN": ["印"], "VN": ["越"], "TH": ["泰"],
    "PH": ["菲"], "ES": ["西"], "PT": ["葡"], "NL": ["荷"], "BE": ["比"], "IL": ["以"], "EG": ["埃"],
    "TR": ["土"], "GR": ["希"], "MX": ["墨"], "MN": ["蒙", "蒙古"], "LA": ["老"], "KH": ["柬"],
    "MM": ["缅"], "CF": ["中非"],
}

# Official long names (中文全称), as used by the Ministry of Foreign Affairs country profiles. Where the long
# name equals the CLDR short name (加拿大, 乌克兰, 马来西亚 …) nothing is listed.
LONG_NAMES: dict[str, list[str]] = {
    # Asia
    "JP": ["日本国"], "KR": ["大韩民国"], "KP": ["朝鲜民主主义人民共和国"], "MN": ["蒙古国"],
    "VN": ["越南社会主义共和国"], "LA": ["老挝人民民主共和国"], "KH": ["柬埔寨王国"], "TH": ["泰王国"],
    "MM": ["缅甸联邦共和国"], "MY": [], "SG": ["新加坡共和国"], "ID": ["印度尼西亚共和国"],
    "PH": ["菲律宾共和国"], "BN": ["文莱达鲁萨兰国"],     "IN": ["印度共和国"], "PK": ["巴基斯坦伊斯兰共和国"], "BD": ["孟加拉人民共和国"],
    "LK": ["斯里兰卡民主社会主义共和国"], "NP": ["尼泊尔联邦民主共和国"], "BT": ["不丹王国"],
    "MV": ["马尔代夫共和国"], "AF": ["阿富汗伊斯兰共和国"], "IR": ["伊朗伊斯兰共和国"],
    "IQ": ["伊拉克共和国"], "SY": ["阿拉伯叙利亚共和国"], "LB": ["黎巴嫩共和国"],
    "JO": ["约旦哈希姆王国"], "IL": ["以色列国"], "PS": ["巴勒斯坦国"], "SA": ["沙特阿拉伯王国"],
    "YE": ["也门共和国"], "OM": ["阿曼苏丹国"], "AE": [], "QA": ["卡塔尔国"], "KW": ["科威特国"],
    "BH": ["巴林王国"], "TR": ["土耳其共和国"], "CY": ["塞浦路斯共和国"], "GE": [],
    "AM": ["亚美尼亚共和国"], "AZ": ["阿塞拜疆共和国"], "KZ": ["哈萨克斯坦共和国"],
    "KG": ["吉尔吉斯共和国"], "TJ": ["塔吉克斯坦共和国"], "UZ": ["乌兹别克斯坦共和国"], "TM": [],
    # Europe
    "GB": ["大不列颠及北爱尔兰联合王国"], "FR": ["法兰西共和国"], "DE": ["德意志联邦共和国"],
    "IT": ["意大利共和国"], "ES": ["西班牙王国"], "PT": ["葡萄牙共和国"], "NL": ["荷兰王国"],
    "BE": ["比利时王国"], "LU": ["卢森堡大公国"], "CH": ["瑞士联邦"], "AT": ["奥地利共和国"],
    "IE": [], "IS": [], "DK": ["丹麦王国"], "NO": ["挪威王国"], "SE": ["瑞典王国"],
    "FI": ["芬兰共和国"], "EE": ["爱沙尼亚共和国"], "LV": ["拉脱维亚共和国"], "LT": ["立陶宛共和国"],
    "PL": ["波兰共和国"], "CZ": ["捷克共和国"], "SK": ["斯洛伐克共和国"], "HU": [],
    "SI": ["斯洛文尼亚共和国"], "HR": ["克罗地亚共和国"], "RS": ["塞尔维亚共和国"], "ME": [],
    "MK": ["北马其顿共和国"], "AL": ["阿尔巴尼亚共和国"], "GR": ["希腊共和国"],
    "BG": ["保加利亚共和国"], "RO": [], "MD": ["摩尔多瓦共和国"], "UA": [],
    "BY": ["白俄罗斯共和国"], "RU": ["俄罗斯联邦"], "MT": ["马耳他共和国"], "MC": ["摩纳哥公国"],
    "LI": ["列支敦士登公国"], "AD": ["安道尔公国"], "SM": ["圣马力诺共和国"], "VA": ["梵蒂冈城国"],
    # Americas
    "US": ["美利坚合众国"], "CA": [], "MX": ["墨西哥合众国"], "CU": ["古巴共和国"],
    "BR": ["巴西联邦共和国"], "AR": ["阿根廷共和国"], "CL": ["智利共和国"], "PE": ["秘鲁共和国"],
    "CO": ["哥伦比亚共和国"], "VE": ["委内瑞拉玻利瓦尔共和国"], "EC": ["厄瓜多尔共和国"],
    "BO": ["多民族玻利维亚国"], "PY": ["巴拉圭共和国"], "UY": ["乌拉圭东岸共和国"],
    "PA": ["巴拿马共和国"], "CR": ["哥斯达黎加共和国"], "NI": ["尼加拉瓜共和国"],
    "HN": ["洪都拉斯共和国"], "SV": ["萨尔瓦多共和国"], "GT": ["危地马拉共和国"],
    "HT": ["海地共和国"], "SR": ["苏里南共和国"], "GY": ["圭亚那合作共和国"],
    "TT": ["特立尼达和多巴哥共和国"], "DM": ["多米尼克国"],
    # Africa
    "EG": ["阿拉伯埃及共和国"], "LY": ["利比亚国"], "TN": ["突尼斯共和国"],
    "DZ": ["阿尔及利亚民主人民共和国"], "MA": ["摩洛哥王国"], "SD": ["苏丹共和国"],
    "SS": ["南苏丹共和国"], "ET": ["埃塞俄比亚联邦民主共和国"], "ER": ["厄立特里亚国"],
    "DJ": ["吉布提共和国"], "SO": ["索马里联邦共和国"], "KE": ["肯尼亚共和国"],
    "UG": ["乌干达共和国"], "RW": ["卢旺达共和国"], "BI": ["布隆迪共和国"],
    "TZ": ["坦桑尼亚联合共和国"], "NG": ["尼日利亚联邦共和国"], "GH": ["加纳共和国"],
    "CI": ["科特迪瓦共和国"], "SN": ["塞内加尔共和国"], "ML": ["马里共和国"], "NE": ["尼日尔共和国"],
    "TD": ["乍得共和国"], "CM": ["喀麦隆共和国"], "GA": ["加蓬共和国"], "CG": [], "CD": [],
    "AO": ["安哥拉共和国"], "ZM": ["赞比亚共和国"], "ZW": ["津巴布韦共和国"],
    "MZ": ["莫桑比克共和国"], "MW": ["马拉维共和国"], "MG": ["马达加斯加共和国"],
    "NA": ["纳米比亚共和国"], "BW": ["博茨瓦纳共和国"], "ZA": ["南非共和国"], "LS": ["莱索托王国"],
    "SZ": ["埃斯瓦蒂尼王国"], "MU": ["毛里求斯共和国"], "SC": ["塞舌尔共和国"],
    "KM": ["科摩罗联盟"], "BJ": ["贝宁共和国"], "TG": ["多哥共和国"], "BF": ["布基纳法索"],
    "GN": ["几内亚共和国"], "GW": ["几内亚比绍共和国"], "SL": ["塞拉利昂共和国"],
    "LR": ["利比里亚共和国"], "GM": ["冈比亚共和国"], "MR": ["毛里塔尼亚伊斯兰共和国"],
    "CV": ["佛得角共和国"], "ST": ["圣多美和普林西比民主共和国"], "GQ": ["赤道几内亚共和国"],
    # Oceania
    "AU": ["澳大利亚联邦"], "NZ": [], "PG": ["巴布亚新几内亚独立国"], "FJ": ["斐济共和国"],
    "WS": ["萨摩亚独立国"], "TO": ["汤加王国"], "VU": ["瓦努阿图共和国"], "KI": ["基里巴斯共和国"],
    "NR": ["瑙鲁共和国"], "PW": ["帕劳共和国"], "MH": ["马绍尔群岛共和国"], "SB": [],
    "FM": [], "TV": [],
}

# Long names that occur inside ordinary words and so are *not* matched alone (still used in compose):
# a long name ending in 国 runs into 国内/国家/国防/国籍 in ordinary text.
LONG_NOT_ALONE = {
    "日本国", "蒙古国",                                   # 日本国内, 内蒙古国家级
    "以色列国", "卡塔尔国", "科威特国", "利比亚国",          # 以色列国防军, 卡塔尔国家队
    "巴勒斯坦国", "厄立特里亚国", "多米尼克国",
}

# The PRC's own long name and names of fabricated "states" on Chinese territory: matched alone (review).
EXTRA_LONG = [
    "中华人民共和国",
]

# English: CLDR short names that are unusable as written (brackets, "St."), replacement names; `&` is
# expanded to "and" (both forms are kept: the skeleton drops "&" but not "and").
EN_OVERRIDE = {
    "CC": "Cocos Islands|Keeling Islands",
    "CD": "Democratic Republic of the Congo|DR Congo|DRC|Congo-Kinshasa",
    "CG": "Republic of the Congo|Congo-Brazzaville",
    "MM": "Myanmar|Burma",
    "SH": "St. Helena|Saint Helena",
    "PS": "Palestine|State of Palestine",
}
# Other English names of a state, matched in both English compose rules.
EN_EXTRA: dict[str, list[str]] = {
    "US": ["United States of America", "USA", "America"], "GB": ["United Kingdom of Great Britain and Northern Ireland",
    "Great Britain", "Britain"], "KR": ["Republic of Korea"], "KP": ["Democratic People's Republic of Korea", "DPRK"],
    "RU": ["Russian Federation"], "TR": ["Turkey", "Turkiye"], "CZ": ["Czech Republic"], "SZ": ["Swaziland"],
    "MK": ["Macedonia"], "CV": ["Cabo Verde"], "CI": ["Ivory Coast", "Cote d'Ivoire"], "TL": ["East Timor"],
    "VA": ["Holy See"], "IR": ["Islamic Republic of Iran"], "SY": ["Syrian Arab Republic"], "LA": ["Lao PDR"],
    "VN": ["Viet Nam"], "NL": ["Holland"], "AE": ["UAE"], "BN": ["Brunei Darussalam"], "FM": ["Micronesia"],
    "ST": ["Sao Tome and Principe"], "KN": ["Saint Kitts and Nevis"], "LC": ["Saint Lucia"],
    "VC": ["Saint Vincent and the Grenadines"], "BO": ["Plurinational State of Bolivia"],
    "VE": ["Bolivarian Republic of Venezuela"], "TZ": ["United Republic of Tanzania"],
}
# Only in front of Embassy / Consulate: adjectives and abbreviations (American Embassy, US Embassy).
EN_EMBASSY_ONLY: dict[str, list[str]] = {
    "US": ["American", "US", "U.S."], "GB": ["British", "UK", "U.K."], "FR": ["French"], "DE": ["German"],
    "JP": ["Japanese"], "KR": ["Korean", "South Korean"], "KP": ["North Korean"], "RU": ["Russian"],
    "IT": ["Italian"], "ES": ["Spanish"], "PT": ["Portuguese"], "NL": ["Dutch"], "BE": ["Belgian"],
    "CH": ["Swiss"], "AT": ["Austrian"], "SE": ["Swedish"], "NO": ["Norwegian"], "DK": ["Danish"],
    "FI": ["Finnish"], "IE": ["Irish"], "PL": ["Polish"], "CZ": ["Czech"], "HU": ["Hungarian"],
    "GR": ["Greek"], "TR": ["Turkish"], "IL": ["Israeli"], "EG": ["Egyptian"], "SA": ["Saudi"],
    "IR": ["Iranian"], "IN": ["Indian"], "PK": ["Pakistani"], "TH": ["Thai"], "VN": ["Vietnamese"],
    "PH": ["Philippine"], "ID": ["Indonesian"], "MY": ["Malaysian"], "SG": ["Singaporean"],
    "AU": ["Australian"], "NZ": ["New Zealand"], "CA": ["Canadian"], "MX": ["Mexican"],
    "BR": ["Brazilian"], "AR": ["Argentine", "Argentinian"], "CL": ["Chilean"], "ZA": ["South African"],
    "NG": ["Nigerian"], "KE": ["Kenyan"], "UA": ["Ukrainian"], "MN": ["Mongolian"], "KZ": ["Kazakh"],
}

_BAD = re.compile(r"[（）()\s·-]")


def short_names() -> dict[str, str]:
    territories = Locale.parse("zh_Hans_CN").territories
    out: dict[str, str] = {}
    for code, name in sorted(territories.items()):
        if not re.fullmatch(r"[A-Z]{2}", code) or code in CHINESE_REGIONS or code in NOT_COUNTRIES:
            continue
        if code in SHORT_OVERRIDE:
            cldr, _, replacement = SHORT_OVERRIDE[code].partition("->")
            if cldr != name:
                raise SystemExit(f"CLDR name for {code} changed ({name!r} != {cldr!r}): review SHORT_OVERRIDE")
            name = replacement
        if _BAD.search(name):
            raise SystemExit(f"unusable CLDR name for {code}: {name!r}: add it to SHORT_OVERRIDE")
        if len(name) < 2:
            continue
        out[code] = name
    return out


def english_names() -> dict[str, list[str]]:
    """English names per code, same codes as short_names()."""
    territories = Locale.parse("en").territories
    out: dict[str, list[str]] = {}
    for code in short_names():
        name = territories[code]
        names = EN_OVERRIDE[code].split("|") if code in EN_OVERRIDE else [name]
        if name.startswith("St. ") and code not in EN_OVERRIDE:
            names.append("Saint " + name[4:])
        names = [v for n in names for v in ([n, n.replace("&", "and")] if "&" in n else [n])]
        names += EN_EXTRA.get(code, [])
        for n in names:
            if re.search(r"[()|#]", n):
                raise SystemExit(f"unusable English name for {code}: {n!r}: add it to EN_OVERRIDE")
        out[code] = names
    return out


def _entry(names: list[str]) -> str:
    seen: list[str] = []
    for n in names:
        if n and n not in seen:
            seen.append(n)
    return "|".join(seen)


def build() -> dict[str, str]:
    shorts = short_names()
    unknown = (set(LONG_NAMES) | set(EXTRA_ALIASES) | set(ENVOY_ONLY_ALIASES) | set(EN_OVERRIDE) | set(EN_EXTRA)
               | set(EN_EMBASSY_ONLY)) - set(shorts)
    if unknown:
        raise SystemExit(f"hand tables name codes that are not generated: {sorted(unknown)}")
    header = (
        "# GENERATED by tools/build_countries.py from Unicode CLDR (babel, zh_Hans_CN) plus its hand tables.\n"
        "# Do not edit; change the script and re-run it. Data licence: see rules/NOTICE-data.md.\n"
    )
    countries, envoy, longs = [], [], []
    for code, short in shorts.items():
        main = [short, *EXTRA_ALIASES.get(code, []), *LONG_NAMES.get(code, [])]
        countries.append(f"{_entry(main)}")
        envoy.append(f"{_entry(main + ENVOY_ONLY_ALIASES.get(code, []))}")
        for ln in LONG_NAMES.get(code, []):
            if ln not in LONG_NOT_ALONE and ln != short:
                longs.append(ln)
    longs = EXTRA_LONG + longs
    english = english_names()
    en = [_entry(english[c]) for c in shorts]
    en_embassy = [_entry(english[c] + EN_EMBASSY_ONLY.get(c, [])) for c in shorts]
    return {
        "countries.txt": header + f"# {len(countries)} states and territories: short|aliases|long name\n"
        + "\n".join(countries) + "\n",
        "countries-envoy.txt": header + "# as countries.txt, plus abbreviations only used before 驻华/驻<城市>\n"
        + "\n".join(envoy) + "\n",
        "long-names.txt": header + f"# {len(longs)} official long names of states, matched alone (review)\n"
        + "\n".join(longs) + "\n",
        "countries-en.txt": header.replace("zh_Hans_CN", "en")
        + f"# {len(en)} states and territories: English short name|other English names (\"Embassy of X\")\n"
        + "\n".join(en) + "\n",
        "countries-en-embassy.txt": header.replace("zh_Hans_CN", "en")
        + "# as countries-en.txt, plus adjectives and abbreviations only used before Embassy/Consulate\n"
        + "\n".join(en_embassy) + "\n",
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if the files on disk are not up to date")
    args = ap.parse_args()
    files = {OUT_DIR / k: v for k, v in build().items()}
    stale = []
    for path, text in files.items():
        name = str(path.relative_to(OUT_DIR.parent))
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path} ({sum(1 for ln in text.splitlines() if ln and not ln.startswith('#'))} entries)")
    if stale:
        print("out of date: " + ", ".join(stale) + " (run tools/build_countries.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
