"""SVG snapshots of the main screens and the new-session dialog at 120x34 and 80x24.

Deterministic: a seeded simulator with churn off whose clock stands still at
FIXED_NOW, and the app's clock fixed at the same moment (so "4 minutes ago" and
countdowns never move). Update with ``pytest tests/test_tui_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from akool_tui.config import SessionDefaults
from akool_tui.simulator import RunningSimulator
from akool_tui.tui.screens.new_session import NewSessionScreen
from tui_helpers import (  # noqa: F401 - fixtures
    FIXED_NOW,
    isolated_home,
    make_app,
    start_simulator,
    wait_for,
    wait_loaded,
    wait_workers,
)

SIZES = pytest.mark.parametrize("size", [(120, 34), (80, 24)], ids=["120x34", "80x24"])


@pytest.fixture(scope="module")
def frozen_sim() -> Iterator[RunningSimulator]:
    sim = start_simulator(frozen=True)
    yield sim
    sim.stop()


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Absolute times in the detail pane are local: make local UTC."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def snapshot_app(sim: RunningSimulator, tmp_path):
    """As ``--demo`` runs: its config makes websocket the default stream type."""
    return make_app(sim, tmp_path, demo=True, interval=5.0, clock=lambda: FIXED_NOW,
                    defaults=SessionDefaults(stream_type="websocket"))


async def sessions(pilot: Pilot) -> None:
    await wait_loaded(pilot)


async def avatars(pilot: Pilot) -> None:
    await wait_loaded(pilot)
    await pilot.press("2")
    await wait_loaded(pilot)


async def new_session(pilot: Pilot) -> None:
    await wait_loaded(pilot)
    await pilot.press("n")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, NewSessionScreen))
    await wait_workers(pilot, "avatars")
    await wait_workers(pilot, "knowledge")
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False


async def session_detail(pilot: Pilot) -> None:
    await wait_loaded(pilot)
    await pilot.press("down", "enter")


@SIZES
def test_sessions_screen(snap_compare, frozen_sim, tmp_path, size):
    assert snap_compare(snapshot_app(frozen_sim, tmp_path), terminal_size=size,
                        run_before=sessions)


@SIZES
def test_avatars_screen(snap_compare, frozen_sim, tmp_path, size):
    assert snap_compare(snapshot_app(frozen_sim, tmp_path), terminal_size=size,
                        run_before=avatars)


@SIZES
def test_new_session_dialog(snap_compare, frozen_sim, tmp_path, size):
    assert snap_compare(snapshot_app(frozen_sim, tmp_path), terminal_size=size,
                        run_before=new_session)


def test_session_detail_pane(snap_compare, frozen_sim, tmp_path, utc):
    assert snap_compare(snapshot_app(frozen_sim, tmp_path), terminal_size=(120, 34),
                        run_before=session_detail)


def test_new_session_dialog_light(snap_compare, frozen_sim, tmp_path):
    """akool-light at 80x24: the compact inputs have a background of their own."""
    from akool_tui.config import UiConfig

    app = make_app(frozen_sim, tmp_path, demo=True, interval=5.0, clock=lambda: FIXED_NOW,
                   defaults=SessionDefaults(stream_type="websocket"),
                   ui=UiConfig(theme="akool-light"))
    assert snap_compare(app, terminal_size=(80, 24), run_before=new_session)
