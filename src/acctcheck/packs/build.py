"""Directory → compiled Snapshot in one call: load, validate, compile. The packs' examples are run a layer
up, through the engine (acctcheck.ruleset), which is what every caller that serves or lints rules uses."""

from __future__ import annotations

from acctcheck.normalize.normalizer import Normalizer, default_normalizer
from acctcheck.packs.compiler import compile_set
from acctcheck.packs.files import FileSet
from acctcheck.packs.loader import LoadedSet, load_files
from acctcheck.packs.snapshot import Snapshot


def warm_normalizer(normalizer: Normalizer, files: FileSet) -> None:
    """Fill the normaliser's per-character caches for every character of the files, before anything else
    is allocated. Filled during the compile instead, those long-lived entries would land between the build's
    millions of temporaries and pin their allocator arenas after a refused build (tens of MB held for good)."""
    chars: set[str] = set()
    for entry in files.files.values():
        if entry.data:
            chars.update(entry.data.decode("utf-8", "replace"))
    text = "".join(sorted(chars))
    del chars
    normalizer.folder.fold_text(text)
    text.translate(normalizer.folder.han_table)
    text.translate(normalizer.view_table)


def compile_files(files: FileSet, normalizer: Normalizer | None = None, *, previous: Snapshot | None = None,
                  marked: frozenset[str] = frozenset()) -> tuple[LoadedSet, Snapshot]:
    """Load and compile contents already read (packs.files), or raise PackSetError with every issue. `previous`
    (the active snapshot) lets a change of registry files alone reuse everything else; `marked`: YAML files
    whose last built version ended with `...` (they must still end with it)."""
    normalizer = normalizer or default_normalizer()
    warm_normalizer(normalizer, files)
    loaded = load_files(files, marked)
    return loaded, compile_set(loaded, normalizer, previous)

