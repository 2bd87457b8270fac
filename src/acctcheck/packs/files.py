"""A rules directory read into memory once: every file's bytes, digest and stat stamp.

A build parses this snapshot of contents, never the live directory, so what is compiled is exactly what was
read and verified; a writer touching files during the (seconds-long) compile cannot tear it. Each file is
stat'ed before and after it is read: a file whose size, mtime or inode moved meanwhile is marked as changing
and is never used.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
from dataclasses import dataclass, replace
from pathlib import Path

MAX_FILE_BYTES = 64 << 20
MAX_FILES = 10_000  # a rules directory with more files than this is a mistake (a mounted volume root?)

Stamp = tuple[int, int, int]  # size, mtime_ns, inode


@dataclass(frozen=True)
class FileEntry:
    """One regular file of the set. `data` is None when the file was not read (see `problem`)."""

    data: bytes | None
    digest: str  # "sha256:<hex>" of data; for an unread file a description of why
    stamp: Stamp
    problem: str | None = None  # "file larger than …", "cannot read: …", "changed while being read"
    outside: bool = False  # a symlink resolving outside the rules directory

    @property
    def changing(self) -> bool:
        return self.problem == CHANGING

    def without_data(self) -> FileEntry:
        return replace(self, data=None)


CHANGING = "changed while being read"


@dataclass(frozen=True)
class FileSet:
    """What one read of a rules directory saw. `root` is the directory read (a ConfigMap's resolved `..data`)."""

    root: Path
    files: dict[str, FileEntry]  # posix path relative to root -> entry; names starting with '.' are skipped
    dirs: frozenset[str] = frozenset()
    error: str | None = None  # the directory itself could not be listed

    @property
    def digest(self) -> str:
        """Identity of the contents (not of the stamps): equal contents give equal digests. A file too large
        to read here counts by its stamp (FileEntry.digest): replacing it is a change even at the same size."""
        h = hashlib.sha256((self.error or "").encode() + b"\0")
        for rel in sorted(self.files):
            e = self.files[rel]
            h.update(rel.encode() + b"\0" + e.digest.encode() + b"\0" + (e.problem or "").encode() + b"\0")
        for rel in sorted(self.dirs):
            h.update(b"dir\0" + rel.encode() + b"\0")
        return h.hexdigest()


def source_dir(root: Path) -> Path:
    """The directory to read one consistent set from. A Kubernetes ConfigMap/Secret volume publishes each
    version in an immutable `..<timestamp>` directory and swaps the `..data` link to it atomically, so reading
    through the resolved `..data` never mixes two versions; any other directory is read as is."""
    data = root / "..data"
    try:
        if data.is_dir():
            return data.resolve(strict=True)
    except OSError:
        pass
    return root


def _stamp(st: os.stat_result) -> Stamp:
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def read_entry(path: Path, inside: Path | None) -> FileEntry:
    """Read one file, checking that it did not move while being read."""
    outside = False
    if inside is not None:
        try:
            path.resolve().relative_to(inside)
        except (ValueError, OSError):
            outside = True
    try:
        before = os.stat(path)
        if before.st_size > MAX_FILE_BYTES:  # a registry of millions of names: not read here (streamed by
            # packs/registries.py); its identity is its stamp, so a file replaced by another is a change
            size, mtime, inode = _stamp(before)
            return FileEntry(None, f"unread:{size}:{mtime}:{inode}", _stamp(before),
                             f"file larger than {MAX_FILE_BYTES} bytes", outside)
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
        after = os.stat(path)
    except OSError as exc:
        return FileEntry(None, "unreadable", (0, 0, 0), f"cannot read: {exc.strerror or exc}", outside)
    if _stamp(before) != _stamp(after) or len(data) != after.st_size:
        return FileEntry(None, CHANGING, _stamp(after), CHANGING, outside)
    return FileEntry(data, "sha256:" + hashlib.sha256(data).hexdigest(), _stamp(after), None, outside)


def read_tree(root: Path) -> FileSet:
    """Every regular file under root (following symlinks: ConfigMap links, linked sub-directories), read once.
    Names starting with '.' are skipped: ConfigMap internals (`..data`, `..2026_…`; read through `source_dir`
    instead) and editor droppings (`.pack.yaml.swp`, `.pack.yaml.tmp`)."""
    base = source_dir(root)
    try:
        inside = base.resolve()
        if not base.is_dir():
            return FileSet(base, {}, error="rules directory not found or not a directory")
    except OSError as exc:
        return FileSet(base, {}, error=f"cannot read the rules directory: {exc.strerror or exc}")
    files: dict[str, FileEntry] = {}
    dirs: set[str] = set()
    seen_dirs: set[tuple[int, int]] = set()
    errors: list[str] = []

    def walk(d: Path, rel: str) -> None:
        try:
            st = d.stat()
            if (st.st_dev, st.st_ino) in seen_dirs:  # a symlink loop
                return
            seen_dirs.add((st.st_dev, st.st_ino))
            names = sorted(os.listdir(d))
        except OSError as exc:
            if not rel:
                errors.append(f"cannot list: {exc.strerror or exc}")
            else:
                dirs.add(rel.rstrip("/") + f" (unreadable: {exc.strerror or exc})")
            return
        for name in names:
            if name.startswith("."):
                continue
            if len(files) >= MAX_FILES:
                errors.append(f"more than {MAX_FILES} files")
                return
            p, r = d / name, f"{rel}{name}"
            if p.is_dir():
                dirs.add(r)
                walk(p, r + "/")
            else:  # a regular file, or a broken link / special file: read_entry says which problem
                files[r] = read_entry(p, inside)

    walk(base, "")
    if errors:
        return FileSet(base, files, frozenset(dirs), error="; ".join(errors))
    return FileSet(base, files, frozenset(dirs))


def resolve_ref(ref: str) -> str | None:
    """A pack's relative reference (`official-bodies/central.txt`) as a key of FileSet.files; None when it
    is absolute or climbs out of the directory."""
    if not ref or ref.startswith("/") or "\\" in ref:
        return None
    norm = posixpath.normpath(ref)
    if norm == ".." or norm.startswith("../") or norm == ".":
        return None
    return norm
