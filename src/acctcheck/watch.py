"""Per-process rule reloading: a filesystem watch (debounced) plus a periodic content-hash poll.

Every worker process runs its own `RulesWatcher`, so the rules directory is the single source of truth and
every worker converges on it without talking to the others. The watch gives seconds-or-less latency; the poll
is the fallback for what inotify misses (network filesystems, a directory that vanished and came back).
`RuleStore.reload` is blocking and runs in a worker thread, never on the event loop; an unchanged content hash
makes it a no-op, so spurious events and polls cost one hash of the directory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import stat
from collections.abc import Awaitable, Callable
from pathlib import Path

from acctcheck.reload import ReloadResult, RuleStore

log = logging.getLogger("acctcheck.reload")

REARM_S = 1.0  # how often the watch checks that the directory it watches is still the rules directory


def dir_identity(root: Path) -> tuple[int, int] | None:
    """(device, inode) of the directory at `root` now (symlinks followed), None when it is not a directory."""
    try:
        st = os.stat(root)
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISDIR(st.st_mode) else None


class Debouncer:
    """Trailing-edge debounce: `wait()` returns once pokes have been quiet for `quiet_s`, so a burst of writes
    (an editor's save, `kubectl cp` of several files) is compiled once and never half-written. `max_wait_s`
    bounds the delay when writes never stop. Times are read from the running event loop's clock, the one its
    timeouts run on (time.monotonic on asyncio's loops), so a loop with a virtual clock steps it in tests."""

    def __init__(self, quiet_s: float, max_wait_s: float | None = None) -> None:
        self.quiet_s = quiet_s
        self.max_wait_s = max_wait_s if max_wait_s is not None else max(5.0, 10 * quiet_s)
        self._last = 0.0
        self._event = asyncio.Event()

    def poke(self) -> None:
        self._last = asyncio.get_running_loop().time()
        self._event.set()

    async def wait(self) -> None:
        await self._event.wait()
        clock = asyncio.get_running_loop().time
        first = clock()
        while True:
            self._event.clear()
            now = clock()
            remaining = min(self._last + self.quiet_s, first + self.max_wait_s) - now
            if remaining <= 0:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), remaining)


class RulesWatcher:
    """Runs three tasks: watch → debounce → wake, poll → wake, and one reloader that serialises reloads."""

    def __init__(self, store: RuleStore, *, poll_s: float, debounce_ms: int,
                 on_result: Callable[[ReloadResult, str], None] | None = None,
                 on_poll: Callable[[], Awaitable[None]] | None = None) -> None:
        self.store = store
        self.poll_s = poll_s
        self.debouncer = Debouncer(debounce_ms / 1000)
        self.on_result = on_result
        self.on_poll = on_poll
        self._wake = asyncio.Event()
        self._reason = "poll"

    async def run(self) -> None:
        tasks = [asyncio.create_task(c) for c in (self._watch(), self._debounced(), self._poll(), self._reloader())]
        try:
            await asyncio.gather(*tasks)
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def wake(self, reason: str) -> None:
        self._reason = reason
        self._wake.set()

    async def _watch(self) -> None:
        """inotify (via watchfiles) on the rules directory. inotify watches an inode, not a path: when the
        directory is replaced (`rm -rf rules && cp -r new rules`, a re-mount, a swapped symlink) the old watch
        goes silent. So the watch wakes every second to compare the directory's identity and re-arms on the
        new one (poking a reload, since its contents are new)."""
        from watchfiles import Change, awatch

        watched = os.path.abspath(self.store.root)
        while True:
            armed = dir_identity(self.store.root)
            if armed is None:  # missing: the poll reports it; look again soon
                await asyncio.sleep(min(self.poll_s, REARM_S))
                continue
            try:
                # watch_filter=None: a ConfigMap update only renames `..data`, which default filters may drop;
                # the content digest decides whether anything relevant changed.
                async for changes in awatch(self.store.root, watch_filter=None, debounce=50, step=20,
                                            recursive=True, rust_timeout=int(REARM_S * 1000),
                                            yield_on_timeout=True):
                    if changes:
                        self.debouncer.poke()
                    # replaced or gone (the identity moved, or the watched directory itself was deleted: a new
                    # one may have reused its inode number): re-arm on what is there now
                    if dir_identity(self.store.root) != armed or any(
                            c == Change.deleted and os.path.abspath(p) == watched for c, p in changes):
                        self.debouncer.poke()
                        break
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("rules watch unavailable, relying on the poll: %s", exc)
                await asyncio.sleep(self.poll_s)

    async def _debounced(self) -> None:
        while True:
            await self.debouncer.wait()
            self.wake("watch")

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.poll_s)
            self.wake("poll")
            if self.on_poll is not None:
                try:
                    await self.on_poll()
                except Exception:
                    log.exception("periodic refresh failed")

    async def _reloader(self) -> None:
        retry: asyncio.TimerHandle | None = None
        while True:
            await self._wake.wait()
            self._wake.clear()
            if retry is not None:
                retry.cancel()
                retry = None
            reason = self._reason
            attempt = self.store.last_attempt
            try:
                result = await asyncio.to_thread(self.store.reload)
            except Exception:
                log.exception("rules reload crashed")
                continue
            if result.retry_in is not None:  # files still settling: look again when they should have settled
                retry = asyncio.get_running_loop().call_later(result.retry_in, self.wake, "settle")
            if result.changed or self.store.last_attempt != attempt:  # a no-op poll logs nothing
                report(result, reason)
            if self.on_result is not None:
                self.on_result(result, reason)


def report(result: ReloadResult, trigger: str) -> None:
    """One log line per reload attempt that did something."""
    if result.changed:
        log.info("rules activated", extra={"event": "rules_activated", "revision": result.revision,
                                           "trigger": trigger})
    elif not result.ok and result.revision is None:  # nothing ever loaded: there is no previous revision
        first = result.errors[0] if result.errors else {}
        where = " › ".join(str(first[k]) for k in ("file", "rule", "field") if first.get(k))
        log.error("no rules active, not ready: %s: %s", where, first.get("message", "unknown error"),
                  extra={"event": "rules_refused", "revision": None, "trigger": trigger,
                         "errors": result.errors[:20]})
    elif not result.ok:
        log.warning("rules refused; previous revision keeps serving",
                    extra={"event": "rules_refused", "revision": result.revision, "trigger": trigger,
                           "errors": result.errors[:20]})
