"""The settings screen keeps what was typed: letters typed on a form control stay in the
form, and leaving or quitting with unsaved settings asks first (save / discard / stay).
Against the real simulator (Pilot, no mocks)."""

from __future__ import annotations

import contextlib
import tomllib

from akool_tui.tui.screens.settings import SettingsScreen
from akool_tui.tui.screens.settings_leave import UnsavedScreen
from tui_helpers import make_app, running, wait_for


async def open_settings(pilot) -> SettingsScreen:
    await pilot.press("4")
    screen = pilot.app.screen
    assert isinstance(screen, SettingsScreen)
    await wait_for(pilot, lambda: screen._voices, "voices loaded")
    await wait_for(pilot, lambda: screen.status._extra.endswith(" languages"), "languages")
    return screen


@contextlib.asynccontextmanager
async def on_settings(simulator, tmp_path):
    """``(app, pilot, the settings screen with its lists loaded, messages)``."""
    app = make_app(simulator, tmp_path)
    async with running(app) as (pilot, messages):
        yield app, pilot, await open_settings(pilot), messages


async def change_then_leave(pilot, screen: SettingsScreen, key: str, **values) -> None:
    """Set fields (widget id -> value), leave the field (esc) and press ``key``: the
    unsaved-settings question comes."""
    for wid, value in values.items():
        screen.query_one(f"#{wid}").value = value
    await pilot.press("escape", key)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, UnsavedScreen), "the question")


async def test_letters_typed_on_a_select_stay_in_the_form(simulator, tmp_path):
    async with on_settings(simulator, tmp_path) as (app, pilot, screen, _):
        screen.query_one("#mode").focus()
        await pilot.press(*"https://x", "q", "1", "e", "P")
        assert app.is_running and app.screen is screen and app.current_mode == "settings"
        # esc leaves the field: the app's keys work again
        await pilot.press("escape", "1")
        await wait_for(pilot, lambda: app.current_mode == "sessions", "sessions")


async def test_quitting_with_unsaved_settings_asks_and_stay_keeps_them(simulator, tmp_path):
    async with on_settings(simulator, tmp_path) as (app, pilot, screen, _):
        await change_then_leave(pilot, screen, "q", speed="1.1")
        question = str(app.screen.query_one("#unsaved-question").render())
        assert "Speed 1 → 1.1" in question and "quitting" in question
        await pilot.press("escape")  # stay
        assert app.is_running and app.screen is screen
        assert screen.query_one("#speed").value == "1.1"
        await pilot.press("ctrl+q")  # Textual's quit key asks too
        await wait_for(pilot, lambda: isinstance(app.screen, UnsavedScreen), "the question")
        await pilot.press("d")
        await wait_for(pilot, lambda: not app.is_running, "exit")
    assert not (tmp_path / "config.toml").exists()  # discarded: nothing written


async def test_leaving_with_unsaved_settings_saves_them_on_s(simulator, tmp_path):
    async with on_settings(simulator, tmp_path) as (app, pilot, screen, _):
        await change_then_leave(pilot, screen, "1", speed="0.9")
        assert app.current_mode == "settings"
        await pilot.press("s")
        await wait_for(pilot, lambda: app.current_mode == "sessions", "sessions after saving")
        assert app.config.defaults.speed == 0.9
        saved = tomllib.loads((tmp_path / "config.toml").read_text())
        assert saved["defaults"]["speed"] == 0.9
        # nothing unsaved now: coming back and leaving again asks nothing
        await pilot.press("4")
        await pilot.press("escape", "1")
        await wait_for(pilot, lambda: app.current_mode == "sessions", "sessions")


async def test_discard_on_leaving_puts_the_saved_values_back(simulator, tmp_path):
    async with on_settings(simulator, tmp_path) as (app, pilot, screen, _):
        # the history asks too
        await change_then_leave(pilot, screen, "h", bgurl="https://example.com/bg.png", mode=1)
        await pilot.press("d")
        await wait_for(pilot, lambda: app.current_mode == "history", "history")
        assert screen.query_one("#bgurl").value == ""
        assert screen.query_one("#mode").value == app.config.defaults.mode_type == 2
        assert screen.unsaved_changes() == []


async def test_no_loading_choice_is_left_once_the_lists_are_loaded(simulator, tmp_path):
    from textual.widgets import Select
    from textual.widgets._select import SelectOverlay

    from akool_tui.tui.screens.settings_catalog import KnowledgeLoaded

    async with on_settings(simulator, tmp_path) as (app, pilot, screen, messages):
        await wait_for(pilot, lambda: messages.count(KnowledgeLoaded), "knowledge bases")
        await pilot.pause()
        for select_id in ("#lang", "#knowledge"):
            select = screen.query_one(select_id, Select)
            first = str(select.query_one(SelectOverlay).get_option_at_index(0).prompt)
            assert "loading" not in first and "loading" not in select.prompt, select_id
        assert str(screen.query_one("#lang", Select).query_one(SelectOverlay)
                   .get_option_at_index(0).prompt) == "none (the service's default)"
