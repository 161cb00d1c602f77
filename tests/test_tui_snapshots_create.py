"""Snapshots of the new-session dialog's Advanced section at 120x34 and 80x24: the
normal mode with server_vad's numbers and your own Agora room, and fast_dialogue with
its preset voices (the speed, STT type and pronunciations gone)."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Checkbox, Input

from akool_tui.config import SessionDefaults
from akool_tui.simulator import RunningSimulator
from tui_helpers import (  # noqa: F401 - fixtures
    SNAPSHOT_SIZES as SIZES,
    frozen_sim,
    isolated_home,
    open_advanced,
    open_new_session,
)
from tui_helpers import snapshot_app as demo_app

ELEVEN_KEY = "sk_eleven_SNAPSHOT_0123456789"


def snapshot_app(sim: RunningSimulator, tmp_path):
    return demo_app(sim, tmp_path,
                    defaults=SessionDefaults(stream_type="agora", turn_detection="server_vad",
                                             stt_language="en", elevenlabs_api_key=ELEVEN_KEY,
                                             elevenlabs_model_id="eleven_flash_v2_5"))


async def advanced(pilot: Pilot, *, fast: bool = False) -> None:
    modal = await open_new_session(pilot)
    await open_advanced(pilot, modal)
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
