"""Keys typed right after `n`, before the new-session dialog is on screen, go to the
dialog's first field: an operator who types `n` then `600` quickly gets 600 there, and
no digit acts on the sessions screen beneath (1-5 switch screens there). The keys are
posted as the terminal delivers them -- without waiting for the app to be idle between
them (Pilot's press waits, and hid this)."""

from __future__ import annotations

from textual.widgets import Input

from akool_tui.tui.screens.new_session import NewSessionScreen
from akool_tui.tui.screens.sessions import SessionsScreen
from tui_helpers import (  # noqa: F401 - fixtures
    isolated_home,
    make_app,
    running,
    shared_sim,
    wait_for,
    wait_loaded,
)


async def type_ahead(pilot, keys: str) -> NewSessionScreen:
    app = pilot.app
    for key in keys:  # no wait between keys: as fast as a terminal delivers them
        app.simulate_key(key)
    await wait_for(pilot, lambda: isinstance(app.screen, NewSessionScreen)
                   and app.focused is not None, what="the dialog's first focus")
    await pilot.pause()
    return app.screen


async def test_digits_typed_before_the_dialog_shows_land_in_its_first_field(shared_sim,
                                                                           tmp_path):
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, _):
        await wait_loaded(pilot)
        sessions = app.screen
        assert isinstance(sessions, SessionsScreen)
        modal = await type_ahead(pilot, "n120")
        duration = modal.query_one("#duration", Input)
        await wait_for(pilot, lambda: duration.value == "120",
                       what=f"120 in Duration (it holds {duration.value!r})")
        assert app.focused is duration
        assert app.screen_stack[-2] is sessions  # no digit switched the screen beneath


async def test_screen_keys_typed_before_the_dialog_shows_do_not_act_beneath(shared_sim,
                                                                           tmp_path):
    """Digits 1-5 switch screens on the sessions screen: typed after `n`, they are
    the dialog's (its Duration field's), never a switch."""
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, _):
        await wait_loaded(pilot)
        sessions = app.screen
        modal = await type_ahead(pilot, "n42")
        duration = modal.query_one("#duration", Input)
        await wait_for(pilot, lambda: duration.value == "42",
                       what=f"42 in Duration (it holds {duration.value!r})")
        assert app.screen is modal and app.screen_stack[-2] is sessions
        modal.dismiss(None)
        await wait_for(pilot, lambda: app.screen is sessions, what="back on sessions")


async def test_keys_typed_while_the_dialog_is_being_built_land_in_its_first_field(shared_sim,
                                                                                tmp_path):
    """The dialog is up (pushed) but nothing in it has the focus yet: the keys reach
    the dialog itself, which keeps them for its first field."""
    import asyncio

    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, _):
        await wait_loaded(pilot)
        app.simulate_key("n")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 8
        while not isinstance(app.screen, NewSessionScreen):  # no idle wait: it is building
            assert loop.time() < deadline, "the dialog never came"
            await asyncio.sleep(0.001)
        assert app.focused is None  # its first field has no focus yet
        for key in "75":
            app.simulate_key(key)
        modal = app.screen
        # (on a quiet machine the keys come before the dialog has composed its fields)
        await wait_for(pilot, lambda: modal.query("#duration"), what="the Duration field")
        duration = modal.query_one("#duration", Input)
        await wait_for(pilot, lambda: duration.value == "75",
                       what=f"75 in Duration (it holds {duration.value!r})")
        assert app.focused is duration and app.screen is modal
