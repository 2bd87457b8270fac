"""`python -m acctcheck.artifact.compile_process CACHE_DIR KEY NICENESS` < pickled (FileSet, marked): the
child that compiles a snapshot for a worker (artifact.snapshot_store.compile_in_child) and stores it as
`snapshot-KEY.pickle`, niced while the worker serves. Exit 2: the packs are refused (stdout: the pickled
issues); 3: the contents have another key (the code changed under the worker)."""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    from acctcheck.artifact.snapshot_store import REFUSED, STALE, snapshot_key, write_artifact
    from acctcheck.normalize.normalizer import default_normalizer
    from acctcheck.packs.errors import PackSetError
    from acctcheck.packs.loader import load_files
    from acctcheck.ruleset import build_from_files

    cache_dir, key, niceness = Path(argv[0]), argv[1], int(argv[2])
    if niceness:
        os.nice(niceness)  # the serving workers keep their cores for requests
    fs, marked = pickle.loads(sys.stdin.buffer.read())
    try:
        if snapshot_key(load_files(fs, marked)) != key:
            print("the packs or the code changed: another key", file=sys.stderr)
            return STALE
        snapshot = build_from_files(fs, default_normalizer(), marked=marked)
    except PackSetError as exc:
        sys.stdout.buffer.write(pickle.dumps(exc.issues))
        return REFUSED
    write_artifact(snapshot, cache_dir, key)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
