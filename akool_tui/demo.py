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
    )
    config.override("base_url", sim.base_url, "demo")  # for this run only: never saved
    config.override("api_key", sim.cfg.api_key, "demo")
    return config


#: what the demo's command palette can switch on (``POST /sim/faults`` settings)
DEMO_FAULTS: dict[str, tuple[str, dict[str, float]]] = {
    "errors": ("server errors (60 % of requests answer HTTP 5xx)", {"error_rate": 0.6}),
    "slow": ("a slow network (1.5 s per request)", {"latency": 1.5}),
    "malformed": ("malformed answers (20 % of requests)", {"malformed_rate": 0.2}),
}
NO_FAULTS = {"latency": 0.0, "error_rate": 0.0, "malformed_rate": 0.0}


async def set_faults(config: Config, changes: dict[str, float]) -> dict[str, float]:
    """Change the running simulator's faults (the simulator-only ``/sim/faults``);
    returns its settings now. Raises an :class:`~akool_tui.api.errors.AkoolError`."""
    import httpx

    from .api.errors import NetworkError, error_for_code

    try:
        async with httpx.AsyncClient(base_url=config.base_url, timeout=5.0,
                                     headers={"x-api-key": config.api_key}) as http:
            answer = (await http.post("/sim/faults", json=changes)).json()
    except (httpx.HTTPError, ValueError) as err:
        raise NetworkError(f"the demo simulator did not answer: {type(err).__name__}") from None
    if not isinstance(answer, dict) or answer.get("code") != 1000:
        code = answer.get("code", 0) if isinstance(answer, dict) else 0
        raise error_for_code(code if isinstance(code, int) else 0,
                             str(answer.get("msg", "")) if isinstance(answer, dict) else "")
    return answer["data"]
