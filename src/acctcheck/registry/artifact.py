"""The compiled registry artifact: a directory named by the digest of its inputs, memory-mapped by readers.

Layout of `<cache>/<digest>/` (format FORMAT):
- keys.marisa: a MARISA trie of every name's skeleton key (normalize: the same fold as the bundled packs);
- inner3.bits: a one-probe Bloom filter (CRC-32 of the UTF-8 bytes, ≥ 64 bits per entry) of the first three
  characters of every key of three or more: a name counts inside a longer one only from
  policy.registry.min_inner_chars (3) characters, so a start position after the first costs one CRC unless
  the filter says a long enough key may start there;
- offsets.u64: n+1 native uint64, entry bytes of key id k are entries.bin[off[k]:off[k+1]];
- entries.bin: per key, `name<TAB>account_id` lines (UTF-8, `\\n`-joined): the listed names and their owners;
- sound.marisa: a MARISA record trie from the pinyin keys of every name of two or more Chinese characters (one
  per heteronym reading, as the bundled packs index sound) to its key ids: a whole name spelt by sound (张三峰
  for 张三丰, or typed `zhangsanfeng`) is one lookup, used when policy.registry.sound_min_syllables says so;
- sound.bits: a one-probe Bloom filter (16 bits per key) of sound.marisa's keys, probed before the trie: by the
  next request the trie's pages have left the CPU caches, and a cold walk cost more than the whole check;
- meta.json: format, source name and digest, counts, the lines that were skipped.

Why MARISA over mmap (bench/registry_bench.py, docs/performance.md): the trie of 5M names is ~100 MB, opens
in well under a millisecond and its pages are the page cache's, shared by every worker of the machine.
daachorse searches faster, but `deserialize` copies the automaton (174 MB at 1M names, seconds to load) into
each worker's heap, so 4 workers hold 4 copies. A hand-written hash table over mmap was tried: its per-character
walk in Python cost 2.5× the trie's C lookups.

The digest covers the source bytes, the normaliser's code and tables and FORMAT: a changed fold never reuses
an old artifact. Artifacts are written to a temporary directory and renamed into place, so a reader sees a
complete artifact or none.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import json
import math
import mmap
import os
import re
import shutil
import subprocess
import sys
import time
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import marisa_trie

from acctcheck import artifact_dir
from acctcheck.registry.source import BadLine, RegistryFileError, read_entries, read_source

FORMAT = "acctcheck-registry/4"  # 3: sound.marisa; 4: sound.bits
INNER = 3  # the prefix length of the inner-start filter (inner3.bits); RegistryIndex.search assumes 3
INNER_BITS_PER_ENTRY = 64  # a false pass costs a trie walk on cold pages: several probes' worth
SOUND_BITS_PER_ENTRY = 16
KEEP_ARTIFACTS = 4  # per cache directory: the newest are kept, older ones pruned after a compile
COMPILE_TIMEOUT_S = 3600
SHOWN_BAD_LINES = 20


@lru_cache(maxsize=1)
def normalizer_fingerprint() -> str:
    """Digest of everything that decides a skeleton key: the normalize package's code and data files and
    the OpenCC version."""
    import acctcheck.normalize as pkg

    root = Path(pkg.__file__).parent
    h = hashlib.sha256()
    for p in sorted(list(root.glob("*.py")) + list((root / "data").glob("*"))):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    try:
        h.update(importlib.metadata.version("opencc").encode())
    except importlib.metadata.PackageNotFoundError:
        pass
    return h.hexdigest()


def artifact_digest(source_digest: str) -> str:
    h = hashlib.sha256(f"{FORMAT}\0{normalizer_fingerprint()}\0{source_digest}".encode())
    return h.hexdigest()[:32]


def default_cache_dir() -> Path:
    """acctcheck.artifact_dir(): ACCTCHECK_ARTIFACT_DIR, else ~/.cache/acctcheck/registry."""
    return artifact_dir()


def _bloom(keys: Iterable[str], count: int, bits_per_entry: int) -> bytearray:
    """A one-probe Bloom filter: bit CRC-32(UTF-8 key) mod 2^k set for every key, 2^k ≥ count × bits_per_entry
    (a miss rate of about 1/bits_per_entry for a key not in it)."""
    bits = bytearray(max(8, 1 << max(0, math.ceil(math.log2(max(1, count) * bits_per_entry)) - 3)))
    mask = len(bits) * 8 - 1
    for key in keys:
        h = zlib.crc32(key.encode()) & mask
        bits[h >> 3] |= 1 << (h & 7)
    return bits


def _probe(bits: bytes | mmap.mmap, mask: int, key: str) -> bool:
    h = zlib.crc32(key.encode()) & mask
    return bool(bits[h >> 3] >> (h & 7) & 1)


class SourceChanged(RegistryFileError):
    """The file no longer has the digest it was loaded with: the writer is still at work."""

    exit_code = 3  # of the compile child (registry.compile_process)


@dataclass(frozen=True)
class CompileStats:
    names: int
    keys: int
    bad: list[BadLine]
    seconds: float


def _sound_trie(trie: marisa_trie.Trie, groups: dict[str, list[str]]) -> marisa_trie.RecordTrie:
    """Pinyin key -> key ids, for every listed name of two or more Chinese characters (heteronyms capped as
    for the bundled packs), read from the name as listed: its skeleton key has digits for numerals (张3丰).
    Names with other characters (Latin, digits) are not heard by sound."""
    from acctcheck.normalize.normalizer import default_normalizer

    n = default_normalizer()
    han, pinyin = n.folder.han_table, n.pinyin

    def records() -> Iterator[tuple[str, tuple[int]]]:  # streamed: millions of names never sit in a Python set
        for key, kid in trie.iteritems():
            heard: set[str] = set()
            for line in groups[key]:
                name = line.split("\t", 1)[0]
                chars = name.translate(han)
                if len(chars) >= 2 and len(chars) == len(name):
                    heard.update(pinyin.term_keys(chars))
            yield from ((pk, (kid,)) for pk in heard)

    return marisa_trie.RecordTrie("<I", records())


def compile_artifact(source: Path, cache_dir: Path, expected_digest: str | None = None) -> tuple[Path, CompileStats]:
    """Compile `source` into `cache_dir/<digest>/` (unless already there). Meant for a process that serves
    no requests: the CLI, an image build, or the subprocess `ensure_artifact` starts."""
    from acctcheck.normalize.normalizer import default_normalizer

    t0 = time.perf_counter()
    digest, data = read_source(source)
    if expected_digest is not None and digest != expected_digest:
        raise SourceChanged(f"{source.name} changed while being compiled")
    final = cache_dir / artifact_digest(digest)
    if (final / "meta.json").is_file():
        meta = json.loads((final / "meta.json").read_text())
        return final, CompileStats(meta["names"], meta["keys"], [], 0.0)
    table = default_normalizer().folder.skeleton_table
    groups: dict[str, list[str]] = {}
    bad: list[BadLine] = []
    names = 0
    for e in read_entries(source, bad, data):
        key = e.name.translate(table)
        if not key:
            bad.append(BadLine(e.line, "empty after normalisation (only separators or invisible characters)"))
            continue
        line = f"{e.name}\t{e.account_id}"
        found = groups.get(key)
        if found is None:
            groups[key] = [line]
        elif line not in found:
            found.append(line)
        names += 1
    del data
    trie = marisa_trie.Trie(groups.keys())
    blobs: list[bytes] = [b""] * len(trie)
    for key, kid in trie.iteritems():
        blobs[kid] = "\n".join(groups[key]).encode()
    sound = _sound_trie(trie, groups)
    del groups
    heads = {k[:INNER] for k in trie.iterkeys() if len(k) >= INNER}
    inner = _bloom(heads, len(heads), INNER_BITS_PER_ENTRY)
    del heads
    sound_bits = _bloom(sound.iterkeys(), len(sound), SOUND_BITS_PER_ENTRY)
    offsets = array("Q", [0])
    total = 0
    for b in blobs:
        total += len(b)
        offsets.append(total)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cache_dir / f".tmp-{final.name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    trie.save(str(tmp / "keys.marisa"))
    with (tmp / "offsets.u64").open("wb") as f:
        offsets.tofile(f)
    (tmp / "inner3.bits").write_bytes(inner)
    (tmp / "sound.bits").write_bytes(sound_bits)
    sound.save(str(tmp / "sound.marisa"))
    with (tmp / "entries.bin").open("wb") as f:
        for b in blobs:
            f.write(b)
    stats = CompileStats(names, len(trie), bad, time.perf_counter() - t0)
    meta = {"format": FORMAT, "source": source.name, "source_digest": digest, "names": names, "keys": len(trie),
            "max_key_chars": max((len(k) for k in trie.iterkeys()), default=0),
            "bad_lines": len(bad), "bad_samples": [[b.line, b.reason] for b in bad[:SHOWN_BAD_LINES]],
            "compile_seconds": round(stats.seconds, 3), "byteorder": sys.byteorder}
    (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False))
    try:
        os.rename(tmp, final)
    except OSError:  # another process finished the same artifact first: identical content
        shutil.rmtree(tmp, ignore_errors=True)
    prune(cache_dir, keep=final)
    return final, stats


def prune(cache_dir: Path, keep: Path) -> None:
    """Keep the KEEP_ARTIFACTS newest artifacts. A worker still mapping a removed one keeps reading it: the
    pages stay until the last mapping goes."""
    dirs = sorted((p for p in cache_dir.iterdir() if p.is_dir() and not p.name.startswith(".")),
                  key=lambda p: p.stat().st_mtime, reverse=True)
    for old in dirs[KEEP_ARTIFACTS:]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive flock: the workers of a machine reloading the same file compile it once; the others wait
    (flock releases the GIL while it waits) and then map the result."""
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def ensure_artifact(source: Path, source_digest: str, cache_dir: Path) -> Path:
    """The artifact directory for `source` (whose digest the caller computed). When missing it is compiled by
    a child process at low priority, so a serving worker never holds the GIL, nor a core it needs, for it."""
    final = cache_dir / artifact_digest(source_digest)
    if (final / "meta.json").is_file():
        return final
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RegistryFileError(f"artifact directory {cache_dir}: {exc.strerror or exc}") from None
    with _locked(cache_dir / f".{final.name}.lock"):
        if (final / "meta.json").is_file():
            return final
        cmd = [sys.executable, "-m", "acctcheck.registry.compile_process", str(source), str(cache_dir),
               source_digest]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=COMPILE_TIMEOUT_S)
        if proc.returncode == SourceChanged.exit_code:
            raise SourceChanged(proc.stderr.strip()[-500:])
        if proc.returncode != 0 or not (final / "meta.json").is_file():
            raise RegistryFileError(f"compiling {source.name} failed: {proc.stderr.strip()[-500:] or proc.returncode}")
    return final


class RegistryIndex:
    """One compiled registry, memory-mapped read-only. Immutable; shared by every snapshot that uses it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        meta: dict[str, Any] = json.loads((path / "meta.json").read_text())
        if meta.get("format") != FORMAT or meta.get("byteorder") != sys.byteorder:
            raise RegistryFileError(f"{path} is not a {FORMAT} artifact of this machine's byte order")
        self.meta = meta
        self.names: int = meta["names"]
        self.keys: int = meta["keys"]
        self.max_key_chars: int = meta["max_key_chars"]
        self.trie = marisa_trie.Trie()
        self.trie.mmap(str(path / "keys.marisa"))
        self._maps = {name: _map(path / name) for name in ("offsets.u64", "entries.bin", "inner3.bits", "sound.bits")}
        self._offsets = memoryview(self._maps["offsets.u64"]).cast("Q")
        self._entries = self._maps["entries.bin"]
        self._inner = self._maps["inner3.bits"]
        self._inner_mask = len(self._inner) * 8 - 1
        self._sound_bits = self._maps["sound.bits"]
        self._sound_mask = len(self._sound_bits) * 8 - 1
        self.sound = marisa_trie.RecordTrie("<I")
        self.sound.mmap(str(path / "sound.marisa"))

    def describe(self) -> dict[str, Any]:
        """For /status and `acctcheck lint`: what was compiled, and the lines that were skipped."""
        m = self.meta
        return {"source_digest": m["source_digest"], "artifact": str(self.path), "names": self.names,
                "keys": self.keys, "bad_lines": m["bad_lines"], "bad_samples": m["bad_samples"]}

    def search(self, text: str, inner_from: int = INNER, suffixes: AbstractSet[str] = frozenset(),
               interiors: Callable[[], AbstractSet[int]] = frozenset) -> list[tuple[int, int, int]]:
        """(start, end, key id) of the listed keys in `text` (a skeleton view) that can count: the whole text,
        a key followed by one of `suffixes`, and keys of at least `inner_from` characters anywhere (shorter
        ones never count inside a longer name). No key starts at a position of `interiors()` (word_interiors:
        the position continues a Latin word or a digit run), asked for only when a walk is due.

        Cost: for most names, one filter probe per start position and no trie access at all. A start
        position is walked in the trie only when its first three characters begin a long enough key
        (inner3.bits, one CRC) or, at the start, when a suffix ends the text. The whole text of three or more
        characters needs no lookup of its own: were it a key, its first three characters would pass the
        filter."""
        trie = self.trie
        longest = self.max_key_chars
        n = len(text)
        if inner_from < INNER or n < INNER:  # nothing to filter by: walk every start that can count
            out = [(0, len(key), kid) for key, kid in trie.iter_prefixes_with_ids(text[:longest])]
            skip = interiors() if n > inner_from else frozenset()
            for i in range(1, n - inner_from + 1):
                if i not in skip:
                    out.extend((i, i + len(key), kid) for key, kid in
                               trie.iter_prefixes_with_ids(text[i:i + longest]) if len(key) >= inner_from)
            return out
        bits, mask, crc = self._inner, self._inner_mask, zlib.crc32
        h = crc(text[:INNER].encode()) & mask
        if bits[h >> 3] >> (h & 7) & 1:
            out = [(0, len(key), kid) for key, kid in trie.iter_prefixes_with_ids(text[:longest])]
        elif text[1:] in suffixes or text[2:] in suffixes:  # INNER - 1 = 2 characters before a suffix
            # no key of three or more starts here (the probe said so): only a shorter one before a suffix
            out = [(0, len(key), kid) for key, kid in trie.iter_prefixes_with_ids(text[:INNER - 1])
                   if text[len(key):] in suffixes]
        else:
            out = []
        inside: AbstractSet[int] | None = None
        for i in range(1, n - inner_from + 1):  # runs per character of every request: kept to the probe
            h = crc(text[i:i + INNER].encode()) & mask
            if bits[h >> 3] >> (h & 7) & 1:
                if inside is None:
                    inside = interiors()
                if i not in inside:
                    out.extend((i, i + len(key), kid) for key, kid in
                               trie.iter_prefixes_with_ids(text[i:i + longest]) if len(key) >= inner_from)
        return out

    def heard(self, pinyin_text: str) -> list[int]:
        """Key ids of the names that sound like the whole of `pinyin_text` (a pinyin view's encoded text).
        Most names sound like no listed one: a filter probe (sound.bits) answers them without walking the
        trie, whose pages are cold by the time the next request comes. A NUL is in no key, and MARISA takes
        seconds to say so: refused here."""
        if "\0" in pinyin_text or not _probe(self._sound_bits, self._sound_mask, pinyin_text):
            return []
        return [kid for (kid,) in self.sound.get(pinyin_text, ())]

    def key(self, key_id: int) -> str:
        return str(self.trie.restore_key(key_id))

    def entries(self, key_id: int) -> list[tuple[str, str]]:
        """(name, account_id) of every listed name with this key."""
        a, b = self._offsets[key_id], self._offsets[key_id + 1]
        blob = bytes(self._entries[a:b]).decode()
        return [tuple(line.split("\t", 1)) for line in blob.split("\n")]  # type: ignore[misc]

    def lookup(self, key: str) -> list[tuple[str, str]]:
        """Entries of one exact key (tests, diff), [] if none."""
        kid = self.trie.get(key)
        return [] if kid is None else self.entries(kid)


_RUNS = re.compile("[a-z]{2,}|[0-9]{2,}")


def word_interiors(text: str, gaps: AbstractSet[int] = frozenset()) -> frozenset[int]:
    """Positions of `text` (skeleton: lower case, ASCII digits) whose character continues the Latin word or
    digit run of the one before: no listed name starts or ends inside a word. `gaps` are positions where a
    separator or an invisible character was dropped just before: a word boundary the skeleton hides."""
    interiors = [i for m in _RUNS.finditer(text) for i in range(m.start() + 1, m.end()) if i not in gaps]
    return frozenset(interiors) if interiors else _NONE


_NONE: frozenset[int] = frozenset()


def _map(path: Path) -> mmap.mmap | bytes:
    with path.open("rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return b""
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
