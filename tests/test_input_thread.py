"""The terminal input thread sleeps while nothing is typed (tui/input_thread.py): keys,
a lone escape and the app's end still reach it at once."""

from __future__ import annotations

import os
import sys
import threading
import time

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="Textual's Linux driver; /proc")

from textual import events  # noqa: E402
from textual.drivers.linux_driver import LinuxDriver  # noqa: E402

from akool_tui.tui.input_thread import WakingEvent, waking_driver  # noqa: E402


def wakes(thread: threading.Thread) -> int:
    """How often ``thread`` went to sleep and woke (voluntary context switches)."""
    with open(f"/proc/self/task/{thread.native_id}/status") as status:
        line = next(line for line in status if line.startswith("voluntary_ctxt_switches"))
    return int(line.split()[1])


def wait_for(check, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


@pytest.fixture
def reader():
    """The driver's input loop on a pipe (the terminal), its messages in a list."""
    read_fd, write_fd = os.pipe()
    driver = object.__new__(waking_driver(LinuxDriver))
    driver.fileno, driver._debug = read_fd, False
    driver.exit_event = WakingEvent()
    seen: list[object] = []
    driver.process_message = seen.append
    thread = threading.Thread(target=driver.run_input_thread, daemon=True)
    thread.start()
    yield driver, thread, write_fd, seen
    driver.exit_event.set()
    thread.join(5)
    driver.exit_event.close()
    os.close(read_fd)
    os.close(write_fd)


def keys(seen: list[object]) -> list[str]:
    return [m.key for m in seen if isinstance(m, events.Key)]


def test_idle_input_thread_does_not_wake(reader):
    """Textual's own loop woke ten times a second to look for the app's end."""
    _driver, thread, _write, _seen = reader
    time.sleep(0.2)  # started and waiting
    before = wakes(thread)
    time.sleep(0.6)
    assert wakes(thread) - before <= 1


def test_keys_and_a_lone_escape_arrive(reader):
    _driver, _thread, write, seen = reader
    os.write(write, b"q")
    wait_for(lambda: keys(seen) == ["q"])
    os.write(write, b"\x1b")  # a lone escape is a key once ESCAPE_DELAY passed
    wait_for(lambda: keys(seen) == ["q", "escape"], timeout=2.0)
    os.write(write, b"\x1b[A")  # an escape sequence is one key
    wait_for(lambda: keys(seen) == ["q", "escape", "up"])


def test_the_thread_ends_at_once_when_asked(reader):
    driver, thread, _write, _seen = reader
    time.sleep(0.1)
    asked = time.monotonic()
    driver.exit_event.set()
    thread.join(2)
    assert not thread.is_alive()
    assert time.monotonic() - asked < 0.5


def test_the_event_can_be_set_and_cleared_again():
    """Textual clears it after the thread ended (suspend, then a new thread on resume)."""
    event = WakingEvent()
    try:
        event.set()
        event.set()
        assert event.is_set()
        event.clear()
        assert not event.is_set()
        import select

        assert select.select([event], [], [], 0)[0] == []  # drained: a new thread waits
        event.set()
        assert select.select([event], [], [], 0)[0] == [event]
    finally:
        event.close()


def test_other_drivers_keep_their_own_input():
    """The web driver (``akool-tui serve``) reads packets in its input thread, and the
    headless one has none: both are left as they are."""
    from textual.drivers.headless_driver import HeadlessDriver
    from textual.drivers.web_driver import WebDriver

    assert waking_driver(WebDriver) is WebDriver
    assert waking_driver(HeadlessDriver) is HeadlessDriver
    assert issubclass(waking_driver(LinuxDriver), LinuxDriver)
