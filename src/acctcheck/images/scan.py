"""Scanning a request's images for codes, off the event loop, on a small dedicated thread pool.

The pool is separate from asyncio's default executor so a burst of large images does not delay rule reloads
or anything else that uses `asyncio.to_thread`. Pillow and zxing-cpp do their pixel work in C.

Memory and CPU spent on images at once are bounded by a gate of `workers` slots: a request takes one slot and
decodes its images one after another (so one request holds at most one decode: images/cost.py), and a request
that cannot get a slot within `wait_s` is answered 503 `images_busy` with Retry-After instead of queueing
without bound behind a burst of large images.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

from acctcheck.images.codes import MAX_CODES, find_codes
from acctcheck.images.decode import ImageError, configure, decode_base64, frames
from acctcheck.images.model import ImageCode, ImageLimits

_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_lock = threading.Lock()


class FieldImageError(ImageError):
    """An ImageError that knows which field (avatar/cover) it is about."""

    def __init__(self, field: str, err: ImageError) -> None:
        super().__init__(err.status, err.error, err.message)
        self.field = field


class ImagesBusy(Exception):
    """No decoding slot became free within the wait: the service is saturated with images (503)."""

    def __init__(self, wait_s: float) -> None:
        self.wait_s = wait_s
        super().__init__(f"no image decoding slot free within {wait_s:g} s")


def scan_one(field: str, data: str, limits: ImageLimits, formats: Iterable[str]) -> list[ImageCode]:
    """Every distinct code on every frame; a code seen on several frames is reported once (first frame's
    box). At most MAX_CODES per image."""
    out: list[ImageCode] = []
    seen: set[tuple[str, str]] = set()
    try:
        raw = decode_base64(data, limits.max_bytes)
        for picture in frames(raw, limits):
            for c in find_codes(picture, formats):
                if (c.format, c.payload) in seen:
                    continue
                seen.add((c.format, c.payload))
                out.append(ImageCode(field, c.payload, c.box, c.format))
                if len(out) >= MAX_CODES:
                    return out
    except ImageError as exc:
        raise FieldImageError(field, exc) from None
    return out


def scan_images(items: Sequence[tuple[str, str]], limits: ImageLimits, formats: Iterable[str]) -> list[ImageCode]:
    """Synchronous: every (field, base64) in order; the first bad image raises FieldImageError."""
    configure(limits.max_pixels)
    names = frozenset(formats)
    out: list[ImageCode] = []
    for field, data in items:
        out.extend(scan_one(field, data, limits, names))
    return out


def _executor(workers: int) -> ThreadPoolExecutor:
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size != workers:
            old = _pool
            _pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="acctcheck-image")
            _pool_size = workers
            if old is not None:
                old.shutdown(wait=False)
        return _pool


_gates: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}


def _gate(workers: int) -> asyncio.Semaphore:
    """One semaphore per event loop (tests run several loops in one process), sized like the pool."""
    loop = asyncio.get_running_loop()
    gate = _gates.get(loop)
    if gate is None:
        for old in [lp for lp in _gates if lp.is_closed()]:
            del _gates[old]
        gate = _gates[loop] = asyncio.Semaphore(workers)
    return gate


async def scan_images_async(items: Sequence[tuple[str, str]], limits: ImageLimits, formats: Iterable[str],
                            workers: int, wait_s: float) -> list[ImageCode]:
    """The request's images one after another in one slot of the gate (ImagesBusy when none frees up within
    `wait_s`); the first bad image raises FieldImageError."""
    if not items:
        return []
    gate = _gate(workers)
    try:
        await asyncio.wait_for(gate.acquire(), wait_s)
    except TimeoutError:
        raise ImagesBusy(wait_s) from None
    try:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(_executor(workers), scan_images, items, limits, formats)
    finally:
        gate.release()
