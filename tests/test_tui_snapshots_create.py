"""Snapshots of the new-session dialog's Advanced section at 120x34 and 80x24: the
normal mode with server_vad's numbers and your own Agora room, and fast_dialogue with
its preset voices (the speed, STT type and pronunciations gone)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Collapsible, Input

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
ELEVEN_KEY = "sk_eleven_SNAPSHOT_0123456789"


@pytest.fixture(scope="module")
def frozen_sim() -> Iterator[RunningSimulator]:
    sim = start_simulator(frozen=True)
    yield sim
    sim.stop()


def snapshot_app(sim: RunningSimulator, tmp_path):
    return make_app(sim, tmp_path, demo=True, interval=5.0, clock=lambda: FIXED_NOW,
                    defaults=SessionDefaults(stream_type="agora", turn_detection="server_vad",
                                             stt_language="en", elevenlabs_api_key=ELEVEN_KEY,
                                             elevenlabs_model_id="eleven_flash_v2_5"))


async def advanced(pilot: Pilot, *, fast: bool = False) -> None:
    await wait_loaded(pilot)
    await pilot.press("n")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, NewSessionScreen))
    await wait_workers(pilot, "avatars")
    await wait_workers(pilot, "knowledge")
    modal = pilot.app.screen
    modal.query_one("#advanced", Collapsible).collapsed = False
    if fast:
        modal.query_one("#scene").value = "fast_dialogue"
        modal.query_one("#eleven-key", Input).value = ""
    else:
        modal.query_one("#byo", Checkbox).value = True
    await pilot.pause()
    for field in modal.query(Input):
        field.cursor_blink = False
    target = "#fast-voice" if fast else "#turn-threshold"
    modal.query_one(target).focus()
    await pilot.pause()
    modal.query_one("#new-session").scroll_to_widget(modal.query_one(target), top=True,
                                                     animate=False)
    await pilot.pause()


async def advanced_fast(pilot: Pilot) -> None:
    await advanced(pilot, fast=True)


@SIZES
def test_advanced_section_normal_mode(snap_compare, frozen_sim, tmp_path, size):
    assert snap_compare(snapshot_app(frozen_sim, tmp_path), terminal_size=size,
                        run_before=advanced)


@SIZES
def test_advanced_section_fast_dialogue(snap_compare, frozen_sim, tmp_path, size):
    assert snap_compare(snapshot_app(frozen_sim, tmp_path), terminal_size=size,
                        run_before=advanced_fast)
