"""`akool-tui --demo` serves its simulator from a process of its own, started before the
console paints (on another core, never holding the console's interpreter), and that
process ends with the console however the console ends."""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc")

ANSI = re.compile(rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
#: a session row on screen: its short id, then its status
ROW = re.compile(rb"\b[0-9a-f]{8}\s+(?:queueing|live|closed|failed)\b")


class Console:
    """``akool-tui --demo`` on a 120x34 pty of its own."""

    def __init__(self, tmp_path: Path) -> None:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("AKOOL_", "PYTEST_", "TEXTUAL"))}
        env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_STATE_HOME=str(tmp_path / "state"),
                   XDG_DATA_HOME=str(tmp_path / "data"), TERM="xterm-256color")
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 34, 120, 0, 0))
        self.proc = subprocess.Popen([sys.executable, "-m", "akool_tui", "--demo"], stdin=slave,
                                     stdout=slave, stderr=slave, env=env, close_fds=True,
                                     start_new_session=True)
        os.close(slave)
        self.seen = b""

    def read_until(self, pattern: re.Pattern[bytes], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not pattern.search(ANSI.sub(b"", self.seen)):
            left = deadline - time.monotonic()
            assert left > 0, f"no {pattern.pattern!r} on screen: {self.seen[-400:]!r}"
            if select.select([self.master], [], [], left)[0]:
                try:
                    self.seen += os.read(self.master, 65536)
                except OSError:
                    break

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        os.close(self.master)


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:  # it has gone
        return ""


def gone(pid: int, timeout: float = 10.0) -> bool:
    """The process has ended (or is a zombie nobody waits for), polled."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def console(tmp_path):
    term = Console(tmp_path)
    yield term
    term.close()


def simulator_of(term: Console) -> int:
    [pid] = [pid for pid in term.children() if "serve_child" in cmdline(pid)]
    return pid


def test_the_demo_simulator_runs_in_a_process_of_its_own(console):
    console.read_until(ROW)  # the demo's sessions, served by that process
    simulator_of(console)


def test_the_demo_simulator_ends_when_the_console_is_killed(console):
    console.read_until(ROW)
    simulator = simulator_of(console)
    console.proc.kill()  # no clean-up at all: the pipe to the simulator closes
    console.proc.wait()
    assert gone(simulator), "the demo simulator outlived its console"


def test_the_demo_simulator_ends_when_the_console_quits(console):
    console.read_until(ROW)
    simulator = simulator_of(console)
    os.write(console.master, b"q")
    console.proc.wait(timeout=20)
    assert gone(simulator), "the demo simulator outlived its console"
