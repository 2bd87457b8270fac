"""What a new registry file adds and removes, for reviewing a daily refresh (`acctcheck registry diff`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from acctcheck.registry.source import BadLine, read_entries


@dataclass(frozen=True)
class RegistryDiff:
    added: list[str]
    removed: list[str]
    unchanged: int
    bad_new: list[BadLine]

    def lines(self) -> Iterable[str]:
        for x in self.removed:
            yield f"- {x}"
        for x in self.added:
            yield f"+ {x}"

    def summary(self) -> str:
        bad = f", {len(self.bad_new)} unreadable line(s) in the new file" if self.bad_new else ""
        return f"{len(self.added)} added, {len(self.removed)} removed, {self.unchanged} unchanged{bad}"


def _items(path: Path, keys: bool, bad: list[BadLine] | None = None) -> dict[str, str]:
    """compared item -> what is printed for it: the entry line, or with `keys` the normalised name -> the first
    name listed under it (a key such as 李4 for 李四 would puzzle a reviewer)."""
    if keys:
        from acctcheck.normalize.normalizer import default_normalizer

        table = default_normalizer().folder.skeleton_table
        out: dict[str, str] = {}
        for e in read_entries(path, bad):
            if k := e.name.translate(table):
                out.setdefault(k, e.name)
        return out
    return {line: line for e in read_entries(path, bad)
            if (line := f"{e.name}\t{e.account_id}" if e.account_id else e.name)}


def diff_files(old: Path, new: Path, *, keys: bool = False) -> RegistryDiff:
    """Entries (`name` or `name<TAB>account_id`) added and removed, sorted; with `keys`, the normalised names
    the matcher sees instead (a name re-spelt in traditional characters, or a new owner, is then no change)."""
    before = _items(old, keys)
    bad: list[BadLine] = []
    after = _items(new, keys, bad)
    return RegistryDiff(sorted(after[k] for k in after.keys() - before.keys()),
                        sorted(before[k] for k in before.keys() - after.keys()),
                        len(after.keys() & before.keys()), bad)
