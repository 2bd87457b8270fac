"""Scanning a request's images for codes, off the event loop, on a small dedicated thread pool.

The pool is separate from asyncio's default executor so a burst of large images queues here instead of
delaying rule reloads or anything else that uses `asyncio.to_thread`. Pillow and zxing-cpp do their pixel
work in C; the pool size bounds CPU and memory spent on images at once.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

from acctcheck.images.codes import find_codes
from acctcheck.images.decode import ImageError, configure, decode_base64, prepare
from acctcheck.images.model import ImageCode, ImageLimits

_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_lock = threading.Lock()


class FieldImageError(ImageError):
    """An ImageError that knows which field (avatar/cover) it is about."""

    def __init__(self, field: str, err: ImageError) -> None:
        super().__init__(err.status, err.error, err.message)
        self.field = field


def scan_one(field: str, data: str, limits: ImageLimits, formats: Iterable[str]) -> list[ImageCode]:
    try:
        raw = decode_base64(data, limits.max_bytes)
        picture = prepare(raw, limits)
    except ImageError as exc:
        raise FieldImageError(field, exc) from None
    return [ImageCode(field, c.payload, c.box, c.format) for c in find_codes(picture, formats)]


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


async def scan_images_async(items: Sequence[tuple[str, str]], limits: ImageLimits, formats: Iterable[str],
                            workers: int) -> list[ImageCode]:
    """Each image is its own pool task, so an avatar and a cover are scanned in parallel."""
    configure(limits.max_pixels)
    names = frozenset(formats)
    loop = asyncio.get_running_loop()
    pool = _executor(workers)
    tasks = [loop.run_in_executor(pool, scan_one, field, data, limits, names) for field, data in items]
    results = await asyncio.gather(*tasks, return_exceptions=True)
    out: list[ImageCode] = []
    for r in results:
        if isinstance(r, BaseException):
            raise r
        out.extend(r)
    return out
