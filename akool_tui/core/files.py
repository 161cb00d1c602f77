"""Reading files whose path someone else may control: regular files only, bounded.

A config or theme path may name a FIFO (``open`` waits for a writer forever), a
device such as ``/dev/zero`` (an endless read) or a huge file. :func:`read_regular`
refuses all of them quickly, with a message that says what the path is.
Symlinks to regular files are followed (a dotfiles repository links them).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class UnsafeFile(Exception):
    """The path is not a regular file of acceptable size; ``str()`` says why."""


def describe(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def _size(limit: int) -> str:
    for unit, name in ((1024 * 1024, "MiB"), (1024, "KiB")):
        if limit % unit == 0:
            return f"{limit // unit} {name}"
    return f"{limit} bytes"


def _check(st: os.stat_result, limit: int) -> None:
    if not stat.S_ISREG(st.st_mode):
        kind = describe(st.st_mode)
        raise UnsafeFile(f"is {kind}, not a regular file" if kind != "not a regular file"
                         else "is not a regular file")
    if st.st_size > limit:
        raise UnsafeFile(f"is too large ({st.st_size} bytes; at most {_size(limit)} is read)")


def read_regular(path: Path | str, *, limit: int) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them.

    Raises ``FileNotFoundError`` when nothing is there, :class:`UnsafeFile` for a
    directory, FIFO, device or socket, or a file over ``limit`` bytes (also one that
    grows past it while being read), and other ``OSError`` as they come. The path is
    checked before it is opened (opening a device can have effects) and the open
    file again (it may have been swapped in between); the open never blocks.
    """
    _check(os.stat(path), limit)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        _check(os.fstat(fd), limit)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(1 << 16, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise UnsafeFile(f"is too large (more than {_size(limit)})")
        return b"".join(chunks)
    finally:
        os.close(fd)
