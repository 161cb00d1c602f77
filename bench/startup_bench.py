"""First frame WITH DATA of akool-tui, against a minimal Textual app, in a pseudo-terminal.

Each program is spawned on its own pty (120x34, TERM=xterm-256color, an empty
config home) and timed from spawn until its output, read from the pty, holds a known
text; runs alternate between the programs.

    data (headline)  the first frame showing session rows: a row's short id followed by
                     its status ("4ce0cf1f  live"), read from the pty output
    empty frame      the first frame at all: akool-tui --demo's status line ("DEMO
                     (simulator)"), or the base URL against a running simulator; the
                     table is still empty ("No sessions yet")
    minimal app      the frame with its one label: the anchor

Programs: ``akool-tui --demo`` (starts its own simulator after the first frame),
``akool-tui --base-url`` against a simulator already running in another process with
300 sessions, and with ``--big N`` sessions (default 100 000; 0 skips it).
Every run prints ``figure: startup <program>: <frame> <ms> ms``.

Before/after in one run: ``--source NAME=DIR`` (repeatable) also runs the akool-tui
programs from another source tree (e.g. ``git archive main | tar -x -C DIR``), as
``akool-tui NAME ...``, alternating with this checkout's within every run. Each tree's
``python -m akool_tui`` runs with the tree as its working directory (first on
``sys.path``) and on ``PYTHONPATH``, with the same interpreter and site as this one (the
venv's editable install comes after both), so only the source differs.

Target (issue 3): the empty frame <= 1.25x the minimal app's; issue 13: rows on screen
at 100 000 sessions within 2 s against a running simulator.

    python bench/startup_bench.py [--runs 7] [--big 100000] [--source NAME=DIR ...]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import select
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

COLS, ROWS = 120, 34
TIMEOUT = 30.0
TARGET = 1.25
ANSI = re.compile(rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|P[^\x1b]*\x1b\\|[@-Z\\-_])")

MINIMAL_APP = '''
from textual.app import App
from textual.widgets import Footer, Static


class Minimal(App):
    def compose(self):
        yield Static("MINIMAL FIRST PAINT")
        yield Footer()


Minimal().run()
'''


class PtyApp:
    """A program running on its own pseudo-terminal (COLS x ROWS); its output is read
    from the master side. Use as a context manager: the process group is ended on exit."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path | None = None) -> None:
        self.argv = argv
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     start_new_session=True, close_fds=True, cwd=cwd)
        os.close(slave)
        self.seen = b""  # everything read so far

    def __enter__(self) -> PtyApp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read(self, timeout: float) -> bytes:
        if not select.select([self.master], [], [], max(0.0, timeout))[0]:
            return b""
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # the child closed the pty
            chunk = b""
        if not chunk:
            raise RuntimeError(f"{self.argv!r} exited; screen text ends with "
                               f"{self.text()[-400:]!r}")
        self.seen += chunk
        return chunk

    def text(self) -> str:
        """Everything drawn so far without escape sequences."""
        return ANSI.sub(b"", self.seen).decode(errors="replace")

    def wait_for(self, markers: list[bytes | re.Pattern[bytes]],
                 timeout: float = TIMEOUT) -> list[float]:
        """Seconds from spawn until each marker (text, or a pattern) has been drawn, in
        order."""
        times: list[float] = []
        deadline = time.perf_counter() + timeout
        while len(times) < len(markers):
            left = deadline - time.perf_counter()
            if left <= 0:
                raise RuntimeError(f"{self.argv!r}: no {markers[len(times)]!r} within "
                                   f"{timeout}s; screen text ends with {self.text()[-400:]!r}")
            if not self._read(left):
                continue
            # a marker's characters may be split by escape sequences (one per style run)
            text = ANSI.sub(b"", self.seen)
            while len(times) < len(markers) and found(markers[len(times)], text):
                times.append(time.perf_counter() - self.started)
        return times

    def drain(self, seconds: float) -> int:
        """Read for ``seconds``; returns the bytes the program wrote meanwhile."""
        total = 0
        deadline = time.perf_counter() + seconds
        while (left := deadline - time.perf_counter()) > 0:
            total += len(self._read(left))
        return total

    def send(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def cpu_seconds(self) -> float:
        """User + system CPU time of the program's process so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        until = time.perf_counter() + 5
        while self.proc.poll() is None and time.perf_counter() < until:
            try:
                self._read(0.05)
            except RuntimeError:
                break
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        os.close(self.master)


ROOT = Path(__file__).resolve().parent.parent
#: (argv, markers in order, environment, working directory: a source tree or None)
Program = tuple[list[str], list["bytes | re.Pattern[bytes]"], dict[str, str], "Path | None"]

#: a session row on screen: its short id, then its status (the first frame with data)
ROW = re.compile(rb"\b[0-9a-f]{8}\s+(?:queueing|live|closed|failed)\b")


def found(marker: bytes | re.Pattern[bytes], text: bytes) -> bool:
    return marker.search(text) is not None if isinstance(marker, re.Pattern) else marker in text


def spawn_and_time(argv: list[str], markers: list[bytes | re.Pattern[bytes]],
                   env: dict[str, str], timeout: float = TIMEOUT,
                   cwd: Path | None = None) -> list[float]:
    """Seconds from spawn until each marker (in order) has been drawn on the pty."""
    with PtyApp(argv, env, cwd=cwd) as app:
        return app.wait_for(markers, timeout)


def bench_env(tmp: str) -> dict[str, str]:
    """The environment both benches run programs in: a clean config, data and state home
    (no history another run recorded), a 256-colour terminal, and byte-compiled modules as when installed (the warm-up runs write the
    .pyc files, to a cache of their own instead of the source tree)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AKOOL_", "TEXTUAL")) and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(TERM="xterm-256color", COLORTERM="truecolor", XDG_CONFIG_HOME=tmp,
               XDG_DATA_HOME=tmp, XDG_STATE_HOME=tmp, XDG_CACHE_HOME=tmp,
               COLUMNS=str(COLS), LINES=str(ROWS), PYTHONPYCACHEPREFIX=str(Path(tmp) / "pycache"))
    return env


def start_simulator(port: int, sessions: int) -> subprocess.Popen:
    """The simulator in a process of its own (its CPU is not the app's), churn off."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "akool_tui", "simulator", "--port", str(port), "--sessions",
         str(sessions), "--seed", "7", "--no-churn"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port)
    return proc


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the simulator did not open port {port}") from None
            time.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--big", type=int, default=100_000,
                        help="sessions of the second running simulator (0: skip it)")
    parser.add_argument("--source", action="append", default=[], metavar="NAME=DIR",
                        help="also run the akool-tui programs from this source tree "
                             "(repeatable), as 'akool-tui NAME ...'")
    args = parser.parse_args()
    trees: list[tuple[str, Path]] = [("", ROOT)]
    for spec in args.source:
        name, _, path = spec.partition("=")
        if not name or not (Path(path) / "akool_tui" / "__init__.py").is_file():
            parser.error(f"--source {spec!r}: expected NAME=DIR, DIR holding akool_tui/")
        trees.append((name, Path(path).resolve()))

    with tempfile.TemporaryDirectory() as tmp:
        minimal = Path(tmp) / "minimal_app.py"
        minimal.write_text(MINIMAL_APP)
        env = bench_env(tmp)
        python = sys.executable
        external_env = {**env, "AKOOL_API_KEY": "demo"}
        simulators: dict[str, tuple[int, subprocess.Popen]] = {}
        for name, sessions in (("300", 300), (f"{args.big:,}", args.big)):
            if sessions:
                port = free_port()
                simulators[name] = port, start_simulator(port, sessions)
        programs: dict[str, Program] = {
            "minimal app": ([python, str(minimal)], [b"MINIMAL FIRST PAINT"], env, None),
        }
        for tree, root in trees:
            head = f"akool-tui {tree}".strip()
            tree_env = {**env, "PYTHONPATH": str(root)}
            programs[f"{head} --demo"] = ([python, "-m", "akool_tui", "--demo"],
                                          [b"DEMO (simulator)", ROW], tree_env, root)
            for name, (port, _proc) in simulators.items():
                programs[f"{head}, running simulator with {name} sessions"] = (
                    [python, "-m", "akool_tui", "--base-url", f"http://127.0.0.1:{port}"],
                    [f"127.0.0.1:{port}".encode(), ROW],
                    {**external_env, "PYTHONPATH": str(root)}, root)
        results: dict[str, list[list[float]]] = {name: [] for name in programs}
        try:
            # one warm-up each (file cache, .pyc, the simulator's first pages), then alternate
            for argv, markers, program_env, cwd in programs.values():
                spawn_and_time(argv, markers, program_env, timeout=120, cwd=cwd)
            for _ in range(args.runs):
                for name, (argv, markers, program_env, cwd) in programs.items():
                    times = spawn_and_time(argv, markers, program_env, timeout=120, cwd=cwd)
                    results[name].append(times)
                    frames = ("first frame",) if len(times) == 1 else ("empty frame", "data")
                    for frame, seconds in zip(frames, times, strict=True):
                        print(f"figure: startup {name}: {frame} {seconds * 1000:.1f} ms",
                              flush=True)
        finally:
            for _port, proc in simulators.values():
                proc.terminate()
                proc.wait()

    def spread(name: str, index: int = 0) -> tuple[float, float, float]:
        values = [run[index] for run in results[name]]
        return min(values), statistics.median(values), max(values)

    def ms(values: tuple[float, float, float]) -> str:
        return " / ".join(f"{v * 1000:.0f}" for v in values) + " ms"

    floor = spread("minimal app")
    print(f"in a {COLS}x{ROWS} pty, {args.runs} runs, min / median / max (ratio: medians)")
    print(f"  minimal Textual app: {ms(floor)}")
    for name in list(programs)[1:]:
        empty, data = spread(name), spread(name, 1)
        print(f"  {name}: data {ms(data)} ({data[1] / floor[1]:.2f}x), "
              f"empty frame {ms(empty)} ({empty[1] / floor[1]:.2f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
