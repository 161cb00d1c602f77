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


# -- no traceback on the terminal: errors are messages, tracebacks go to the log --------------

API_KEY = "hostile-api-key-0123456789"


@pytest.fixture
def log_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The log set up as ``run_app`` does, in a temporary XDG state folder."""
    from akool_tui import logs

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    secrets: list = []
    path = logs.setup(lambda: [s for source in secrets for s in source()])
    assert path == tmp_path / "state" / "akool-tui" / "akool-tui.log"
    yield path, secrets
    logs.teardown()


async def test_a_failing_worker_is_a_message_and_a_masked_traceback_in_the_log(hostile,
                                                                             log_file):
    """Any worker that raises (exit_on_error or not, async or thread): the app carries on,
    the error's one line (masked, not markup) is a notification, the traceback is in the
    log with every secret masked."""
    from hostile_server import SECRET_TOKEN

    path, secrets = log_file
    app = hostile_app(hostile, api_key=API_KEY, client_id="client-id",
                      client_secret="client-secret-4242")  # requests use a bearer token
    secrets.append(getattr(app, "known_secrets", list))
    leak = (f"lookup failed: {API_KEY} {SECRET_TOKEN} client-secret-4242 "
            '{"accessToken": "camel-case-token-7777"} [/x][bold]')

    async def fails() -> None:
        raise LookupError(leak)

    def fails_in_a_thread() -> None:
        raise LookupError(leak)

    async with running(app) as (pilot, messages):
        await wait_loaded(pilot)
        assert app.client._auth.has_token  # the bearer token is held (and known)
        app.screen.run_worker(fails())  # exit_on_error=True: this ended the app before
        app.screen.run_worker(fails(), exit_on_error=False)  # said nothing before
        app.run_worker(fails_in_a_thread, thread=True)
        await wait_for(pilot, lambda: len(messages.notes("error")) >= 3, "3 messages")
        assert app.is_running
        expected = ("LookupError: lookup failed: ••••6789 ••••cdef ••••4242 "
                    '{"accessToken": "••••7777"} [/x][bold]')  # shown as text, not markup
        assert messages.notes("error")[-3:] == [expected] * 3
        await pilot.press("2")  # still working
        await wait_loaded(pilot)
    text = path.read_text()
    assert text.count("Traceback (most recent call last)") >= 3
    assert "LookupError: lookup failed: ••••6789 ••••cdef ••••4242" in text
    for secret in (API_KEY, SECRET_TOKEN, "client-secret-4242", "camel-case-token-7777"):
        assert secret not in text
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"


async def test_a_worker_crashing_on_a_hostile_body_leaves_the_app_running(hostile):
    """JSON nested 200 000 deep raised RecursionError in the new-session dialog's worker
    and ended the app with a traceback."""
    hostile.hostile.body, hostile.hostile.only = "nested", "avatar/list"
    app = hostile_app(hostile)
    async with running(app) as (pilot, messages):
        await wait_loaded(pilot)
        await pilot.press("n")  # the dialog loads the avatars: a nested body
        await wait_for(pilot, lambda: "/api/open/v4/liveAvatar/avatar/list"
                       in hostile.hostile.requests, "the avatar list asked")
        await wait_for(pilot, lambda: not any(w.group == "avatars" and w.is_running
                                              for w in app.workers), "the worker done")
        await pilot.pause()
        assert app.is_running and app._exception is None
        await pilot.press("escape")
        await wait_loaded(pilot)


async def test_a_bug_in_a_handler_ends_the_app_with_one_line(shared_sim, tmp_path, log_file,
                                                            capsys):
    """What is not a worker or an action is a bug in the app's own code: Textual stops
    the widget's message loop after it, so the app ends -- with one line, not a
    traceback, and the traceback in the log."""
    from akool_tui.tui.app import finish

    path, _ = log_file
    app = make_app(shared_sim, tmp_path)

    def bug() -> None:
        raise KeyError("no such row [b]")

    with pytest.raises(KeyError):  # run_test() raises it, for tests to see
        async with running(app) as (pilot, _):
            await wait_loaded(pilot)
            app.screen.call_later(bug)
            await wait_for(pilot, lambda: app._exit or not app.is_running or app.crash_line,
                           "the app ending")
    assert app.crash_line == "KeyError: 'no such row [b]'"
    assert finish(app) == 1
    out, err = capsys.readouterr()
    assert err == f"akool-tui: unexpected error: KeyError: 'no such row [b]'; details in {path}\n"
    assert "Traceback" not in out + err
    assert "Traceback (most recent call last)" in path.read_text()


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
