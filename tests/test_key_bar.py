"""The key bar at the bottom of every main screen: the keys shown, clicks, narrow terminals."""

from __future__ import annotations

from akool_tui.tui.screens.new_session import NewSessionScreen
from akool_tui.tui.widgets.key_bar import KeyBar
from tui_helpers import (  # noqa: F401 - fixtures
    make_app,
    running,
    screen_text,
    shared_sim,
    wait_for,
    wait_loaded,
)


def bar_line(app) -> str:
    return screen_text(app).splitlines()[-1]


async def test_the_bar_lists_the_screens_keys_and_follows_the_screen(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, _):
        await wait_loaded(pilot)
        line = bar_line(app)
        for item in ("n New", "c Close", "/ Filter", "12345 screens", "? Keys", "^p palette"):
            assert item in line, (item, line)
        await pilot.press("2")
        await wait_loaded(pilot)
        line = bar_line(app)
        assert "u Upload" in line and "n New" not in line


async def test_bindings_that_change_with_focus_change_the_bar(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, _):
        await wait_loaded(pilot)
        assert "c Close" in bar_line(app)
        await pilot.press("slash")  # the filter input takes the focus and the letter keys
        await wait_for(pilot, lambda: "c Close" not in bar_line(app), "bar without table keys")
        await pilot.press("escape")
        await wait_for(pilot, lambda: "c Close" in bar_line(app), "bar with table keys again")


async def test_clicking_a_key_presses_it(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, _):
        await wait_loaded(pilot)
        column = bar_line(app).index("New")
        await pilot.click(KeyBar, offset=(column, 0))
        await wait_for(pilot, lambda: isinstance(app.screen, NewSessionScreen), "new session dialog")
        await pilot.press("escape")
        await pilot.pause()
        before = app.screen
        await pilot.click(KeyBar, offset=(bar_line(app).index("palette"), 0))
        await wait_for(pilot, lambda: app.screen is not before, "command palette")
        assert type(app.screen).__name__ == "CommandPalette"


async def test_a_narrow_terminal_keeps_the_palette_key(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path)
    async with running(app, size=(50, 20)) as (pilot, _):
        await wait_loaded(pilot)
        line = bar_line(app)
        assert len(line) == 50 and line.rstrip().endswith("^p palette")
        assert line.startswith("space Mark")


async def test_at_80_columns_keys_go_whole_and_the_help_key_stays(shared_sim, tmp_path):
    """The knowledge screen's keys do not fit 80 columns: whole keys are left out from
    the end, never a word cut ("? Key", "scree"), and "? Keys" stays to list the rest."""
    app = make_app(shared_sim, tmp_path)
    async with running(app, size=(80, 24)) as (pilot, _):
        await wait_loaded(pilot)
        await pilot.press("5")
        await wait_loaded(pilot)
        line = bar_line(app)
        assert len(line) == 80 and line.rstrip().endswith("^p palette"), line
        assert line.split("▏")[0].rstrip().endswith("? Keys"), line
        assert "u Edit" in line and "x Delete" in line
        assert "scree" not in line or "12345 screens" in line
        column = line.index("? Keys")
        await pilot.click(KeyBar, offset=(column, 0))
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HelpScreen", "help")
