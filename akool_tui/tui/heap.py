"""The full garbage collection held back while the console streams or refetches: one
walks everything the program holds (80-90 ms at 100 000 sessions, 50-70 ms with the
video's libraries loaded) with the UI waiting. Holders are named (a big refetch, a
streaming reply); the collector's thresholds come back when the last lets go."""

from __future__ import annotations

import gc

#: the full collection's threshold while held (none)
NO_FULL_GC = 1 << 30


def hold_full_gc(holder: str = "refetch") -> None:
    """No full collection until :func:`release_full_gc` of every holder: one walked the
    100 000 sessions (and what a refetch of 1 000 pages allocated) for 80-90 ms, in
    whichever thread tripped it, with the UI waiting; a chat reply streaming at 200
    parts/s saw 50-70 ms stalls. The pages' dicts are freed by reference counting.
    Holding twice is holding once; the collector's thresholds come back when the last
    holder lets go. (Nothing is frozen for a reply: a gc.freeze at each reply kept the
    cyclic garbage of the time forever, +15 % RSS in a 4 minute soak.)"""
    global _held
    if _held is None:
        _held = gc.get_threshold()
        gc.set_threshold(_held[0], _held[1], NO_FULL_GC)
    _holders.add(holder)


def release_full_gc(holder: str = "refetch") -> None:
    """``holder`` lets go of :func:`hold_full_gc`; the thresholds as before once no one
    holds it (nothing if ``holder`` did not hold it)."""
    global _held
    _holders.discard(holder)
    if _held is not None and not _holders:
        gc.set_threshold(*_held)
        _held = None


_held: tuple[int, int, int] | None = None
_holders: set[str] = set()
