"""The directory `acctcheck serve` gives its workers for prometheus-client's multiprocess mode.

Kept apart from acctcheck.metrics on purpose: prometheus-client picks its mode when it is first imported, from
PROMETHEUS_MULTIPROC_DIR, so the variable must be set before anything imports it.

Each start gets a fresh directory, `acctcheck-metrics-<pid>-<random>` under the parent (``--metrics-dir``,
$ACCTCHECK_METRICS_DIR, or the system temp dir), removed when serve exits. Counters there must start at zero
with the process: a directory left by a previous start (SIGKILL, a container restart that kept its emptyDir)
would add its counts to the new ones, so those are removed at the next start when their process is gone.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"
PREFIX = "acctcheck-metrics-"
_NAME = re.compile(rf"^{PREFIX}(\d+)-")

log = logging.getLogger("acctcheck")


class MetricsDirError(Exception):
    """The parent directory is not writable: serve stops with this message rather than serve half-blind."""


def other_process_running(pid: int) -> bool:
    """Whether `pid` is a live process other than this one."""
    if pid == os.getpid():  # our pid on a previous start (PID 1 in a restarted container): not running now
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(parent: Path) -> list[Path]:
    """Remove directories of earlier starts whose serve process no longer runs; return them."""
    removed = []
    with contextlib.suppress(OSError):
        for entry in parent.iterdir():
            m = _NAME.match(entry.name)
            if m and entry.is_dir() and not other_process_running(int(m.group(1))):
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
    return removed


@contextlib.contextmanager
def worker_metrics_dir(parent: str | os.PathLike[str] | None = None) -> Iterator[Path]:
    """Create this start's directory, point PROMETHEUS_MULTIPROC_DIR at it for the workers, remove it after."""
    base = Path(parent or os.environ.get("ACCTCHECK_METRICS_DIR") or tempfile.gettempdir())
    try:
        base.mkdir(parents=True, exist_ok=True)
        remove_stale(base)
        path = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=base))
    except OSError as exc:
        raise MetricsDirError(f"cannot create the workers' metrics directory under {base} ({exc.strerror or exc}); "
                              "give a writable one with --metrics-dir or ACCTCHECK_METRICS_DIR "
                              "(on a read-only root filesystem: a tmpfs or emptyDir)") from None
    previous = os.environ.get(ENV)
    if previous:
        log.warning("%s=%s replaced by this start's own directory %s", ENV, previous, path)
    os.environ[ENV] = str(path)
    try:
        yield path
    finally:
        if previous is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = previous
        shutil.rmtree(path, ignore_errors=True)
