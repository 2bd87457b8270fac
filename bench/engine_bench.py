"""Engine cost without HTTP.

1. Per-field matching cost for 10- and 60-character inputs with 1k, 10k and 100k compiled terms (synthetic
   term packs, same engine), in one run: the 100k/1k ratio should be near 1.
2. The bundled packs: engine µs per realistic request (8–12-char nickname + 60-char bio), p50/p99 over
   10,000 varied requests.

Run: make bench   (or: python bench/engine_bench.py [--quick])
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from acctcheck.contract import ValidateRequest  # noqa: E402
from acctcheck.engine import validate  # noqa: E402
from acctcheck.packs.build import build_snapshot  # noqa: E402

NICKS = ["小王同学", "成都吃货阿花", "一只猫咪", "李建国", "清风徐来", "Sunny_Li", "程序员老张", "爱旅行的鱼", "阿杰1998", "北漂打工人"]
BIOS = [
    "热爱生活，喜欢旅行和摄影，周末常去爬山，欢迎交流摄影技巧，一起记录生活中的美好瞬间，保持好奇心。",
    "95后程序员，白天写代码晚上写小说，喜欢猫和咖啡，偶尔更新读书笔记，欢迎关注，一起成长一起进步吧朋友们。",
    "美食博主，专注成都本地小吃探店，火锅串串冒菜都爱，每周更新两期视频，欢迎大家留言推荐好吃的店铺哦。",
    "宝妈一枚，分享育儿经验和家常菜谱，记录宝宝成长的点点滴滴，也会分享一些好物，希望对大家有所帮助呀。",
]


def gb2312_level1() -> str:
    """The 3,755 most common simplified characters (GB2312 level 1), for synthetic terms."""
    out = []
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                out.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return "".join(out)


def synthetic_rules(dir_: Path, n_terms: int, seed: int = 7) -> None:
    """n_terms synthetic names (4-8 common characters) in one terms rule with homophone matching on, so
    the skeleton, pinyin and one-edit automata all grow with n_terms."""
    rng = random.Random(seed)
    alphabet = gb2312_level1()
    terms = set()
    while len(terms) < n_terms:
        terms.add("".join(rng.choice(alphabet) for _ in range(rng.randint(4, 8))))
    (dir_ / "terms.txt").write_text("\n".join(sorted(terms)) + "\n", encoding="utf-8")
    (dir_ / "synthetic.yaml").write_text(
        "schema_version: 1\nname: synthetic\nversion: '1'\ndescription: bench\nrules:\n"
        "  - id: t\n    kind: terms\n    category: official_impersonation\n    article: 第八条第（二）项\n"
        "    action: reject\n    message: '{matched}'\n    homophone: true\n    terms_file: terms.txt\n",
        encoding="utf-8",
    )


def per_field_us(snapshot, texts: list[str], rounds: int) -> float:  # noqa: ANN001
    reqs = [ValidateRequest.model_validate({"fields": {"nickname": t}}) for t in texts]
    for r in reqs:  # warm the per-character fold caches, as a running service has them
        validate(snapshot, r)
    t0 = time.perf_counter()
    for _ in range(rounds):
        for r in reqs:
            validate(snapshot, r, decision_id="b")
    return (time.perf_counter() - t0) / (rounds * len(reqs)) * 1e6


def scaling(quick: bool) -> None:
    """Ordinary input (the shape of real traffic): 10-char nicknames and 60-char bios cut from BIOS."""
    rng = random.Random(1)
    text = "".join(BIOS) * 3
    short = [text[i:i + 10] for i in (rng.randrange(len(text) - 10) for _ in range(200))]
    long_ = [text[i:i + 60] for i in (rng.randrange(len(text) - 60) for _ in range(200))]
    rounds = 5 if quick else 20
    rows = []
    for n in (1_000, 10_000, 100_000):
        with tempfile.TemporaryDirectory() as d:
            synthetic_rules(Path(d), n)
            t0 = time.perf_counter()
            snap = build_snapshot(Path(d), run_examples=False)
            build_s = time.perf_counter() - t0
            rows.append((n, build_s, per_field_us(snap, short, rounds), per_field_us(snap, long_, rounds)))
    print("terms     build s   10-char µs   60-char µs")
    for n, b, s, l_ in rows:
        print(f"{n:>7}   {b:7.2f}   {s:10.1f}   {l_:10.1f}")
    base = rows[0]
    print(f"ratio 100k/1k: 10-char {rows[-1][2] / base[2]:.2f}x, 60-char {rows[-1][3] / base[3]:.2f}x "
          f"(target <= 1.10x)")


def bundled(quick: bool) -> None:
    t0 = time.perf_counter()
    snap = build_snapshot(ROOT / "rules", run_examples=False)
    print(f"\nbundled packs: {len(snap.packs)} packs, {snap.term_count} terms, built in "
          f"{time.perf_counter() - t0:.2f} s")
    rng = random.Random(3)
    n = 2_000 if quick else 10_000
    reqs = []
    for i in range(n):
        bio = rng.choice(BIOS)
        cut = rng.randint(0, 10)
        reqs.append(ValidateRequest.model_validate(
            {"fields": {"nickname": rng.choice(NICKS) + str(i % 97), "bio": bio[cut:] + bio[:cut]}}))
    for r in reqs[:200]:
        validate(snap, r)
    times = []
    for r in reqs:
        t = time.perf_counter_ns()
        validate(snap, r, decision_id="b")
        times.append((time.perf_counter_ns() - t) / 1000)
    times.sort()
    p50 = statistics.median(times)
    p99 = times[int(len(times) * 0.99)]
    print(f"engine per request (nickname + 60-char bio), {n} requests: p50 {p50:.1f} µs, p99 {p99:.1f} µs, "
          f"mean {statistics.fmean(times):.1f} µs (target <= 100 µs)")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    scaling(args.quick)
    bundled(args.quick)
