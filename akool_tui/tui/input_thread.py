"""Textual's input thread, without waking ten times a second when nothing is typed.

Textual's Linux driver reads the terminal in a thread that waits at most 0.1 s for
input, then looks whether the app is ending and whether a lone escape has waited long
enough to be a key. So an idle console woke that thread ten times a second, and each
wake took the interpreter lock: 0.08 s of CPU a minute (0.13 % of a core of the 1 %
idle target at 10 000 sessions).

:func:`waking_driver` waits instead until input comes, until the parser's own timeout
(a lone escape: ``ESCAPE_DELAY``) is due, or until the app asks the thread to end
(``exit_event.set()`` also writes to a pipe the thread waits on). What the thread
does with what it reads is Textual's (``LinuxDriver.run_input_thread``, Textual 8.2).
"""

from __future__ import annotations

import contextlib
import os
import selectors
import sys
import threading
from codecs import getincrementaldecoder
from typing import Any


class WakingEvent(threading.Event):
    """An event whose :meth:`set` also makes :meth:`fileno` readable (until cleared)."""

    def __init__(self) -> None:
        super().__init__()
        self._read, self._write = os.pipe()
        os.set_blocking(self._read, False)
        os.set_blocking(self._write, False)

    def fileno(self) -> int:
        return self._read

    def set(self) -> None:
        super().set()
        with contextlib.suppress(OSError):  # full (already readable) or closed
            os.write(self._write, b"!")

    def clear(self) -> None:
        super().clear()
        with contextlib.suppress(OSError):  # BlockingIOError: drained
            while os.read(self._read, 512):
                pass

    def close(self) -> None:
        for fd in (self._read, self._write):
            with contextlib.suppress(OSError):
                os.close(fd)


def waking_driver(base: type[Any]) -> type[Any]:
    """``base`` with an input thread that sleeps until there is something to do; any
    driver but Textual's Linux one (headless; web, whose input thread reads packets)
    is returned as it is."""
    linux = sys.modules.get("textual.drivers.linux_driver")
    if linux is None or not issubclass(base, linux.LinuxDriver):
        return base
    from textual._parser import ParseError
    from textual._time import get_time
    from textual._xterm_parser import XTermParser

    class Waking(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.exit_event = WakingEvent()

        def run_input_thread(self) -> None:
            """Textual's loop, waiting for input, the parser's timeout or the end."""
            exit_event = self.exit_event
            fileno = self.fileno
            selector = selectors.SelectSelector()
            selector.register(fileno, selectors.EVENT_READ)
            selector.register(exit_event.fileno(), selectors.EVENT_READ)
            parser = XTermParser(self._debug)
            feed, tick = parser.feed, parser.tick
            decode = getincrementaldecoder("utf-8")().decode
            read = os.read

            def process(ready: list[tuple[selectors.SelectorKey, int]]) -> None:
                for key, mask in ready:
                    if key.fd == fileno and mask & selectors.EVENT_READ:
                        unicode_data = decode(read(fileno, 1024 * 4))
                        if not unicode_data:  # stdin is a pipe that ended
                            break
                        for event in feed(unicode_data):
                            self.process_message(event)
                for event in tick():
                    self.process_message(event)

            try:
                while not exit_event.is_set():
                    due = parser._timeout_time  # a lone escape waiting to be a key
                    timeout = None if due is None else max(0.0, due - get_time())
                    process(selector.select(timeout))
            finally:
                selector.close()
                with contextlib.suppress(EOFError, ParseError):
                    for _event in feed(""):
                        pass

    Waking.__name__ = Waking.__qualname__ = f"Waking{base.__name__}"
    return Waking
