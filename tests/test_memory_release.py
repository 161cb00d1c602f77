"""Freed memory goes back to the system after a big load (core/memory.py), on the C
library that keeps it otherwise (glibc); elsewhere the call says it did nothing."""

from __future__ import annotations

import ctypes
import platform
import sys
import time
from pathlib import Path

import pytest

from akool_tui.core.memory import release_free_memory, release_free_memory_soon

glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"


def rss_anon_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no RssAnon")


@pytest.mark.skipif(not glibc, reason="malloc_trim is glibc's")
def test_freed_blocks_inside_the_heap_go_back_to_the_system():
    # 1 KiB blocks go to malloc (Python keeps only blocks up to 512 bytes itself); one
    # in 16 stays, so the free ones lie between live blocks, where glibc keeps them
    blocks = [ctypes.create_string_buffer(1024) for _ in range(64_000)]
    for block in blocks:
        block[0] = 1  # touched: resident
    kept = blocks[15::16]
    del blocks
    held = rss_anon_mb()
    deadline = time.monotonic() + 10
    while not release_free_memory():  # another thread is at it: then ours
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert rss_anon_mb() < held - 30, (held, rss_anon_mb())
    assert len(kept) == 4000


def test_the_call_is_safe_anywhere_and_never_waits():
    release_free_memory_soon()  # a thread of its own
    assert release_free_memory() in (True, False)
