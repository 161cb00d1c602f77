"""Reading files whose path someone else may control: regular files only, bounded.

A config or theme path may name a FIFO (``open`` waits for a writer forever), a
device such as ``/dev/zero`` (an endless read) or a huge file. :func:`read_regular`
refuses all of them quickly, with a message that says what the path is.
Symlinks to regular files are followed (a dotfiles repository links them).

A file named for one command may also be a pipe (``<(jq ...)``, ``-``):
:func:`read_input` reads it, bounded in size and in the time its writer may keep it
silent.

Writing: :func:`write_new` creates a new file only (no overwrite, no symlink followed).
"""

from __future__ import annotations

import contextlib
import errno
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


#: seconds a pipe named on the command line may keep us waiting for its writer
PIPE_WAIT = 10.0


def read_input(path: Path | str, *, limit: int,
               wait: float | None = None) -> tuple[bytes, int]:
    """``(bytes, st_mode)`` of a file named for one command (``--params-file``,
    ``--prompt-file``): a regular file as :func:`read_regular`, or a pipe, as shell
    scripts hand them: ``-`` (standard input), ``/dev/stdin``, ``<(jq ...)``, a FIFO.

    A pipe is read until its writer closes it, at most ``limit`` bytes, and only while
    its writer keeps writing: nothing for ``wait`` seconds (a FIFO nobody writes) is an
    :class:`UnsafeFile`, never a hang. Devices, sockets, directories and a terminal
    are refused as by :func:`read_regular`.
    """
    if str(path) == "-":
        if os.isatty(0):
            raise UnsafeFile("is standard input, and that is a terminal: pipe the file in")
        fd = os.dup(0)
    else:
        st = os.stat(path)
        if not stat.S_ISFIFO(st.st_mode):
            return read_regular(path, limit=limit), st.st_mode
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if stat.S_ISREG(st.st_mode):  # `- < file`
            _check(st, limit)
        elif not stat.S_ISFIFO(st.st_mode):
            _check(st, limit)  # raises: a device, a socket...
        return _read_pipe(fd, limit, PIPE_WAIT if wait is None else wait), st.st_mode
    finally:
        os.close(fd)


def _read_pipe(fd: int, limit: int, wait: float) -> bytes:
    import select

    os.set_blocking(fd, False)
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP)
    chunks: list[bytes] = []
    total = 0
    while True:
        if not poller.poll(wait * 1000):
            raise UnsafeFile(f"is a pipe nothing was written to for {wait:g} s")
        try:
            chunk = os.read(fd, min(1 << 16, limit + 1 - total))
        except BlockingIOError:
            continue
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise UnsafeFile(f"is too large (more than {_size(limit)})")


#: a new file: never an existing one, never through a symlink
_NEW = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        | getattr(os, "O_CLOEXEC", 0))


def write_new(path: Path | str, data: bytes, *, mode: int = 0o600) -> None:
    """Write ``data`` to a file that does not exist yet (mode 0600 by default).

    Raises ``FileExistsError`` when anything is at ``path`` -- a file, a directory, a
    symlink (dangling or not): nothing is overwritten or followed -- and other
    ``OSError`` as they come (a half-written file is removed).
    """
    try:
        fd = os.open(path, _NEW, mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # O_NOFOLLOW on a symlink
            raise FileExistsError(errno.EEXIST, "a symlink is there", str(path)) from None
        raise
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise
    os.close(fd)
