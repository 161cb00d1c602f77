"""Keys typed in one burst are applied in the order typed, bound editing keys included
(Textual runs backspace or ctrl+u only after the key bubbles to the app, so with the
screen busy filtering, "ab", backspace, "va" became "abv"; Textual issue 6605)."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from akool_tui.demo import demo_config
from akool_tui.tui.app import AkoolApp
from test_tui_settings import SIZE, open_settings
from tui_helpers import wait_for


@pytest.mark.parametrize("keys, value", [
    (["a", "b", "backspace", "v", "a"], "ava"),
    (["x", "y", "z", "ctrl+u", "b", "r", "i", "a", "n"], "brian"),
    (["a", "n", "d", "left", "left", "r", "e"], "arend"),
])
async def test_a_burst_typed_in_the_voice_search_keeps_its_order(simulator, keys, value):
    app = AkoolApp(demo_config(simulator), demo=True, watch_tty=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        await pilot.press("ctrl+f")
        search = screen.query_one("#voice-filter", Input)
        assert search.has_focus
        for key in keys:  # all queued at once, as a fast typist or a paste of keys gives
            app.simulate_key(key)
        await wait_for(pilot, lambda: len(search.value) == len(value), what="the burst")
        await pilot.pause(0.2)
        assert search.value == value


async def test_a_burst_typed_in_the_command_palette_keeps_its_order(simulator):
    """ctrl+p, "abc", then three backspaces and "Theme" in one burst became "aThem",
    "aheme" or "abThe": each keystroke searches, and Textual ran the backspaces only after
    they bubbled to the app (tester 8, F14)."""
    from akool_tui.tui.commands import CommandPalette

    app = AkoolApp(demo_config(simulator), demo=True, watch_tty=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        field = app.screen.query_one(Input)
        await pilot.press(*"abc")
        for key in ["backspace"] * 3 + list("Theme"):
            app.simulate_key(key)
        await wait_for(pilot, lambda: len(field.value) == 5, what="the burst")
        await pilot.pause(0.2)
        assert field.value == "Theme"
