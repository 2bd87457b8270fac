"""`python -m acctcheck.registry.compile_process SOURCE CACHE_DIR DIGEST`: the child that compiles one
registry artifact for a serving worker (registry.artifact.ensure_artifact). Exit 3: the file changed."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from acctcheck.registry.artifact import SourceChanged, compile_artifact
from acctcheck.registry.source import RegistryFileError

COMPILE_NICENESS = 10


def main(argv: list[str]) -> int:
    source, cache_dir, digest = argv
    os.nice(COMPILE_NICENESS)  # the workers that launched it keep their cores for requests
    try:
        compile_artifact(Path(source), Path(cache_dir), expected_digest=digest)
    except SourceChanged as exc:
        print(exc, file=sys.stderr)
        return SourceChanged.exit_code
    except RegistryFileError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
