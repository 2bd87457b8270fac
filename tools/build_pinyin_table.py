"""Build src/acctcheck/normalize/data/pinyin.tsv: each Chinese character with its toneless readings, most
common first, from pypinyin's character dictionary (MIT).

Why a vendored table: importing pypinyin at run time loads its phrase dictionaries too (~55 MB per worker)
although acctcheck needs only the character readings. Rebuild when upgrading pypinyin:

    pip install pypinyin==0.55.0 && python tools/build_pinyin_table.py [--check]
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src/acctcheck/normalize/data/pinyin.tsv"


def toneless(reading: str) -> str:
    s = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")
    return "".join(c for c in s if unicodedata.category(c) != "Mn")


def build() -> str:
    import pypinyin
    from pypinyin.pinyin_dict import pinyin_dict

    lines = [f"# character<TAB>toneless readings, most common first; from pypinyin {pypinyin.__version__} (MIT)"]
    for cp in sorted(pinyin_dict):
        seen: list[str] = []
        for r in pinyin_dict[cp].split(","):
            t = toneless(r.strip())
            if t and t not in seen:
                seen.append(t)
        if seen:
            lines.append(f"{chr(cp)}\t{','.join(seen)}")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true", help="exit 1 if the committed table is out of date")
    args = ap.parse_args()
    text = build()
    if args.check:
        return 0 if OUT.read_text(encoding="utf-8") == text else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({text.count(chr(10)) - 1} characters)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
