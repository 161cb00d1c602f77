"""Trust, part "lifetime": the console ends when its terminal goes away, no traceback
reaches the terminal, the palette and Settings survive fast keys and odd data, and the
status line shows the credentials actually used (issue 9, sections 2, 3 and 6)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

from tui_helpers import (  # noqa: F401 - fixtures
    isolated_home,
    make_app,
    running,
    screen_text,
    shared_sim,
    wait_for,
    wait_loaded,
)

# -- the status line shows the auth the requests use ---------------------------------------


async def test_status_line_shows_the_bearer_token_when_both_kinds_are_set(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path, client_id=shared_sim.cfg.client_id,
                   client_secret=shared_sim.cfg.client_secret)
    assert app.config.api_key  # both kinds set: the client prefers client credentials
    async with running(app) as (pilot, _):
        await wait_loaded(pilot)
        assert app.client.auth_mode == "client credentials"
        status = screen_text(app).splitlines()[-2:]
        shown = "\n".join(status)
        assert "token · client " + shared_sim.cfg.client_id in shown, shown
        assert "api key" not in shown


async def test_status_line_shows_the_api_key_when_it_is_the_only_kind(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, _):
        await wait_loaded(pilot)
        shown = screen_text(app)
        assert "api key ••••" in shown  # masked
        assert "token" not in shown


# -- Settings: a voice in both lists --------------------------------------------------------


def hostile_app(server, **fields):
    from akool_tui.config import Config
    from akool_tui.tui.app import AkoolApp

    cfg = Config(base_url=server.base_url, path=None, refresh_interval=60.0,
                 **{"api_key": "hostile-api-key-0123456789", **fields})
    return AkoolApp(cfg, watch_tty=False)


async def test_a_voice_in_both_lists_is_listed_once_and_can_be_picked(hostile):
    from hostile_server import POISON
    from textual.widgets import OptionList

    from akool_tui.tui.screens.settings import SettingsScreen

    hostile.hostile.body = "dup_voice"  # the same voice id, 4 times in each list
    app = hostile_app(hostile)
    async with running(app) as (pilot, _):
        await app.switch_mode("settings")
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        await wait_for(pilot, lambda: screen._voices, "voices loaded")
        voice_list = screen.query_one("#voice-list", OptionList)
        assert voice_list.option_count == 2  # the avatar's own voice, and the one voice
        ids = [voice_list.get_option_at_index(i).id for i in range(2)]
        assert all(re.fullmatch(r"[-a-z0-9]+", i or "") for i in ids), ids  # ours, not the server's
        voice_list.focus()
        await pilot.press("down", "enter")
        assert screen._voice == "dup-voice" + POISON  # sent exactly as the server named it
        assert app.is_running


# -- the command palette survives keys typed ahead -----------------------------------------


async def burst(app, *keys: str) -> None:
    """Keys as fast as a typist's buffer delivers them: all queued before the app
    handles the first (``pilot.press`` waits for the app after each one)."""
    from textual import events

    for key in keys:
        char = key if len(key) == 1 else {"space": " "}.get(key)
        event = events.Key(key, char)
        event.set_sender(app)
        app._driver.send_message(event)


async def settle(pilot, app) -> None:
    """Wait until the burst has been handled (the app idle with no input left)."""
    await pilot.pause(0.3)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause(0.1)


def crashed(app) -> list[object]:
    """What ended the app or was reported as an unexpected error (none, on a good day)."""
    return [*filter(None, [app._exception, getattr(app, "crash_line", None)]),
            *getattr(app, "unexpected_errors", [])]


PALETTE_BURSTS = [
    ("ctrl+p", *"go to avatars", "enter", "enter"),  # ScreenStackError
    ("ctrl+p", "pagedown"),  # KeyError in OptionList._move_page
    ("ctrl+p", "pageup", "pagedown", "pagedown", "enter"),
    ("ctrl+p", "escape", "ctrl+p", "enter"),
    ("ctrl+p", *"sett", "enter", "enter", "enter"),
    ("ctrl+p", *"new", "enter", "enter", "escape", "escape"),  # a dialog it opened
    ("ctrl+p", "enter", "ctrl+p", "up", "enter", "ctrl+p", "backspace", "enter", "enter"),
    ("ctrl+p", "down", "enter", "escape", "enter", "1", "ctrl+p", "pagedown", "enter"),
]


@pytest.mark.parametrize("keys", PALETTE_BURSTS, ids=lambda k: " ".join(k))
async def test_palette_survives_keys_typed_ahead(shared_sim, tmp_path, keys):
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, _):
        await wait_loaded(pilot)
        await burst(app, *keys)
        await settle(pilot, app)
        assert app.is_running and not crashed(app)
        assert app.screen_stack  # never popped empty
        while len(app.screen_stack) > 1:  # whatever the keys opened (a dialog, a picker)
            app.pop_screen()
            await pilot.pause()
        await pilot.press("ctrl+p")  # still usable
        await pilot.press(*"go to settings", "enter")
        await wait_for(pilot, lambda: app.current_mode == "settings", "settings")


async def test_palette_random_bursts_never_crash(shared_sim, tmp_path):
    """Seeded random bursts over the palette's and the app's keys (on Textual's own
    palette 16 of 60 such bursts crashed)."""
    import random

    rng = random.Random(9)
    pool = ["ctrl+p"] * 4 + ["enter"] * 4 + ["escape", "pagedown", "pageup", "down", "up",
                                             "g", "o", "s", "1", "2", "backspace"]
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, _):
        await wait_loaded(pilot)
        for _ in range(25):
            await burst(app, *[rng.choice(pool) for _ in range(rng.randint(3, 9))])
            await settle(pilot, app)
            assert app.is_running and not crashed(app)
            while len(app.screen_stack) > 1:  # back to a main screen for the next burst
                app.pop_screen()
                await pilot.pause()
