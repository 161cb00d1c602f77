"""``--demo``: the whole product offline, against the bundled simulator.

:func:`start_demo` serves a seeded simulator (realistic sessions, avatars and
background churn) on a free loopback port in a daemon thread; :func:`demo_config`
points a :class:`~akool_tui.config.Config` at it. Nothing is written to disk:
the demo config has no path. The simulator stops on exit, or earlier when used
as a context manager.
"""

from __future__ import annotations

import atexit
import dataclasses
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


def demo_config(sim: RunningSimulator, base: Config | None = None) -> Config:
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
