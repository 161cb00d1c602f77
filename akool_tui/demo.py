"""``--demo``: the whole product offline, against the bundled simulator.

:func:`start_demo` serves a seeded simulator (realistic sessions, avatars and
background churn) on a free loopback port in a daemon thread; :func:`demo_config`
points a :class:`~akool_tui.config.Config` at it. Nothing is written to disk:
the demo config has no path. The simulator stops on exit, or earlier when used
as a context manager.

The console's demo (:func:`spawn_demo`) serves the same simulator from a process of its
own, started before the console is imported: it starts on another core while the
console paints its first frame (in a thread it took ~200 ms of the console's CPU after
that frame), and its churn never holds the console's interpreter. It ends with the
console: its stdin is a pipe from the console, and it stops when that pipe closes
(the console exited, however it ended).
"""

from __future__ import annotations

import atexit
import dataclasses
import os
import sys
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from .config import Config

if TYPE_CHECKING:
    from .simulator.server import RunningSimulator

DEMO_SEED = 7
DEMO_SESSIONS = 300
DEMO_AVATARS = 24
DEMO_API_KEY = "demo"


def start_demo(
    seed: int = DEMO_SEED,
    sessions: int = DEMO_SESSIONS,
    avatars: int = DEMO_AVATARS,
    **settings: Any,
) -> RunningSimulator:
    """Start the demo simulator on ``127.0.0.1`` and a free port.

    ``settings`` are further :class:`~akool_tui.simulator.config.SimulatorConfig`
    fields (latency, error_rate...). Raises ``ValueError`` on a bad setting.
    """
    from .simulator.config import SimulatorConfig
    from .simulator.server import run_background

    cfg = SimulatorConfig(seed=seed, sessions=sessions, avatars=avatars,
                          api_key=DEMO_API_KEY, churn=True, **settings)
    sim = run_background(cfg, "127.0.0.1", 0)
    atexit.register(sim.stop)
    return sim


#: seconds the console's demo waits for its simulator process before starting one in
#: a thread instead
CHILD_START_TIMEOUT = 30.0
#: the simulator process's niceness: it starts beside the console's first frame, on
#: another core when one is free; when none is, the console's frame comes first
CHILD_NICE = 10
#: what the simulator process runs (the package's own copy, whatever the working directory)
_CHILD_CODE = ("import os, sys\ntry:\n    os.nice(int(sys.argv[2]))\nexcept OSError:\n    pass\n"
               "sys.path.insert(0, sys.argv[1])\n"
               "from akool_tui.demo import serve_child\nserve_child(sys.argv[3:])")


class DemoProcess:
    """The demo simulator in a process of its own (:func:`spawn_demo`)."""

    def __init__(self, proc: Any) -> None:
        self._proc = proc
        self.base_url = ""
        #: what :func:`demo_config` reads of a simulator's config
        self.cfg = SimpleNamespace(api_key=DEMO_API_KEY)

    def wait_ready(self, timeout: float = CHILD_START_TIMEOUT) -> bool:
        """Block until the process serves (its first line is its base URL); False when
        it ended or said nothing in time (it is stopped then)."""
        import select

        out = self._proc.stdout
        if select.select([out], [], [], timeout)[0]:
            line = out.readline().decode("ascii", "replace").strip()
            if line.startswith("http://127.0.0.1:"):
                self.base_url = line
                return True
        self.stop()
        return False

    def stop(self) -> None:
        """Close its pipe (it stops by itself), and make sure it has gone."""
        import subprocess

        proc = self._proc
        for pipe in (proc.stdin, proc.stdout):
            try:
                pipe.close()
            except OSError:
                pass
        try:
            proc.wait(1.0)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def spawn_demo(seed: int = DEMO_SEED, sessions: int = DEMO_SESSIONS,
               avatars: int = DEMO_AVATARS) -> DemoProcess | None:
    """Start the demo simulator in a process of its own and return at once (None when
    no process can be started: the caller starts one in a thread instead)."""
    import subprocess

    if not sys.executable:
        return None
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        proc = subprocess.Popen(
            [sys.executable, "-c", _CHILD_CODE, root, str(CHILD_NICE), str(seed), str(sessions),
             str(avatars)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            close_fds=True)
    except OSError:
        return None
    child = DemoProcess(proc)
    atexit.register(child.stop)
    return child


def serve_child(argv: list[str]) -> None:
    """The simulator process of :func:`spawn_demo`: serve, print the base URL, and stop
    when stdin closes (the console has gone)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the console's ctrl+c is a key
    seed, sessions, avatars = (int(arg) for arg in argv[:3])
    sim = start_demo(seed, sessions, avatars)
    sys.stdout.write(sim.base_url + "\n")
    sys.stdout.flush()
    while sys.stdin.buffer.read(4096):
        pass
    sim.stop()


def demo_config(sim: RunningSimulator | DemoProcess, base: Config | None = None) -> Config:
    """A config for the running demo simulator.

    Preferences (ui, keymap, refresh interval, session defaults, llm) come from
    ``base`` when given; the endpoint and credentials are the simulator's, and
    nothing from the environment or the user's file is kept for them. New
    sessions default to the simulator's ``websocket`` stream, the one channel
    that works offline.
    """
    base = base or Config()
    config = Config(
        refresh_interval=base.refresh_interval,
        ui=dataclasses.replace(base.ui),
        defaults=dataclasses.replace(base.defaults, stream_type="websocket"),
        llm=dataclasses.replace(base.llm),
        chat=dataclasses.replace(base.chat),
        keymap=dict(base.keymap),
        path=None,
        profile="demo",  # its own profile: the user's profiles are never read or written
    )
    config.override("base_url", sim.base_url, "demo")  # for this run only: never saved
    config.override("api_key", sim.cfg.api_key, "demo")
    return config


def run_simulator(parser: Any, argv: list[str]) -> None:
    """``akool-tui simulator ...``: parse the simulator's options with ``parser`` (an
    argparse parser of the CLI's) and serve it in the foreground until interrupted.
    Raises ``ValueError`` on a bad setting."""
    from .simulator.cli import add_arguments, config_from_args, serve_forever

    add_arguments(parser)
    ns = parser.parse_args(argv)
    serve_forever(config_from_args(ns), ns.host, ns.port)
