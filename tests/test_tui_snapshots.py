"""SVG snapshots of the main screens and the new-session dialog at 120x34 and 80x24.

Deterministic: a seeded simulator with churn off whose clock stands still at
FIXED_NOW, and the app's clock fixed at the same moment (so "4 minutes ago" and
countdowns never move). Update with ``pytest tests/test_tui_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from textual.pilot import Pilot

from akool_tui.config import UiConfig
from tui_helpers import (  # noqa: F401 - fixtures
    SNAPSHOT_SIZES as SIZES,
    frozen_sim,
    isolated_home,
    open_new_session,
    snapshot_app,
    utc,
    wait_loaded,
)


async def sessions(pilot: Pilot) -> None:
    await wait_loaded(pilot)


async def avatars(pilot: Pilot) -> None:
    await wait_loaded(pilot)
    await pilot.press("2")
    await wait_loaded(pilot)


async def new_session(pilot: Pilot) -> None:
    await open_new_session(pilot)


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
    app = snapshot_app(frozen_sim, tmp_path, ui=UiConfig(theme="akool-light"))
    assert snap_compare(app, terminal_size=(80, 24), run_before=new_session)
