"""Shared fixtures: the real simulator served over loopback HTTP."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from akool_tui.simulator import RunningSimulator, SimulatorConfig, run_background

#: small, quiet defaults for tests: no background churn, little data, seed 1
TEST_DEFAULTS: dict[str, Any] = {"seed": 1, "sessions": 40, "avatars": 12, "churn": False}

SimulatorFactory = Callable[..., RunningSimulator]


#: files the tests write (configs holding keys) are private, as a careful user's are: a
#: config others can read gets a warning on every command (tests/test_trust_files.py)
os.umask(0o077)


@pytest.fixture(autouse=True)
def private_data_home(tmp_path_factory: pytest.TempPathFactory,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The recorded history (and default exports) of a test go to a folder of its own,
    never to the machine's ``~/.local/share``."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data")))


@pytest.fixture
def simulator_factory() -> Iterator[SimulatorFactory]:
    """``factory(cfg=None, **overrides) -> RunningSimulator``; all stopped at teardown.

    Overrides are :class:`SimulatorConfig` fields on top of the test defaults
    (churn off, seed 1, 40 sessions, 12 avatars) or of ``cfg`` when given.
    """
    started: list[RunningSimulator] = []

    def factory(cfg: SimulatorConfig | None = None, **overrides: Any) -> RunningSimulator:
        if cfg is None:
            cfg = SimulatorConfig(**{**TEST_DEFAULTS, **overrides})
        elif overrides:
            cfg = dataclasses.replace(cfg, **overrides)
        sim = run_background(cfg)
        started.append(sim)
        return sim

    yield factory
    for sim in started:
        sim.stop()


@pytest.fixture
def simulator(simulator_factory: SimulatorFactory) -> RunningSimulator:
    """A running simulator with the test defaults (churn off, seed 1, small data)."""
    return simulator_factory()


@pytest.fixture
def hostile() -> Iterator[Any]:
    """A running hostile AKool server (``tests/hostile_server.py``): poisoned strings on
    every endpoint; set ``hostile.hostile.body`` to break the bodies."""
    from hostile_server import run_hostile

    with run_hostile() as server:
        yield server
