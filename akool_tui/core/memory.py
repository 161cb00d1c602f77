"""Giving freed memory back to the system after a big load.

Python hands objects over 512 bytes (page bodies, big dict tables, long tokens) to the
C allocator. glibc keeps what they freed inside its heaps -- between live blocks, in
the arena of the thread that allocated -- and returns only the top of a heap to the
system. After a 100 000-session load or refetch that was 30-45 MB of free memory still
counted in the console's RSS (mallinfo2 "fordblks"). ``malloc_trim(0)`` gives every
free page of every arena back (1-10 ms, measured at 100 000 sessions); ctypes drops
the GIL meanwhile. Elsewhere (musl, macOS, Windows) this does nothing.

Chosen over ``MALLOC_ARENA_MAX``: that setting only works from before the first thread
starts (the environment, not this code), and alone it left the RSS 20 MB higher.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

_trim: Callable[[int], Any] | None | bool = False  # False: not looked up yet
_running = threading.Lock()


def _malloc_trim() -> Callable[[int], Any] | None:
    global _trim
    if _trim is False:
        _trim = None
        if sys.platform.startswith("linux"):
            try:
                import ctypes

                trim = ctypes.CDLL(None).malloc_trim  # glibc's; musl has none
                trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
                _trim = trim
            except (OSError, AttributeError):
                pass
    return _trim  # type: ignore[return-value]


def release_free_memory() -> bool:
    """Give the C allocator's free pages back to the system, now, in this thread.
    False when there is no such call here, or another thread is already at it."""
    trim = _malloc_trim()
    if trim is None or not _running.acquire(blocking=False):
        return False
    try:
        trim(0)
    finally:
        _running.release()
    return True


def release_free_memory_soon() -> None:
    """:func:`release_free_memory` in a thread of its own: the caller (an event loop)
    does not wait for it, nor for the first call's look-up (ctypes: 4-10 ms)."""
    if _trim is not None and not _running.locked():
        threading.Thread(target=release_free_memory, name="release-free-memory",
                         daemon=True).start()
