"""The console ends when its terminal goes away, whatever Textual's writer is doing.

What went wrong: in tmux whose session was killed (or over SSH whose connection
dropped), Textual's writer thread was blocked writing a frame to a terminal nobody
read, or had died on EIO; the 30-frame queue in front of it filled up, and the app's
shutdown blocked for ever in ``WriterThread.stop`` -> ``Queue.put``. The process
stayed alive, with its pty deleted.

Three parts here:

- :class:`SafeWriterThread` replaces Textual's writer thread (``install``): a write
  the terminal refuses (EIO after a hang-up, EPIPE) marks the terminal dead and
  everything after is dropped instead of queued; once the app is ending, a write
  waits for a stalled terminal at most until :data:`WRITE_GRACE` after the end began,
  and so does ``stop``.
- :class:`TerminalWatch` turns SIGHUP, SIGTERM, a refused write and a terminal that
  stopped being a terminal (polled from a thread, every :data:`POLL` seconds) into an
  orderly ``app.exit`` with the code a shell expects (128 + the signal: 129 for a
  hang-up, 143 for SIGTERM).
- Its watchdog ends the process with ``os._exit`` when the orderly exit has not
  finished :data:`DEADLINE` seconds after it began, after restoring what it can of
  the terminal (its modes, if it is still there) and flushing the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import select
import signal
import socket
import sys
import termios
import threading
import time
from collections.abc import Callable
from typing import IO, Any

from textual.drivers import _writer_thread

from .. import logs
from .input_gate import GATE

HANGUP_EXIT = 128 + signal.SIGHUP  # 129
TERM_EXIT = 128 + signal.SIGTERM  # 143
#: seconds a write may wait for a stalled terminal once the app is ending
WRITE_GRACE = 1.0
#: seconds after which the watchdog ends the process if the orderly exit has not
DEADLINE = 3.0
#: seconds between two checks that the terminal is still a terminal
POLL = 1.0
#: seconds a write blocked by a full queue waits before it looks whether the app ends
BACKPRESSURE_CHECK = 0.25
#: what the watchdog writes to a terminal that is still there: kitty keys off, main
#: screen, cursor shown, focus / paste / mouse reports off, line wrap on
RESET = ("\x1b[<u\x1b[?1049l\x1b[?25h\x1b[?1004l\x1b[?2004l\x1b[?7h"
         "\x1b[?1000l\x1b[?1003l\x1b[?1015l\x1b[?1006l\x1b[?1016l")


class _Shared:
    """What every writer thread consults (one app per process)."""

    #: time.monotonic() after which writes are dropped instead of waiting
    deadline: float | None = None
    #: called (from the writer thread) when the terminal refuses a write
    on_dead: Callable[[], None] | None = None


shared = _Shared()


class SafeWriterThread(_writer_thread.WriterThread):
    """Textual's writer thread, which never blocks the app on a dead or stalled terminal."""

    def __init__(self, file: IO[str]) -> None:
        super().__init__(file)
        #: the terminal refused a write: everything after is dropped
        self.dead = False
        #: called after each flush (a frame is on the terminal: ``input_gate``)
        self.on_flush: Callable[[], None] = GATE.flushed

    def write(self, text: str) -> None:
        # a full queue is the terminal's back-pressure: wait for it, but look up now and
        # then whether the app is ending (then the wait is bounded) or the terminal died
        while not self.dead:
            deadline = shared.deadline
            wait = BACKPRESSURE_CHECK if deadline is None else deadline - time.monotonic()
            try:
                if wait <= 0:
                    self._queue.put_nowait(text)
                else:
                    self._queue.put(text, timeout=wait)
                return
            except queue.Full:
                if deadline is not None:
                    return  # the app is ending and the terminal does not read: drop it

    def run(self) -> None:
        write = self._file.write
        flush = self._file.flush
        get = self._queue.get
        qsize = self._queue.qsize
        while True:
            text = get()
            if text is None:
                break
            if self.dead:
                continue  # drain: nobody waits on a full queue
            try:
                write(text)
                if qsize() == 0:
                    flush()
                    self.on_flush()
            except (OSError, ValueError):  # EIO (hung up), EPIPE, closed file
                self._gone()
        if not self.dead:
            try:
                flush()
                self.on_flush()
            except (OSError, ValueError):
                self._gone()

    def _gone(self) -> None:
        self.dead = True
        callback = shared.on_dead
        if callback is not None:
            with contextlib.suppress(Exception):
                callback()

    def stop(self) -> None:
        deadline = shared.deadline
        if deadline is None and not self.dead:
            super().stop()
            return
        wait = max(0.1, (deadline or time.monotonic()) - time.monotonic())
        with contextlib.suppress(queue.Full):
            self._queue.put(None, timeout=wait)
        self.join(wait)


def install() -> bool:
    """Use :class:`SafeWriterThread` for Textual's Linux driver (once); False when this
    Textual has no such driver or writer."""
    try:
        from textual.drivers import linux_driver
    except ImportError:  # not a POSIX terminal (Windows)
        return False
    if getattr(linux_driver, "WriterThread", None) not in (_writer_thread.WriterThread,
                                                            SafeWriterThread):
        return False
    linux_driver.WriterThread = SafeWriterThread  # type: ignore[misc]
    return True


def _tty_fds() -> list[int]:
    """The file descriptors the driver reads and writes that are terminals."""
    fds = []
    for stream in (sys.__stdin__, sys.__stdout__, sys.__stderr__):
        try:
            fd = stream.fileno()  # type: ignore[union-attr]
        except (AttributeError, OSError, ValueError):
            continue
        if os.isatty(fd) and fd not in fds:
            fds.append(fd)
    return fds


class TerminalWatch:
    """Ends the app when its terminal goes away (see the module's docstring).

    ``on_gone(code)`` is called in the event loop to start the orderly exit;
    ``terminal_modes()`` gives the terminal's modes from before the app started
    (Textual's driver keeps them), for the watchdog to restore.
    """

    def __init__(self, on_gone: Callable[[int], None], *,
                 terminal_modes: Callable[[], Any] = lambda: None,
                 deadline: float = DEADLINE, grace: float = WRITE_GRACE,
                 poll: float = POLL) -> None:
        self._on_gone = on_gone
        self._terminal_modes = terminal_modes
        self._deadline = deadline
        self._grace = grace
        self._poll = poll
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.RLock()  # a signal handler may run while the main thread holds it
        self._armed = threading.Event()
        self._stopped = False
        self._previous: dict[int, Any] = {}
        self._wake_r: socket.socket | None = None
        self._wake_w: socket.socket | None = None
        self._old_wakeup_fd = -1
        self._fds: list[int] = []
        self._thread: threading.Thread | None = None
        #: the exit code once the terminal went away (or SIGTERM came), else None
        self.code: int | None = None
        self.reason = ""
        self.started_at: float | None = None

    # -- start / stop -----------------------------------------------------------------

    def start(self) -> None:
        """Install the signal handlers and start the watch thread (in the event loop's
        thread, the main thread)."""
        self._loop = asyncio.get_running_loop()
        for sig in (signal.SIGHUP, signal.SIGTERM):
            try:
                self._previous[sig] = signal.signal(sig, self._on_signal)
            except (ValueError, OSError, AttributeError):  # not the main thread
                pass
        # Python runs signal handlers in the main thread only, and only once it runs
        # Python code again: the main thread blocked on Textual's queue never does.
        # The signal's number written to a wake-up socket reaches the watch thread
        # whichever thread the kernel interrupted.
        self._wake_r, self._wake_w = socket.socketpair()
        for sock in (self._wake_r, self._wake_w):
            sock.setblocking(False)
        try:
            old = signal.set_wakeup_fd(self._wake_w.fileno(), warn_on_full_buffer=False)
        except (ValueError, OSError):
            old = -1
        if old != -1:  # someone else's (asyncio's add_signal_handler): leave it theirs
            signal.set_wakeup_fd(old)
        self._old_wakeup_fd = old
        shared.on_dead = lambda: self.trigger(HANGUP_EXIT, "the terminal refused a write")
        self._fds = _tty_fds()
        self._thread = threading.Thread(target=self._watch, name="akool-terminal-watch",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """The app ended normally: restore the signal handlers, end the watch thread
        (unless the terminal went away: then the watchdog stays armed)."""
        for sig, previous in self._previous.items():
            with contextlib.suppress(ValueError, OSError, TypeError):
                signal.signal(sig, previous)
        self._previous.clear()
        if self._wake_w is not None and self._old_wakeup_fd == -1:
            with contextlib.suppress(ValueError, OSError):
                signal.set_wakeup_fd(-1)
        with self._lock:
            if self.code is None:
                self._stopped = True
                shared.on_dead = None
        self._armed.set()  # the thread ends, unless the watchdog is armed
        self._wake()

    def _wake(self) -> None:
        if self._wake_w is not None:
            with contextlib.suppress(OSError):
                self._wake_w.send(b"\0")

    # -- the terminal went away -------------------------------------------------------

    def _on_signal(self, signum: int, _frame: Any) -> None:
        name = signal.Signals(signum).name
        self.trigger(128 + signum, name)

    def trigger(self, code: int, reason: str) -> None:
        """Begin the end (any thread, or a signal handler): the app is asked to exit
        with ``code`` and the watchdog is armed."""
        with self._lock:
            if self.code is not None or self._stopped:
                return
            self.code, self.reason = code, reason
            self.started_at = time.monotonic()
        shared.deadline = self.started_at + self._grace
        self._armed.set()
        self._wake()
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop is already closed
                loop.call_soon_threadsafe(self._on_gone, code)

    def _watch(self) -> None:
        wake = self._wake_r
        while not self._armed.is_set():
            timeout = self._poll if self._fds else None
            if wake is None:
                self._armed.wait(timeout)
            elif select.select([wake], [], [], timeout)[0]:
                with contextlib.suppress(OSError):
                    for signum in wake.recv(64):
                        if signum in (signal.SIGHUP, signal.SIGTERM):
                            self.trigger(128 + signum, signal.Signals(signum).name)
            if any(not _isatty(fd) for fd in self._fds):
                self.trigger(HANGUP_EXIT, "the terminal is gone")
        with self._lock:
            if self.code is None:  # stop() woke us: the app ended normally
                return
            left = self._deadline - (time.monotonic() - (self.started_at or 0.0))
        time.sleep(max(0.0, left))
        self._kill()

    def _kill(self) -> None:
        """The orderly exit did not finish in time: restore what can be, end the process."""
        code = self.code if self.code is not None else HANGUP_EXIT
        helper = threading.Thread(target=self._last_words, daemon=True)
        helper.start()
        helper.join(0.5)  # a stalled terminal or log may block: never wait longer
        os._exit(code)

    def _last_words(self) -> None:
        logs.log.warning("exit did not finish %.1fs after %s; ending the process (%s)",
                         self._deadline, self.reason, self.code)
        logs.flush()
        restore_terminal(self._fds, self._terminal_modes())


def _isatty(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False


def restore_terminal(fds: list[int], modes: Any) -> None:
    """Best effort, never blocking: the terminal's modes back, and the reset sequences
    written through a non-blocking descriptor of its own."""
    for fd in fds[:1]:
        if not _isatty(fd):
            return
        if modes is not None:
            with contextlib.suppress(termios.error, OSError):
                termios.tcsetattr(fd, termios.TCSANOW, modes)
        try:
            out = os.open(os.ttyname(fd), os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY)
        except OSError:
            return
        try:
            with contextlib.suppress(OSError):
                os.write(out, RESET.encode())
        finally:
            os.close(out)
