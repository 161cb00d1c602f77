"""Trust, part "lifetime": the console ends when its terminal goes away, no traceback
reaches the terminal, the palette and Settings survive fast keys and odd data, and the
status line shows the credentials actually used (issue 9, sections 2, 3 and 6)."""

from __future__ import annotations

import re

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


def hostile_app(server, **kwargs):
    from akool_tui.config import Config
    from akool_tui.tui.app import AkoolApp

    cfg = Config(base_url=server.base_url, api_key="hostile-api-key-0123456789", path=None,
                 refresh_interval=60.0)
    return AkoolApp(cfg, watch_tty=False, **kwargs)


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
